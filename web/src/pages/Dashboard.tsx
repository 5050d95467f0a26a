import { A } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { STATE_TYPES } from "../../../protocol/states";
import type { FlowRun } from "../../../protocol/flow-runs";
import { api } from "../api/client";
import { RunsChart } from "../components/Chart";
import { Command } from "../components/Command";
import { Empty, Loaded } from "../components/Feedback";
import { Page } from "../components/Page";
import { StateBadge } from "../components/StateBadge";
import { Time } from "../components/Time";
import { bucketRuns, CHART_RUN_CAP, loadCounts, loadFailed, loadLate, loadRuns, PERIODS } from "./Dashboard.data";
import { loadFlowNames } from "./Flows.data";
import { loadPools, poolSummary } from "./WorkPools.data";

export default function Dashboard() {
  const [periodId, setPeriodId] = createSignal("24h");
  const period = () => PERIODS.find((p) => p.id === periodId()) ?? PERIODS[1]!;
  // One "now" per period choice, so every panel answers for the same window.
  const window = createMemo(() => {
    const until = Date.now();
    const since = until - period().seconds * 1000;
    return { until, since, iso: { since: new Date(since).toISOString(), until: new Date(until).toISOString() } };
  });
  const [counts, { refetch: refetchCounts }] = createResource(window, (w) => loadCounts(api, w.iso));
  const [runs, { refetch: refetchRuns }] = createResource(window, (w) => loadRuns(api, w.iso));
  const [late, { refetch: refetchLate }] = createResource(window, (w) => loadLate(api, w.until));
  const [failed, { refetch: refetchFailed }] = createResource(window, (w) => loadFailed(api, w.iso));
  const [pools, { refetch: refetchPools }] = createResource(() => loadPools(api));
  const [flowNames] = createResource(() => loadFlowNames(api));
  const total = () => (counts() ? Object.values(counts()!).reduce((a, b) => a + b, 0) : 0);

  return (
    <Page title="Dashboard">
      <label class="field field-inline">
        <span>Period</span>
        <select value={periodId()} onChange={(e) => setPeriodId(e.currentTarget.value)}>
          <For each={PERIODS}>{(p) => <option value={p.id}>{p.label}</option>}</For>
        </select>
      </label>

      <h2>Runs by state</h2>
      <Loaded resource={counts} retry={refetchCounts}>
        {(c) => (
          <Show when={total() > 0} fallback={<NoRuns />}>
            <ul class="stat-grid" aria-label="Run counts by state">
              <For each={STATE_TYPES.filter((t) => c[t] > 0)}>
                {(t) => (
                  <li class="stat" data-state={t}>
                    <span class="stat-value">{c[t]}</span>
                    <StateBadge type={t} />
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Loaded>

      <h2>Runs over time</h2>
      <Loaded resource={runs} retry={refetchRuns}>
        {(r) => (
          <>
            <RunsChart
              buckets={bucketRuns(r.runs, window().since, window().until, period().buckets)}
              types={STATE_TYPES}
              label={`Bar chart of ${r.runs.length} runs over the ${period().label.toLowerCase()}, by state`}
            />
            <Show when={r.capped}>
              <p class="muted">Only the latest {CHART_RUN_CAP} runs are drawn; choose a shorter period for all of them.</p>
            </Show>
          </>
        )}
      </Loaded>

      <div class="panels">
        <section>
          <h2>Late runs</h2>
          <Loaded resource={late} retry={refetchLate}>
            {(list) => <RunList runs={list} names={flowNames()} empty="No late runs: every scheduled run has been picked up in time." />}
          </Loaded>
        </section>
        <section>
          <h2>Recently failed</h2>
          <Loaded resource={failed} retry={refetchFailed}>
            {(list) => <RunList runs={list} names={flowNames()} empty="No failed or crashed runs in this period." />}
          </Loaded>
        </section>
      </div>

      <h2>Work pools</h2>
      <Loaded resource={pools} retry={refetchPools}>
        {(list) => (
          <Show
            when={list.length > 0}
            fallback={<p class="muted">No work pools. Deploy a flow with <code>--create-pool</code> or create one on the Work pools page.</p>}
          >
            <ul class="run-list">
              <For each={list}>
                {(h) => (
                  <li>
                    <A href="/work-pools">{h.pool.name}</A>
                    <span class="pill" data-tone={poolSummary(h).tone}>
                      {poolSummary(h).text}
                    </span>
                    <span class="muted">{h.waiting} waiting</span>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Loaded>
    </Page>
  );
}

function RunList(props: { runs: FlowRun[]; names: Map<string, string> | undefined; empty: string }) {
  return (
    <Show when={props.runs.length > 0} fallback={<p class="muted">{props.empty}</p>}>
      <ul class="run-list">
        <For each={props.runs}>
          {(run) => (
            <li>
              <A href={`/runs/${run.id}`}>{run.name}</A>
              <span class="muted">{props.names?.get(run.flow_id) ?? ""}</span>
              <Show when={run.state_type}>{(t) => <StateBadge type={t()} name={run.state_name ?? undefined} />}</Show>
              <Time value={run.end_time ?? run.expected_start_time} />
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

function NoRuns() {
  return (
    <Empty title="No runs in this period">
      <p>Run a flow against this server and it shows up here:</p>
      <Command>{`BATON_API_URL=${location.origin}/api npx tsx examples/hello.ts`}</Command>
    </Empty>
  );
}
