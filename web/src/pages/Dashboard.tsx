import { For } from "solid-js";
import { STATE_TYPES } from "../../../protocol/states";
import { Command } from "../components/Command";
import { Page } from "../components/Page";
import { StateBadge } from "../components/StateBadge";

export default function Dashboard() {
  const apiUrl = `${location.origin}/api`;
  return (
    <Page title="Dashboard">
      <p class="lead">
        An overview of this server will live here: run counts by state, run durations and states over time, late
        runs and failing deployments.
      </p>

      <h2>Get started</h2>
      <ol class="steps">
        <li>
          Point the CLI and workers at this server:
          <Command>{`export BATON_API_URL=${apiUrl}`}</Command>
        </li>
        <li>
          Run a flow; every run is recorded:
          <Command>npx tsx flows/hello.ts</Command>
        </li>
        <li>
          Turn it into a deployment:
          <Command>npx baton deploy</Command>
        </li>
        <li>
          Start a worker for its work pool:
          <Command>npx baton worker start</Command>
        </li>
        <li>
          Trigger a run:
          <Command>npx baton deployment run hello-flow/my_first_deployment --param name=Ada</Command>
        </li>
      </ol>

      <h2>Run states</h2>
      <ul class="state-legend" aria-label="Run states and their colours">
        <For each={STATE_TYPES}>
          {(type) => (
            <li>
              <StateBadge type={type} />
            </li>
          )}
        </For>
      </ul>
    </Page>
  );
}
