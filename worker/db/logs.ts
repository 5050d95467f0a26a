import { and, asc, desc, eq, getTableColumns, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { Log, LogBatch, LogFilter } from "../../protocol/logs";
import { utcTime } from "../orchestration";
import type { Db } from "./client";
import { isoNow, newLogId } from "./ids";
import { flowRuns, logs } from "./schema";

/** D1 binds at most 100 parameters per statement and a log row takes one per column. */
const LOGS_PER_INSERT = Math.floor(100 / Object.keys(getTableColumns(logs)).length);


/** The ids among `flowRunIds` that name no flow run: one query and one bound parameter, whatever their number. */
export async function missingFlowRuns(db: Db, flowRunIds: readonly string[]): Promise<string[]> {
  const rows = await db.all<{ id: string }>(
    sql`select value as id from json_each(${JSON.stringify(flowRunIds)}) where not exists (select 1 from ${flowRuns} where ${flowRuns.id} = value)`,
  );
  return rows.map((r) => r.id);
}

/**
 * Stores the batch all-or-nothing (one D1 batch of chunked multi-row inserts). A line already stored (same
 * run, time and id) is skipped, so a resent batch duplicates nothing. Answers the rows D1 actually wrote.
 */
export async function insertLogs(db: Db, lines: LogBatch): Promise<number> {
  const created = isoNow();
  // The primary key orders lines by time, so every time is in the one text form that sorts. Ids made here
  // are made in the batch's order and sort in it, so lines of one instant read back as they were sent.
  const rows = lines.map((l) => ({ ...l, id: l.id ?? newLogId(), created, timestamp: utcTime(l.timestamp) }));
  const inserts = [];
  for (let i = 0; i < rows.length; i += LOGS_PER_INSERT) {
    inserts.push(db.insert(logs).values(rows.slice(i, i + LOGS_PER_INSERT)).onConflictDoNothing());
  }
  const [first, ...rest] = inserts;
  if (!first) return 0;
  const results = await db.batch([first, ...rest]);
  return results.reduce((sum, r) => sum + r.meta.rows_written, 0);
}

/** The filter as a query, kept apart so tests can check its plan. */
export function logsQuery(db: Db, f: LogFilter) {
  const c = f.logs;
  const where: SQL[] = [];
  const runs = c?.flow_run_id?.any_;
  // Equality on one run lets SQLite walk the primary key in (timestamp, id) order, without sorting.
  if (runs) where.push(runs.length === 1 ? eq(logs.flow_run_id, runs[0]!) : inArray(logs.flow_run_id, runs));
  if (c?.task_run_id?.any_) where.push(inArray(logs.task_run_id, c.task_run_id.any_));
  if (c?.level?.ge_ !== undefined) where.push(gte(logs.level, c.level.ge_));
  if (c?.level?.le_ !== undefined) where.push(lte(logs.level, c.level.le_));
  if (c?.timestamp?.after_) where.push(gte(logs.timestamp, utcTime(c.timestamp.after_)));
  if (c?.timestamp?.before_) where.push(lte(logs.timestamp, utcTime(c.timestamp.before_)));
  const order = f.sort === "TIMESTAMP_DESC" ? desc : asc;
  return db
    .select()
    .from(logs)
    .where(and(...where))
    .orderBy(order(logs.timestamp), order(logs.id))
    .limit(f.limit)
    .offset(f.offset);
}

export async function filterLogs(db: Db, f: LogFilter): Promise<Log[]> {
  return logsQuery(db, f);
}
