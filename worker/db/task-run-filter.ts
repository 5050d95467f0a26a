import { and, asc, desc, sql, type SQL } from "drizzle-orm";
import type { TaskRun, TaskRunCount, TaskRunFilter } from "../../protocol/task-runs";
import type { Db } from "./client";
import { stateNameIn, stateTypeIn } from "./run-filters";
import { taskRuns } from "./schema";
import { inValues, tagsContainAll } from "./sql";
import { taskRunColumns, toTaskRun } from "./task-runs";

// Listing one flow run's task runs uses the prefix of task_runs_flow_run_key.
function taskRunConditions(f: TaskRunCount, now: Date): SQL[] {
  const r = f.task_runs;
  const where: SQL[] = [];
  if (r?.id?.any_) where.push(inValues(taskRuns.id, r.id.any_));
  if (r?.name?.any_) where.push(inValues(taskRuns.name, r.name.any_));
  if (r?.state?.type?.any_) where.push(stateTypeIn(taskRuns, r.state.type.any_));
  if (r?.state?.name?.any_) where.push(stateNameIn(taskRuns, r.state.name.any_, now));
  if (r?.tags?.all_?.length) where.push(tagsContainAll(taskRuns.tags, r.tags.all_));
  if (f.flow_runs?.id?.any_) where.push(inValues(taskRuns.flow_run_id, f.flow_runs.id.any_));
  return where;
}

const SORTS = {
  EXPECTED_START_TIME_ASC: [asc(taskRuns.expected_start_time), asc(taskRuns.id)],
  EXPECTED_START_TIME_DESC: [desc(taskRuns.expected_start_time), desc(taskRuns.id)],
  END_TIME_DESC: [desc(taskRuns.end_time), desc(taskRuns.id)],
  NAME_ASC: [asc(taskRuns.name), asc(taskRuns.id)],
} as const;

export async function filterTaskRuns(db: Db, f: TaskRunFilter, now = new Date()): Promise<TaskRun[]> {
  const rows = await db
    .select(taskRunColumns)
    .from(taskRuns)
    .where(and(...taskRunConditions(f, now)))
    .orderBy(...SORTS[f.sort])
    .limit(f.limit)
    .offset(f.offset);
  return rows.map((row) => toTaskRun(row, now));
}

export async function countTaskRuns(db: Db, f: TaskRunCount, now = new Date()): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(taskRuns)
    .where(and(...taskRunConditions(f, now)))
    .get();
  return row?.n ?? 0;
}
