import { and, asc, desc, eq, gte, inArray, lt, sql, type Column, type SQL } from "drizzle-orm";
import type { FlowRun, FlowRunCount, FlowRunFilter } from "../../protocol/flow-runs";
import type { Db } from "./client";
import { flowRunColumns, toFlowRun } from "./flow-runs";
import { anyOrNull, stateNameIn, stateTypeIn, timeRange } from "./run-filters";
import { flowRuns, flows, workPools } from "./schema";
import { containsText, inValues, tagsContainAll } from "./sql";

/*
 * Each common listing has an index (schema.ts): newest first (flow_runs_expected_start), one flow's
 * runs (flow_runs_flow), one deployment's (flow_runs_deployment), what a pool has scheduled
 * (flow_runs_pool_due). Related filters become `IN (SELECT id ...)` on the run's own columns so
 * SQLite can use those indexes; flow-runs.test.ts checks the plans.
 */
/**
 * `column` refers to a row of `table` with one of `names`. With one name it is an equality, so SQLite
 * can also read the run index in order instead of sorting.
 */
function idOfNamed(column: Column, table: typeof flows | typeof workPools, names: string[]): SQL {
  const ids = (where: SQL) => sql`(SELECT ${table.id} FROM ${table} WHERE ${where})`;
  return names.length === 1 ? eq(column, ids(eq(table.name, names[0]!))) : inArray(column, ids(inValues(table.name, names)));
}

/**
 * `column` starts with `prefix`, as a range, which an index on the column can serve (D1 refuses LIKE
 * patterns over 50 bytes, shorter than a scheduler's key). Text compares as UTF-8 bytes, in code point
 * order: the strings starting with the prefix are those from it up to its last code point's successor.
 */
export function startsWith(column: Column, prefix: string): SQL {
  const points = Array.from(prefix);
  const last = points.pop()!.codePointAt(0)!;
  // From U+D7FF on the next code point may be a surrogate or none at all: compare the start instead.
  if (last >= 0xd7ff) return sql`substr(${column}, 1, ${points.length + 1}) = ${prefix}`;
  return and(gte(column, prefix), lt(column, points.join("") + String.fromCodePoint(last + 1)))!;
}

function flowRunConditions(f: FlowRunCount, now: Date): SQL[] {
  const r = f.flow_runs;
  const where: SQL[] = [];
  if (r?.id?.any_) where.push(inValues(flowRuns.id, r.id.any_));
  if (r?.id?.startswith_) where.push(startsWith(flowRuns.id, r.id.startswith_));
  if (r?.name?.any_) where.push(inValues(flowRuns.name, r.name.any_));
  if (r?.name?.like_) where.push(containsText(flowRuns.name, r.name.like_));
  if (r?.state?.type?.any_) where.push(stateTypeIn(flowRuns, r.state.type.any_));
  if (r?.state?.name?.any_) where.push(stateNameIn(flowRuns, r.state.name.any_, now));
  if (r?.tags?.all_?.length) where.push(tagsContainAll(flowRuns.tags, r.tags.all_));
  where.push(...anyOrNull(flowRuns.deployment_id, r?.deployment_id));
  where.push(...anyOrNull(flowRuns.parent_task_run_id, r?.parent_task_run_id));
  if (r?.idempotency_key?.any_) where.push(inValues(flowRuns.idempotency_key, r.idempotency_key.any_));
  if (r?.idempotency_key?.startswith_) where.push(startsWith(flowRuns.idempotency_key, r.idempotency_key.startswith_));
  where.push(...timeRange(flowRuns.expected_start_time, r?.expected_start_time));
  where.push(...timeRange(flowRuns.start_time, r?.start_time));
  if (f.flows?.id?.any_) where.push(inValues(flowRuns.flow_id, f.flows.id.any_));
  if (f.flows?.name?.any_) where.push(idOfNamed(flowRuns.flow_id, flows, f.flows.name.any_));
  if (f.deployments?.id?.any_) where.push(inValues(flowRuns.deployment_id, f.deployments.id.any_));
  if (f.work_pools?.name?.any_) where.push(idOfNamed(flowRuns.work_pool_id, workPools, f.work_pools.name.any_));
  return where;
}

// Ties break on id, which every index of a WITHOUT ROWID table carries, so the order is stable
// across pages without a sort step.
const SORTS = {
  EXPECTED_START_TIME_DESC: [desc(flowRuns.expected_start_time), desc(flowRuns.id)],
  EXPECTED_START_TIME_ASC: [asc(flowRuns.expected_start_time), asc(flowRuns.id)],
  START_TIME_DESC: [desc(flowRuns.start_time), desc(flowRuns.id)],
  END_TIME_DESC: [desc(flowRuns.end_time), desc(flowRuns.id)],
  NAME_ASC: [asc(flowRuns.name), asc(flowRuns.id)],
  NAME_DESC: [desc(flowRuns.name), desc(flowRuns.id)],
} as const;

export function flowRunFilterQuery(db: Db, f: FlowRunFilter, now: Date) {
  return db
    .select(flowRunColumns)
    .from(flowRuns)
    .where(and(...flowRunConditions(f, now)))
    .orderBy(...SORTS[f.sort])
    .limit(f.limit)
    .offset(f.offset);
}

export async function filterFlowRuns(db: Db, f: FlowRunFilter, now = new Date()): Promise<FlowRun[]> {
  const rows = await flowRunFilterQuery(db, f, now);
  return rows.map((row) => toFlowRun(row, now));
}

export async function countFlowRuns(db: Db, f: FlowRunCount, now = new Date()): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(flowRuns)
    .where(and(...flowRunConditions(f, now)))
    .get();
  return row?.n ?? 0;
}
