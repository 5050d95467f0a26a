import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function Runs() {
  return (
    <Page title="Runs">
      <p class="lead">
        Every flow run will be listed here, filterable by state, flow, deployment and time, and updated live. Opening
        a run will show its state timeline, task graph, logs and parameters, with retry and cancel.
      </p>
      <p>Until then, from a terminal:</p>
      <Command>npx baton flow-run ls</Command>
      <Command>npx baton flow-run logs &lt;run-id&gt; --follow</Command>
    </Page>
  );
}
