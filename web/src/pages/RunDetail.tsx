import { A, useParams } from "@solidjs/router";
import { createMemo, For, Match, Show, Suspense, Switch, type JSX } from "solid-js";
import type { FlowRun } from "../../../protocol/flow-runs";
import "../runs.css";
import { ErrorNote } from "../components/Feedback";
import { resultView, type ResultView } from "../components/result.data";
import { LiveIndicator } from "../components/LiveIndicator";
import { LogView } from "../components/LogView";
import { PoolNoticeNote, RunContextLine } from "../components/RunContext";
import { Page } from "../components/Page";
import { RunActions } from "../components/RunActions";
import { StateBadge } from "../components/StateBadge";
import { StateHistory } from "../components/StateHistory";
import { TaskGraph } from "../components/TaskGraph";
import { TaskRunsTable } from "../components/TaskRunsTable";
import { now, Time } from "../components/Time";
import { Timeline } from "../components/Timeline";
import { logSource, taskRunNames } from "./log-source";
import { runDurationText, workPoolHref } from "./run-context";
import { createRunContext, settled, type RunContext } from "./run-context.data";
import { createRunDetail } from "./run-detail.data";

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** Each part of the page waits for its own data, so the run's header shows as soon as the run has loaded. */
const Part = (props: { children: JSX.Element }) => <Suspense fallback={<p class="muted">Loading…</p>}>{props.children}</Suspense>;

function Summary(props: { run: FlowRun; context: RunContext }) {
  return (
    <dl class="facts">
      <dt>Expected start</dt>
      <dd><Time value={props.run.expected_start_time} /></dd>
      <dt>Started</dt>
      <dd><Time value={props.run.start_time} fallback="not yet" /></dd>
      <dt>Ended</dt>
      <dd><Time value={props.run.end_time} fallback="not yet" /></dd>
      <dt>Duration</dt>
      <dd>{runDurationText(props.run, Math.max(now(), Date.now()))}</dd>
      <dt>Attempts</dt>
      <dd>{props.run.run_count}</dd>
      <dt>Work pool</dt>
      <dd>
        <Show when={props.run.work_pool_name} fallback="none (run by a script)">
          {(name) => <A href={workPoolHref(props.context.pool())}>{name()}</A>}
        </Show>
      </dd>
      <Show when={props.run.tags.length}>
        <dt>Tags</dt>
        <dd>{props.run.tags.join(", ")}</dd>
      </Show>
    </dl>
  );
}

function Result(props: { view: ResultView }) {
  return (
    <Switch>
      <Match when={props.view.kind === "nothing" && props.view}>{(v) => <p class="muted">{v().text}</p>}</Match>
      <Match when={props.view.kind === "value" && props.view}>
        {(v) => (
          <>
            <p class="muted">A value of type {v().type}:</p>
            <pre class="command">{v().text}</pre>
          </>
        )}
      </Match>
      <Match when={props.view.kind === "error" && props.view}>
        {(v) => (
          <>
            <p class="text-danger">{v().title}</p>
            <Show when={v().text}>{(stack) => <pre class="command">{stack()}</pre>}</Show>
          </>
        )}
      </Match>
      <Match when={props.view.kind === "json" && props.view}>{(v) => <pre class="command">{v().text}</pre>}</Match>
    </Switch>
  );
}

function Detail(props: { id: string }) {
  const d = createRunDetail(props.id);
  const context = createRunContext(d.value.run);
  // Task names by id for the log lines; rebuilt when the task list changes, not per line.
  const names = createMemo(() => taskRunNames(settled(d.taskRuns)() ?? []));
  const refresh = () => {
    void d.refetchRun();
    void d.refetchStates();
  };
  return (
    // A failed resource throws when read, so each error is checked before the value.
    <Show
      when={!d.run.error}
      fallback={
        <Page title="Run not found">
          <ErrorNote error={d.run.error} retry={() => void d.refetchRun()} />
          <A href="/runs">Back to all runs</A>
        </Page>
      }
    >
    <Show when={d.value.run()}>
      {(run) => (
        <Page title={run().name}>
          <div class="page-bar">
            <Show when={run().state_type}>{(t) => <StateBadge type={t()} name={run().state_name ?? undefined} />}</Show>
            <Show when={run().state?.message}>{(m) => <span class="state-message">{m()}</span>}</Show>
            <LiveIndicator />
          </div>
          <RunContextLine run={run()} context={context} />
          <PoolNoticeNote run={run()} context={context} />
          <p class="muted">
            <A href="/runs">All runs</A>
            <Suspense>
              <Show when={d.value.parentRunId()}>
                {(parent) => <> · subflow of <A href={`/runs/${parent()}`}>its parent run</A></>}
              </Show>
            </Suspense>
          </p>
          <RunActions run={run()} onChanged={refresh} />
          <Summary run={run()} context={context} />

          <h2>State history</h2>
          <Part>
            <Show when={!d.states.error} fallback={<ErrorNote error={d.states.error} retry={() => void d.refetchStates()} />}>
              <Show when={d.value.states()}>{(states) => <StateHistory states={states()} />}</Show>
            </Show>
          </Part>

          <Show when={d.taskRuns.error} fallback={
            <Part>
              <h2>Task graph</h2>
              <TaskGraph taskRuns={d.value.taskRuns() ?? []} />
              <h2>Timeline</h2>
              <Timeline taskRuns={d.value.taskRuns() ?? []} />
              <h2>Task runs</h2>
              <TaskRunsTable taskRuns={d.value.taskRuns() ?? []} />
            </Part>
          }>
            {(e) => <><h2>Task runs</h2><ErrorNote error={e()} /></>}
          </Show>

          <Suspense>
          <Show when={d.value.subflows()?.length}>
            <h2>Subflow runs</h2>
            <ul class="plain-list">
              <For each={d.value.subflows()}>
                {(sub) => (
                  <li>
                    <Show when={sub.state_type}>{(t) => <StateBadge type={t()} name={sub.state_name ?? undefined} />}</Show>{" "}
                    <A href={`/runs/${sub.id}`}>{sub.name}</A>
                  </li>
                )}
              </For>
            </ul>
          </Show>
          </Suspense>

          <h2>Logs</h2>
          <LogView logs={d.logs} source={(line) => logSource(line, names(), run().name)} />

          <h2>Parameters</h2>
          <Show when={Object.keys(run().parameters).length} fallback={<p class="muted">No parameters.</p>}>
            <pre class="command">{json(run().parameters)}</pre>
          </Show>
          <h2>Result</h2>
          <Show when={run().state?.data != null} fallback={<p class="muted">No result summary recorded{run().state_type === "COMPLETED" ? "" : " yet"}.</p>}>
            <Result view={resultView(run().state?.data)} />
          </Show>
        </Page>
      )}
    </Show>
    </Show>
  );
}

export default function RunDetail() {
  const params = useParams<{ id: string }>();
  // Keyed on the id, so moving to another run (a subflow link) starts its data and subscription afresh.
  return <Show when={params.id} keyed>{(id) => <Detail id={id} />}</Show>;
}
