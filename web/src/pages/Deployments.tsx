import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function Deployments() {
  return (
    <Page title="Deployments">
      <p class="lead">
        Deployments will be listed here: run one with a form built from its parameters, edit its schedules, pause and
        resume it.
      </p>
      <p>Until then, from a terminal:</p>
      <Command>npx baton deploy</Command>
      <Command>npx baton deployment ls</Command>
      <Command>npx baton deployment schedule create hello-flow/my_first_deployment --interval 60</Command>
    </Page>
  );
}
