import { inArray, sql } from "drizzle-orm";
import type { TaskRunBulk, TaskRunBulkResult, TaskRunSetStateOutcome } from "../../protocol/task-runs";
import { ApiError } from "../errors";
import type { Db } from "./client";
import { setStateStatus } from "./run-set-state";
import { afterTransition, assertStateDataSize, decide, orchestrationResult, type RunStateRow } from "./run-state";
import { taskRuns } from "./schema";
import { createTaskRuns } from "./task-run-create";
import { setTaskRunState, taskRunStateColumns, taskRunStateWrite } from "./task-runs";

type Proposal = TaskRunBulk["set_state"][number];
type Pending = { index: number; proposal: Proposal; write: ReturnType<typeof taskRunStateWrite> };

const failure = (p: Proposal, status: number, detail: string): TaskRunSetStateOutcome => ({
  task_run_id: p.task_run_id,
  status,
  detail,
  result: null,
});

/**
 * Many proposals in one read and one batch of conditional updates. Proposals for the same run apply
 * in the order sent, each against the state the previous one leaves (RUNNING then COMPLETED in one
 * request). Each update is conditional (see run-state.ts); one that finds the run changed by someone
 * else falls back to the one-by-one path, which re-reads and orchestrates again.
 */
async function setTaskRunStates(db: Db, proposals: Proposal[]): Promise<{ items: TaskRunSetStateOutcome[]; rows_written: number }> {
  const items: TaskRunSetStateOutcome[] = new Array(proposals.length);
  if (!proposals.length) return { items, rows_written: 0 };
  const ids = [...new Set(proposals.map((p) => p.task_run_id))];
  const rows = await db
    .select(taskRunStateColumns)
    .from(taskRuns)
    .where(inArray(taskRuns.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`));
  const current = new Map<string, RunStateRow>(rows.map((r) => [r.id, r]));
  const pending: Pending[] = [];
  const now = new Date();
  proposals.forEach((proposal, index) => {
    const row = current.get(proposal.task_run_id);
    if (!row) return void (items[index] = failure(proposal, 404, `task run ${JSON.stringify(proposal.task_run_id)} not found`));
    try {
      assertStateDataSize(proposal.state, `body.set_state.${index}.state.data`);
    } catch (err) {
      if (err instanceof ApiError) return void (items[index] = failure(proposal, 422, err.detail));
      throw err;
    }
    const t = decide("task_run", row, proposal, now);
    const result = orchestrationResult(t, row);
    items[index] = { task_run_id: proposal.task_run_id, status: setStateStatus(result), detail: null, result };
    if (!t.state) return;
    pending.push({ index, proposal, write: taskRunStateWrite(db, row, t) });
    current.set(row.id, afterTransition(row, t));
  });
  if (!pending.length) return { items, rows_written: 0 };

  const results = await db.batch(pending.map((p) => p.write) as [Pending["write"], ...Pending["write"][]]);
  let rowsWritten = results.reduce((sum, r) => sum + r.meta.rows_written, 0);
  // From the first write that lost a race, every later proposal for that run was decided against a
  // state that never got stored: redo them one by one against what is stored.
  const lostAt = new Map<string, number>();
  pending.forEach((p, i) => {
    if (results[i]!.meta.changes === 0 && !lostAt.has(p.proposal.task_run_id)) lostAt.set(p.proposal.task_run_id, p.index);
  });
  for (const [index, proposal] of proposals.entries()) {
    const from = lostAt.get(proposal.task_run_id);
    if (from === undefined || index < from) continue;
    try {
      const { result, rows_written } = await setTaskRunState(db, proposal.task_run_id, proposal);
      rowsWritten += rows_written;
      items[index] = { task_run_id: proposal.task_run_id, status: setStateStatus(result), detail: null, result };
    } catch (err) {
      // Deleted meanwhile, or an oversized state: reported like any other bad item.
      if (!(err instanceof ApiError)) throw err;
      items[index] = failure(proposal, err.status, err.detail);
    }
  }
  return { items, rows_written: rowsWritten };
}

/** TaskRunBulk: creates first (so set_state may refer to runs created in the same request), then states. */
export async function applyTaskRunBulk(db: Db, bulk: TaskRunBulk): Promise<TaskRunBulkResult & { rows_written: number }> {
  const created = await createTaskRuns(db, bulk.create, (i) => `body.create.${i}`);
  const states = await setTaskRunStates(db, bulk.set_state);
  return { create: created.items, set_state: states.items, rows_written: created.rows_written + states.rows_written };
}
