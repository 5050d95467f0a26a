import type { Event } from "../../protocol/events";
import type { StreamServerMessage } from "../../protocol/events-stream";
import type { FlowRun } from "../../protocol/flow-runs";
import type { LogBatch } from "../../protocol/logs";
import type { State } from "../../protocol/states";

/*
 * What publishers hand the hub: a message and the topics it goes to. Built here, from what each call
 * site already has in hand, so that publishing never costs a route a read.
 */

export type StreamEvent = {
  topics: string[];
  message: StreamServerMessage;
  /**
   * A run the scheduler created ahead of its time: shown live, but not a stored or triggering event
   * (worker/events/from-stream.ts). A tick creates thousands at once; storing an event for each doubled
   * the tick's time, and the run's later changes (Pending, Running, …) are events as usual.
   */
  planned?: true;
};
type RunChange = Extract<StreamServerMessage, { type: "flow_run" }>["flow_run"];
type Stated = { name?: string; state_type: string | null; state_name: string | null; state: { timestamp: string } | null };

const change = (id: string, run: Stated, created?: boolean): RunChange => ({
  id,
  ...(created ? { created: true } : {}),
  ...(created && run.name ? { name: run.name } : {}),
  state_type: run.state_type,
  state_name: run.state_name,
  timestamp: run.state?.timestamp ?? new Date().toISOString(),
});

const flowRunTopics = (id: string) => ["flow_runs", `flow_run:${id}`];

/** A flow run was created: the whole run, so a list can show the row without a read. */
export function flowRunCreated(run: FlowRun): StreamEvent[] {
  return [{ topics: flowRunTopics(run.id), message: { type: "flow_run", flow_run: change(run.id, run, true), flow_run_full: run } }];
}

/** Runs the scheduler inserted (it has their state, not the view GET answers). */
export function scheduledRunsCreated(runs: { id?: string; state_type?: string | null; state_name?: string | null; state_timestamp?: string | null }[]): StreamEvent[] {
  return runs.flatMap((r) =>
    r.id ? [{ planned: true as const, topics: flowRunTopics(r.id), message: { type: "flow_run" as const, flow_run: { id: r.id, created: true, state_type: r.state_type ?? null, state_name: r.state_name ?? null, timestamp: r.state_timestamp ?? new Date().toISOString() } } }] : [],
  );
}

/** A flow run's state moved (a null state, or a proposal that was not accepted, publishes nothing). */
export function flowRunState(id: string, state: Pick<State, "type" | "name" | "timestamp"> | null | undefined): StreamEvent[] {
  if (!state) return [];
  return [{ topics: flowRunTopics(id), message: { type: "flow_run", flow_run: { id, state_type: state.type, state_name: state.name, timestamp: state.timestamp } } }];
}

/** Task runs that ended with their flow run (worker/db/task-runs-end.ts), as any task run state change. */
export function taskRunsEnded(flowRunId: string, ended: readonly { id: string; state: State }[]): StreamEvent[] {
  return taskRunChanges(ended.map((t) => ({ flow_run_id: flowRunId, id: t.id, run: { state_type: t.state.type, state_name: t.state.name, state: t.state } })));
}

type Ended = { id: string; state: State };
type FlowRunOutcome = {
  result: { status: string; state: State | null };
  ended_task_runs: readonly Ended[];
  ended_subflow_runs: readonly (Ended & { task_runs: readonly Ended[] })[];
};

/**
 * An accepted set_state of a flow run: its new state, and the task runs and subflow runs (with their
 * task runs) that ended with it (worker/db/subflow-runs-end.ts).
 */
export function flowRunOutcome(id: string, outcome: FlowRunOutcome): StreamEvent[] {
  if (outcome.result.status !== "ACCEPT") return [];
  const subflows = outcome.ended_subflow_runs.flatMap((s) => [...taskRunsEnded(s.id, s.task_runs), ...flowRunState(s.id, s.state)]);
  return [...taskRunsEnded(id, outcome.ended_task_runs), ...subflows, ...flowRunState(id, outcome.result.state)];
}

/** A state change the pool made on its own authority (setRunStateAsPool's outcome). */
export function poolStateChange(id: string, outcome: FlowRunOutcome | string): StreamEvent[] {
  return typeof outcome === "object" ? flowRunOutcome(id, outcome) : [];
}

/** Claimed runs: the pool moved them to PENDING. */
export function flowRunsClaimed(runs: { flow_run: FlowRun }[]): StreamEvent[] {
  return runs.flatMap(({ flow_run }) => [{ topics: flowRunTopics(flow_run.id), message: { type: "flow_run" as const, flow_run: change(flow_run.id, flow_run) } }]);
}

/** Task run changes, one message per flow run (a bulk request usually touches one). */
export type TaskRunChange = { flow_run_id: string; id: string; run: Stated; created?: boolean };

export function taskRunChanges(changes: TaskRunChange[]): StreamEvent[] {
  const byFlowRun = new Map<string, RunChange[]>();
  for (const c of changes) {
    const list = byFlowRun.get(c.flow_run_id) ?? [];
    list.push(change(c.id, c.run, c.created));
    byFlowRun.set(c.flow_run_id, list);
  }
  return [...byFlowRun].map(([flow_run_id, task_runs]) => ({ topics: [`flow_run:${flow_run_id}`], message: { type: "task_runs", flow_run_id, task_runs } }));
}

/** Log lines stored: a count per flow run; the page reads the lines themselves over REST. */
export function logsStored(lines: LogBatch): StreamEvent[] {
  const byFlowRun = new Map<string, { count: number; latest: string }>();
  for (const l of lines) {
    const seen = byFlowRun.get(l.flow_run_id) ?? { count: 0, latest: "" };
    const at = String(l.timestamp ?? "");
    byFlowRun.set(l.flow_run_id, { count: seen.count + 1, latest: at > seen.latest ? at : seen.latest });
  }
  return [...byFlowRun].map(([flow_run_id, { count, latest }]) => ({
    topics: [`flow_run:${flow_run_id}`],
    message: { type: "logs", flow_run_id, count, latest: latest || new Date().toISOString() },
  }));
}

export function workerStatus(work_pool_id: string | null, worker_id: string, name: string, status: "ONLINE" | "OFFLINE"): StreamEvent[] {
  if (!work_pool_id) return [];
  return [{ topics: ["workers"], message: { type: "worker", work_pool_id, worker_id, name, status } }];
}

/** Events emitted (worker/events/emit.ts): one message each, to the `events` topic. */
export function eventsEmitted(events: readonly Event[]): StreamEvent[] {
  return events.map((event) => ({ topics: ["events"], message: { type: "event", event } }));
}
