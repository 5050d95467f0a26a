import { useSearchParams } from "@solidjs/router";
import { createMemo, Show } from "solid-js";
import "../runs.css";
import { curl } from "../api/curl";
import { Command } from "../components/Command";
import { Empty, ErrorNote } from "../components/Feedback";
import { LiveIndicator } from "../components/LiveIndicator";
import { Page } from "../components/Page";
import { RunsFilters } from "../components/RunsFilters";
import { RunsTable } from "../components/RunsTable";
import { formatCount } from "../format";
import { createCatalog, createRunsList } from "./runs.data";
import { filtersFromParams, hasFilters, paramsFromFilters } from "./runs-filter";

export default function Runs() {
  const [params, setParams] = useSearchParams();
  const filters = createMemo(() => filtersFromParams(params), undefined, {
    equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  });
  const catalog = createCatalog();
  const list = createRunsList(filters);

  return (
    <Page title="Runs">
      <div class="page-bar">
        <p class="muted" aria-live="polite">
          <Show when={list.loaded()} fallback="Loading runs…">
            {formatCount(list.total())} {list.total() === 1 ? "run" : "runs"}
            {hasFilters(filters()) ? " match" : ""}, newest first
          </Show>
        </p>
        <LiveIndicator />
      </div>
      <RunsFilters
        value={filters()}
        flows={catalog.flows() ?? []}
        deployments={catalog.deployments() ?? []}
        onChange={(next) => setParams(paramsFromFilters(next), { replace: true })}
      />
      <Show when={list.error()}>
        {(error) => <ErrorNote error={error()} retry={list.retry} />}
      </Show>
      <Show when={list.loaded() && list.total() === 0}>
        <Show
          when={hasFilters(filters())}
          fallback={
            <Empty title="No flow runs yet">
              <p>Run a flow script, or trigger a deployment's run from Deployments or a terminal:</p>
              <Command>npx tsx examples/hello.ts</Command>
              <Command>{curl("POST", "/deployments/<deployment-id>/create_flow_run", {})}</Command>
            </Empty>
          }
        >
          <Empty title="No runs match these filters">
            <p>Widen the time range, or clear the filters.</p>
          </Empty>
        </Show>
      </Show>
      <Show when={list.total() > 0}>
        <RunsTable
          total={list.total()}
          row={list.row}
          onRange={list.ensure}
          flowName={(id) => catalog.flowNames().get(id)}
          deploymentName={(id) => catalog.deploymentNames().get(id)}
        />
      </Show>
    </Page>
  );
}
