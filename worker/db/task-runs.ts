import { and, eq, getTableColumns, sql } from "drizzle-orm";
import type { TaskRun } from "../../protocol/task-runs";
import type { SetStateBody } from "../../protocol/states";
import { notFound } from "../errors";
import type { Db } from "./client";
import { setStateRaceSafe, type SetStateOutcome, type StateWrite } from "./run-set-state";
import { runStateColumns, stateUpdate, unchangedSince, type RunStateRow, type Transition } from "./run-state";
import { runStateView } from "./run-view";
import { logs, taskRuns, type StoredState } from "./schema";

const { state_history: _history, ...shown } = getTableColumns(taskRuns);
export const taskRunColumns = shown;
type TaskRunRow = { [K in keyof typeof shown]: (typeof taskRuns.$inferSelect)[K] };

export function toTaskRun(row: TaskRunRow, now: Date): TaskRun {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    flow_run_id: row.flow_run_id,
    task_key: row.task_key,
    dynamic_key: row.dynamic_key,
    cache_key: row.cache_key,
    cache_expiration: row.cache_expiration,
    task_inputs: row.task_inputs,
    tags: row.tags,
    ...runStateView(row, now),
  };
}

export async function getTaskRun(db: Db, id: string, now = new Date()): Promise<TaskRun | undefined> {
  const row = await db.select(taskRunColumns).from(taskRuns).where(eq(taskRuns.id, id)).get();
  return row && toTaskRun(row, now);
}

export async function getTaskRunStates(db: Db, id: string): Promise<StoredState[] | undefined> {
  const row = await db.select({ history: taskRuns.state_history }).from(taskRuns).where(eq(taskRuns.id, id)).get();
  return row?.history;
}

/** Deletes the task run and its log lines (found through the flow run, the logs' key prefix). */
export async function deleteTaskRun(db: Db, id: string): Promise<boolean> {
  const flowRunOf = sql`(SELECT ${taskRuns.flow_run_id} FROM ${taskRuns} WHERE ${taskRuns.id} = ${id})`;
  const [, deleted] = await db.batch([
    db.delete(logs).where(and(eq(logs.flow_run_id, flowRunOf), eq(logs.task_run_id, id))),
    db.delete(taskRuns).where(eq(taskRuns.id, id)).returning({ id: taskRuns.id }),
  ]);
  return deleted.length > 0;
}

export const taskRunStateColumns = runStateColumns(taskRuns);

export function readTaskRunState(db: Db, id: string): Promise<RunStateRow | undefined> {
  return db.select(taskRunStateColumns).from(taskRuns).where(eq(taskRuns.id, id)).get();
}

/** The conditional UPDATE of set_state, as a statement (a batch item) or run on its own. */
export const taskRunStateWrite = (db: Db, row: RunStateRow, t: Transition) =>
  db.update(taskRuns).set(stateUpdate(taskRuns, row, t)).where(unchangedSince(taskRuns, row));

export function setTaskRunState(db: Db, id: string, body: SetStateBody): Promise<SetStateOutcome> {
  return setStateRaceSafe({
    kind: "task_run",
    propose: () => body,
    read: () => readTaskRunState(db, id),
    write: async (row, t): Promise<StateWrite> => {
      const res = await taskRunStateWrite(db, row, t).run();
      return { changed: res.meta.changes > 0, rows_written: res.meta.rows_written };
    },
    notFound: () => notFound("task run", id),
  });
}
