import { curl } from "../api/curl";
import { Command } from "../components/Command";
import { Page } from "../components/Page";

export default function Runs() {
  return (
    <Page title="Runs">
      <p class="lead">
        Every flow run will be listed here, filterable by state, flow, deployment and time, and updated live. Opening
        a run will show its state timeline, task graph, logs and parameters, with retry and cancel.
      </p>
      <p>Until then, the API answers from a terminal: the newest runs, and a run's logs.</p>
      <Command>{curl("POST", "/flow_runs/filter", { limit: 20 })}</Command>
      <Command>{curl("POST", "/logs/filter", { logs: { flow_run_id: { any_: ["<run-id>"] } } })}</Command>
    </Page>
  );
}
