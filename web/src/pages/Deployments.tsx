import { curl } from "../api/curl";
import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function Deployments() {
  return (
    <Page title="Deployments">
      <p class="lead">
        Deployments will be listed here: run one with a form built from its parameters, edit its schedules, pause and
        resume it.
      </p>
      <p>Until then, the API answers from a terminal: the deployments, and one of them by name.</p>
      <Command>{curl("POST", "/deployments/filter", {})}</Command>
      <Command>{curl("GET", "/deployments/name/hello-flow/my_first_deployment")}</Command>
    </Page>
  );
}
