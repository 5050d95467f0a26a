import { curl } from "../api/curl";
import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function Flows() {
  return (
    <Page title="Flows">
      <p class="lead">
        The flows this server knows will be listed here, with their deployments and recent runs. A flow becomes known
        the first time it runs or is deployed.
      </p>
      <p>Until then, the API lists them from a terminal:</p>
      <Command>{curl("POST", "/flows/filter", {})}</Command>
    </Page>
  );
}
