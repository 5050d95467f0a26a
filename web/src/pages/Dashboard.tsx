import { For } from "solid-js";
import { STATE_TYPES } from "../../../protocol/states";
import { curl } from "../api/curl";
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
      <p>
        The server's API is up: it is Prefect-shaped JSON under <code>{apiUrl}</code>, described by its OpenAPI
        document. Flows and tasks in TypeScript, the CLI and workers build on it.
      </p>
      <ol class="steps">
        <li>
          Point clients at this server:
          <Command>{`export BATON_API_URL=${apiUrl}`}</Command>
        </li>
        <li>
          Read the API's description:
          <Command>{curl("GET", "/openapi.json")}</Command>
        </li>
        <li>
          Register a flow:
          <Command>{curl("POST", "/flows/", { name: "hello-flow" })}</Command>
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
