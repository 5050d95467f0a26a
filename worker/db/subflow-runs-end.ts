import { sql, type SQL } from "drizzle-orm";
import type { StateType } from "../../protocol/states";
import type { Db } from "./client";
import { endedRuns, endRuns, OPEN, openOver, type EndedRow, type EndedRun } from "./end-runs";
import type { StoredState } from "./schema";
import { taskRunEnding } from "./task-runs-end";

/*
 * A flow run that ends takes its unfinished subflow runs with it, at any depth, and their open task
 * runs. The SDK runs a subflow in its parent's process (sdk/src/runtime/flow-call.ts callSubflow): a
 * cancelled or crashed parent's process was killed or lost, so nobody would ever report their end.
 *
 * - CANCELLED parent: its open subflow runs end CANCELLED, their open task runs CANCELLED.
 * - CRASHED, FAILED or COMPLETED parent: they end CRASHED, their open task runs CRASHED.
 * The message names the parent ("the parent flow run brave-fox was cancelled while this subflow run was
 * running"); deeper down, the parent is the subflow run that ended with it.
 *
 * A subflow run is a flow run whose parent_task_run_id is a task run of the parent (its stand-in). Only
 * runs of the parent's process are followed: a run of a deployment started by a task (run_deployment)
 * runs elsewhere, held by its pool, and is not ended here (nor are its own subflows).
 *
 * Two statements in the flow run's batch, after its UPDATE: first the subflows' task runs, then the
 * subflow runs (the first finds them while they are still open). Both find the subflows with a
 * recursive walk, task runs by flow run (task_runs_flow_run_key) and then flow runs by stand-in
 * (flow_runs_parent, which holds subflow runs only), and only while the flow run holds its new state,
 * so the whole batch is all or nothing. A flow run without open subflows pays no row write. The rules
 * refuse a late report from the killed process: RUNNING after CANCELLED (ABORT), anything after CRASHED.
 */

/** What the open subflow runs of a flow run entering `flowRunState` become, or null when it does not end. */
export function subflowRunEnding(flowRunState: StateType): { type: StateType; parentWas: string } | null {
  // The same rule as for the flow run's own task runs: Cancelled with a cancelled parent, else Crashed.
  const ending = taskRunEnding(flowRunState);
  if (!ending) return null;
  return { type: ending.type, parentWas: flowRunState === "CANCELLED" ? "was cancelled" : `ended ${flowRunState}` };
}

/** A subflow run ended with its parent, and its task runs that ended with it: what the live stream is told. */
export type EndedSubflowRun = EndedRun & { task_runs: EndedRun[] };

/** Flow runs of alias `f` that run in their parent's process and have not finished. */
const openInProcess = (f: string) => sql`${sql.raw(f)}.work_pool_id IS NULL AND ${sql.raw(f)}.deployment_id IS NULL AND ${openOver(f)}`;

/** The ids of the open subflow runs of `flowRunId` at any depth, once (and only if) it holds `state`. */
function openSubflowIds(flowRunId: string, state: StoredState): SQL {
  return sql`WITH RECURSIVE sub(id) AS (
      SELECT f.id FROM task_runs s JOIN flow_runs f ON f.parent_task_run_id = s.id
      WHERE s.flow_run_id = ${flowRunId} AND ${openInProcess("f")}
        AND EXISTS (SELECT 1 FROM flow_runs p WHERE p.id = ${flowRunId} AND p.state_id = ${state.id})
      UNION
      SELECT f.id FROM sub JOIN task_runs s ON s.flow_run_id = sub.id JOIN flow_runs f ON f.parent_task_run_id = s.id
      WHERE ${openInProcess("f")}
    ) SELECT id FROM sub`;
}

/**
 * The statements that end the open subflow runs of `flowRunId` entering `state`, and their open task
 * runs, in this order (each answers the runs it ended).
 */
export function endOpenSubflowRuns(db: Db, flowRunId: string, state: StoredState): [tasks: D1PreparedStatement, subflows: D1PreparedStatement] {
  const top = subflowRunEnding(state.type)!;
  const sub = subflowRunEnding(top.type)!;
  const task = taskRunEnding(top.type)!;
  const ids = openSubflowIds(flowRunId, state);
  const tasks = endRuns(db, {
    table: "task_runs",
    where: sql`t.flow_run_id IN (${ids}) AND ${OPEN}`,
    type: task.type,
    message: sql`${task.because} || ' while this task run was ' || lower(coalesce(t.state_type, 'without a state'))`,
    at: state.timestamp,
  });
  // The parent of a subflow run is the flow run of its stand-in task run: the run ending now, or
  // (deeper) a subflow run ending with it, whose new state is not stored yet when this is worked out.
  const parentWas = sql`CASE WHEN p.id = ${flowRunId} THEN ${top.parentWas} ELSE ${sub.parentWas} END`;
  const subflows = endRuns(db, {
    table: "flow_runs",
    where: sql`t.id IN (${ids})`,
    type: top.type,
    message: sql`(SELECT 'the parent flow run ' || p.name || ' ' || ${parentWas} || ' while this subflow run was ' || lower(coalesce(t.state_type, 'without a state'))
      FROM task_runs s JOIN flow_runs p ON p.id = s.flow_run_id WHERE s.id = t.parent_task_run_id)`,
    at: state.timestamp,
  });
  return [tasks, subflows];
}

/** The subflow runs the statements ended, each with its task runs that ended. */
export function endedSubflowRuns(taskRows: EndedRow[], subflowRows: EndedRow[], state: StoredState): EndedSubflowRun[] {
  const top = subflowRunEnding(state.type)!;
  const tasks = endedRuns(taskRows, taskRunEnding(top.type)!.type);
  return endedRuns(subflowRows, top.type).map((run) => ({
    ...run,
    task_runs: tasks.filter((_, i) => taskRows[i]!.flow_run_id === run.id),
  }));
}
