import { A } from "@solidjs/router";
import { Show } from "solid-js";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { RunContext } from "../pages/run-context.data";
import { deploymentHref, flowRunsHref, poolNotice, workPoolHref } from "../pages/run-context";
import { Command } from "./Command";
import "./run-context.css";

/**
 * What a run belongs to, under its name as Prefect's run header has it: its flow (linked to that flow's
 * runs), its deployment and its work pool. Names show once loaded; a deleted deployment still says there was one.
 */
export function RunContextLine(props: { run: FlowRun; context: RunContext }) {
  return (
    <p class="run-context" aria-label="Run belongs to">
      <span>
        Flow{" "}
        <A href={flowRunsHref(props.run.flow_id)} title="This flow's runs">
          {props.context.flow()?.name ?? "…"}
        </A>
      </span>
      <Show when={props.run.deployment_id}>
        {(id) => (
          <span>
            Deployment{" "}
            <Show when={props.context.deployment()} fallback={<A href={deploymentHref(id())}>{props.context.deploymentGone() ? "(deleted)" : "…"}</A>}>
              {(d) => <A href={deploymentHref(d().id)}>{d().name}</A>}
            </Show>
          </span>
        )}
      </Show>
      <Show when={props.run.work_pool_name}>
        {(name) => (
          <span>
            Work pool <A href={workPoolHref(props.context.pool())}>{name()}</A>
          </span>
        )}
      </Show>
    </p>
  );
}

/** Says why a waiting run is not picked up when its pool is paused or has no worker online. */
export function PoolNoticeNote(props: { run: FlowRun; context: RunContext }) {
  return (
    <Show when={poolNotice(props.run, props.context.pool())}>
      {(n) => (
        <div class="note note-warn" role="status">
          {n().text}{" "}
          <Show when={n().fix.kind === "link"} fallback={<Command>{n().fix.text}</Command>}>
            <A href={workPoolHref(props.context.pool())}>{n().fix.text}</A>.
          </Show>
        </div>
      )}
    </Show>
  );
}
