import type { Context } from "hono";
import { inArray, sql } from "drizzle-orm";
import type { TaskRunCreateOutcome, TaskRunSetStateOutcome } from "../../protocol/task-runs";
import type { Db } from "../db/client";
import { taskRuns } from "../db/schema";
import type { Env } from "../env";
import { publishWithEvents } from "../events/from-stream";
import type { AppEnv } from "../types";
import { taskRunChanges, type StreamEvent, type TaskRunChange } from "./events";

/*
 * How the rest of the Worker tells the dashboard's live stream what changed. Best effort and never
 * awaited by an API call: the page reloads over REST after a reconnect, so a lost event costs a stale
 * badge until then, never wrong data.
 */

export { hubStub } from "./hub-client";

type Events = StreamEvent[] | Promise<StreamEvent[]>;

/**
 * Sends events to the hub, with Baton's own events for the state changes among them (stored, and
 * handed to the trigger engine: worker/events/from-stream.ts); never throws (a failed publish is
 * logged, the caller's work stands).
 */
export async function publish(env: Env, events: Events): Promise<void> {
  let list: StreamEvent[];
  try {
    list = await events;
  } catch (e) {
    console.error("event stream: publish failed", e);
    return;
  }
  await publishWithEvents(env, list);
}

/** From a route: publishes after the answer went out. */
export function streamLater(c: Context<AppEnv>, events: Events): void {
  c.executionCtx.waitUntil(publish(c.env, events));
}

/**
 * A bulk request's task run changes (creates and accepted states), one message per flow run. The
 * flow runs of state changes are read here, in the background: the results do not name them.
 */
export async function taskRunEvents(db: Db, outcomes: { create: TaskRunCreateOutcome[]; set_state: Pick<TaskRunSetStateOutcome, "task_run_id" | "result">[] }): Promise<StreamEvent[]> {
  const created = outcomes.create.flatMap((o) => (o.status === 201 && o.task_run ? [o.task_run] : []));
  const changes: TaskRunChange[] = created.map((t) => ({ flow_run_id: t.flow_run_id, id: t.id, run: t, created: true }));
  const accepted = outcomes.set_state.filter((o) => o.result?.status === "ACCEPT" && o.result.state);
  const flowRunOf = new Map([...created.map((t) => [t.id, t.flow_run_id] as const), ...(await flowRunsOf(db, accepted.map((o) => o.task_run_id)))]);
  for (const { task_run_id, result } of accepted) {
    const flow_run_id = flowRunOf.get(task_run_id);
    const s = result!.state!;
    if (flow_run_id) changes.push({ flow_run_id, id: task_run_id, run: { state_type: s.type, state_name: s.name, state: s } });
  }
  return taskRunChanges(changes);
}

async function flowRunsOf(db: Db, taskRunIds: string[]): Promise<[string, string][]> {
  if (taskRunIds.length === 0) return [];
  const ids = JSON.stringify([...new Set(taskRunIds)]);
  const rows = await db
    .select({ id: taskRuns.id, flow_run_id: taskRuns.flow_run_id })
    .from(taskRuns)
    .where(inArray(taskRuns.id, sql`(SELECT value FROM json_each(${ids}))`));
  return rows.map((r) => [r.id, r.flow_run_id]);
}
