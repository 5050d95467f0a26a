import type { EventCreate } from "../../protocol/events";
import type { Env } from "../env";
import type { StreamEvent } from "../stream/events";
import { sendToHub } from "../stream/hub-client";
import { flowRunStateEvent, taskRunStateEvent, workerEvent, type StateChange } from "./baton-events";
import { emitEvents } from "./emit";
import { rememberTaskRunNames, runLabels } from "./run-labels";

/*
 * Baton's state events, from what the Worker already publishes to the live stream (worker/stream/
 * publish.ts): every flow-run and task-run state change and every worker going online or offline is
 * published there, by routes, pool objects and the scheduler alike, so hooking here misses none.
 */

type Changes = {
  flowRuns: StateChange[];
  taskRuns: (StateChange & { flow_run_id: string; name?: string })[];
  workers: Extract<StreamEvent["message"], { type: "worker" }>[];
};

type Stated = { id: string; state_type: string | null; state_name: string | null; timestamp: string };
const stated = (c: Stated): StateChange | null =>
  c.state_type && c.state_name ? { id: c.id, state_type: c.state_type, state_name: c.state_name, timestamp: c.timestamp } : null;

/** The state changes and worker status changes among stream messages (pure). */
export function changesOf(list: readonly StreamEvent[]): Changes {
  const changes: Changes = { flowRuns: [], taskRuns: [], workers: [] };
  for (const { message, planned } of list) {
    if (planned) continue;
    if (message.type === "flow_run") {
      const c = stated(message.flow_run);
      if (c) changes.flowRuns.push(c);
    } else if (message.type === "task_runs") {
      for (const t of message.task_runs) {
        const c = stated(t);
        if (c) changes.taskRuns.push({ ...c, flow_run_id: message.flow_run_id, ...(t.name ? { name: t.name } : {}) });
      }
    } else if (message.type === "worker") changes.workers.push(message);
  }
  return changes;
}

/** Whether task-run state events are stored too (they are evaluated and streamed either way). */
export const storesTaskRunEvents = (env: Pick<Env, "BATON_EVENTS_STORE_TASK_RUNS">) => env.BATON_EVENTS_STORE_TASK_RUNS?.trim().toLowerCase() === "true";

/**
 * Publishes stream messages with the events of their state changes: at most one D1 read for the events'
 * labels (run-labels.ts), one write to store them, then ONE hub call for messages and events alike (and the trigger engine's).
 * Never throws; when the events cannot be made, the messages still go out.
 */
export async function publishWithEvents(env: Env, list: readonly StreamEvent[]): Promise<void> {
  const changes = changesOf(list);
  if (changes.flowRuns.length + changes.taskRuns.length + changes.workers.length === 0) {
    await sendToHub(env, list).catch((e) => console.error("event stream: publish failed", e));
    return;
  }
  try {
    // Task runs created in this batch came with their names: no read for them, now or at their later changes.
    rememberTaskRunNames(changes.taskRuns.flatMap((c) => (c.name ? [[c.id, c.name] as const] : [])));
    const labels = await runLabels(env.DB, {
      flowRuns: [...changes.flowRuns.map((c) => c.id), ...changes.taskRuns.map((c) => c.flow_run_id)],
      taskRuns: changes.taskRuns.map((c) => c.id),
      pools: changes.workers.map((w) => w.work_pool_id),
    });
    const stored: EventCreate[] = [
      ...changes.flowRuns.map((c) => flowRunStateEvent(c, labels.flowRuns.get(c.id))),
      ...changes.workers.map((w) => workerEvent(w.status, w, labels.pools.get(w.work_pool_id))),
    ];
    const taskRunEvents = changes.taskRuns.map((c) =>
      taskRunStateEvent(c, { name: labels.taskRuns.get(c.id)?.name ?? null, flow_run_id: c.flow_run_id }, labels.flowRuns.get(c.flow_run_id)),
    );
    // emitEvents only throws before anything was handed on (reading or storing failed).
    if (storesTaskRunEvents(env)) await emitEvents(env, [...stored, ...taskRunEvents], { withStream: list });
    else await emitEvents(env, stored, { transient: taskRunEvents, withStream: list });
  } catch (e) {
    console.error("events: Baton's state events were not emitted", e);
    await sendToHub(env, list).catch((err) => console.error("event stream: publish failed", err));
  }
}
