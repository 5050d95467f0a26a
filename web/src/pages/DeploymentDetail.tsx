import { A, useParams } from "@solidjs/router";
import { createResource, createSignal, For, Show } from "solid-js";
import type { DeploymentResponse } from "../../../protocol/deployments";
import type { FlowRun } from "../../../protocol/flow-runs";
import { api } from "../api/client";
import { Command } from "../components/Command";
import { errorText, Loaded } from "../components/Feedback";
import { Page } from "../components/Page";
import { ParamsForm } from "../components/ParamsForm";
import { SchedulesPanel } from "../components/SchedulesPanel";
import { StateBadge } from "../components/StateBadge";
import { TriggersPanel } from "../components/TriggersPanel";
import { Time } from "../components/Time";
import { useLive } from "../live";
import { coalesce } from "../live/coalesce";
import { concernsDeploymentRuns, loadDeployment, loadDeploymentRuns, runCommand, runDeployment, setDeploymentPaused } from "./Deployments.data";

export default function DeploymentDetail() {
  const params = useParams<{ id: string }>();
  const [deployment, { refetch }] = createResource(() => params.id, (id) => loadDeployment(api, id));
  const [runs, { refetch: refetchRuns }] = createResource(() => params.id, (id) => loadDeploymentRuns(api, id));
  const reloadRuns = coalesce(() => void refetchRuns(), 300);
  // Runs appear, move and (a schedule deleted) disappear: the lists follow the stream, and reload after
  // every change made here, since deleted runs are not announced.
  useLive(
    ["flow_runs"],
    (m) => {
      if (concernsDeploymentRuns(m, params.id, runs.error ? undefined : runs.latest)) reloadRuns();
    },
    reloadRuns,
  );
  // Pausing the deployment or a schedule, or changing one, also adds or removes upcoming runs.
  const changed = () => {
    void refetch();
    reloadRuns();
  };
  return (
    <Loaded resource={deployment} retry={refetch}>
      {(d) => (
        <Page title={`${d.flow_name}/${d.name}`}>
          <Summary deployment={d} changed={changed} />
          <RunSection deployment={d} started={reloadRuns} />
          <SchedulesPanel deployment={d} changed={changed} />
          <TriggersPanel triggers={d.triggers} />
          <Loaded resource={runs} retry={refetchRuns}>
            {(lists) => (
              <>
                <section aria-labelledby="upcoming-heading">
                  <h2 id="upcoming-heading">Upcoming runs</h2>
                  <RunList
                    runs={lists.upcoming}
                    empty={
                      d.schedules.some((s) => s.active)
                        ? "No run is waiting: the next ones are created shortly."
                        : d.triggers.some((t) => t.enabled)
                          ? "No run is waiting: a trigger starts one when its events arrive, or use “Run now”."
                          : "No run is waiting. Add a schedule, or use “Run now”."
                    }
                  />
                </section>
                <section aria-labelledby="recent-heading">
                  <h2 id="recent-heading">Recent runs</h2>
                  <RunList runs={lists.recent} empty="No run has started yet: use “Run now” above." />
                </section>
              </>
            )}
          </Loaded>
        </Page>
      )}
    </Loaded>
  );
}

function Summary(props: { deployment: DeploymentResponse; changed: () => void }) {
  const [error, setError] = createSignal<string>();
  const toggle = async () => {
    setError(undefined);
    try {
      await setDeploymentPaused(api, props.deployment.id, !props.deployment.paused);
      props.changed();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <>
      <Show when={props.deployment.description}>
        <p class="lead">{props.deployment.description}</p>
      </Show>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class="pill" data-tone={props.deployment.paused ? "muted" : "ok"}>
            {props.deployment.paused ? "Paused: no runs are created" : "Active"}
          </span>{" "}
          <button type="button" onClick={toggle}>
            {props.deployment.paused ? "Resume" : "Pause"}
          </button>
        </dd>
        <dt>Work pool</dt>
        <dd>{props.deployment.work_pool_name ? <A href="/work-pools">{props.deployment.work_pool_name}</A> : "none"}</dd>
        <dt>Entrypoint</dt>
        <dd>
          <code>{props.deployment.entrypoint ?? "–"}</code>
        </dd>
        <dt>Tags</dt>
        <dd>{props.deployment.tags.join(", ") || "–"}</dd>
        <dt>Updated</dt>
        <dd>
          <Time value={props.deployment.updated} />
        </dd>
      </dl>
      <Show when={error()}>
        <p class="note note-error" role="alert">
          {error()}
        </p>
      </Show>
    </>
  );
}

function RunSection(props: { deployment: DeploymentResponse; started: () => void }) {
  const [created, setCreated] = createSignal<FlowRun>();
  return (
    <section aria-labelledby="run-heading">
      <h2 id="run-heading">Run</h2>
      <Show
        when={!props.deployment.paused}
        fallback={<p class="muted">Resume the deployment to run it.</p>}
      >
        <ParamsForm
          schema={props.deployment.parameter_openapi_schema}
          defaults={props.deployment.parameters}
          submitLabel="Run now"
          onSubmit={async (parameters) => {
            setCreated(await runDeployment(api, props.deployment.id, { parameters }));
            props.started();
          }}
        />
        <Show when={created()}>
          {(run) => (
            <p class="note note-ok" role="status">
              Created run <A href={`/runs/${run().id}`}>{run().name}</A>. A worker of pool{" "}
              {props.deployment.work_pool_name ?? "(none)"} picks it up.
            </p>
          )}
        </Show>
        <p class="muted">From a shell:</p>
        <Command>{runCommand(props.deployment)}</Command>
      </Show>
    </section>
  );
}

function RunList(props: { runs: FlowRun[]; empty: string }) {
  return (
    <Show when={props.runs.length > 0} fallback={<p class="muted">{props.empty}</p>}>
      <ul class="run-list">
        <For each={props.runs}>
          {(run) => (
            <li>
              <A href={`/runs/${run.id}`}>{run.name}</A>
              <Show when={run.state_type}>{(t) => <StateBadge type={t()} name={run.state_name ?? undefined} />}</Show>
              <Time value={run.start_time ?? run.expected_start_time} />
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
