import { sql, type SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Catchup, ScheduleDefinition } from "../../protocol/schedules";
import type { Db } from "./client";
import { deployments, deploymentSchedules as s, flowRuns } from "./schema";

/*
 * The scheduler's reads and writes (worker/scheduler/tick.ts). Writes are conditional on the
 * bookkeeping the tick read (fill_generation and scheduled_until): a schedule changed, paused,
 * deleted or filled by another tick meanwhile gets nothing from this one, so ticks may overlap.
 */

/** A schedule due for a refill, with what its runs take from the deployment. */
export interface DueSchedule {
  id: string;
  deployment_id: string;
  schedule: ScheduleDefinition;
  catchup: Catchup;
  max_scheduled_runs: number | null;
  parameters: Record<string, unknown>;
  scheduled_until: string | null;
  refill_at: string;
  fill_generation: number;
  work_pool_id: string | null;
  deployment_parameters: Record<string, unknown>;
  tags: string[];
  retries: number;
  retry_delay_seconds: number;
  /** Runs of the schedule for slots after now, whatever their state. */
  queued: number;
}

export type QueueCursor = Pick<DueSchedule, "refill_at" | "id">;

const parse = <T>(text: unknown): T => JSON.parse(text as string) as T;

/**
 * The next `limit` schedules due at `now` (active, deployment not paused), in the order they became
 * due, after `cursor`. Walks deployment_schedules_refill; the queued count reads the idempotency index,
 * where the scheduler's keys of one schedule sort by slot.
 */
export function dueSchedulesQuery(now: string, limit: number, cursor?: QueueCursor, deploymentIds?: readonly string[]): SQL {
  const keyPrefix = sql`'scheduled:' || ${s.deployment_id} || ':' || ${s.id} || ':'`;
  // ';' is the character after ':', so this bounds every key with the prefix.
  const pastKeys = sql`'scheduled:' || ${s.deployment_id} || ':' || ${s.id} || ';'`;
  return sql`
    SELECT ${s.id}, ${s.deployment_id}, ${s.schedule}, ${s.catchup}, ${s.max_scheduled_runs}, ${s.parameters},
      ${s.scheduled_until}, ${s.refill_at}, ${s.fill_generation}, ${deployments.work_pool_id},
      ${deployments.parameters} AS deployment_parameters, ${deployments.tags}, ${deployments.retries}, ${deployments.retry_delay_seconds},
      (SELECT count(*) FROM ${flowRuns} WHERE ${flowRuns.flow_id} = ${deployments.flow_id}
        AND ${flowRuns.idempotency_key} > ${keyPrefix} || ${now}
        AND ${flowRuns.idempotency_key} < ${pastKeys}) AS queued
    FROM ${s} INNER JOIN ${deployments} ON ${deployments.id} = ${s.deployment_id}
    WHERE ${s.active} = 1 AND ${s.refill_at} <= ${now} AND ${deployments.paused} = 0
      ${cursor ? sql`AND (${s.refill_at}, ${s.id}) > (${cursor.refill_at}, ${cursor.id})` : sql``}
      ${deploymentIds ? sql`AND ${s.deployment_id} IN (SELECT value FROM json_each(${JSON.stringify(deploymentIds)}))` : sql``}
    ORDER BY ${s.refill_at}, ${s.id}
    LIMIT ${limit}`;
}

export async function dueSchedules(db: Db, ...args: Parameters<typeof dueSchedulesQuery>): Promise<DueSchedule[]> {
  const rows = await db.all<Record<string, unknown>>(dueSchedulesQuery(...args));
  return rows.map((r) => ({
    ...(r as unknown as DueSchedule),
    schedule: parse(r.schedule),
    parameters: parse(r.parameters),
    deployment_parameters: parse(r.deployment_parameters),
    tags: parse(r.tags),
  }));
}

/** The bookkeeping a tick read (`was_*`) and what it sets, for one schedule. */
export interface FillUpdate {
  id: string;
  fill_generation: number;
  was_until: string | null;
  scheduled_until: string | null;
  refill_at: string;
}

/** A run to insert for a schedule: the flow_runs columns but those taken from its deployment at write time. */
export type FillRun = Omit<typeof flowRuns.$inferInsert, "flow_id" | "deployment_id" | "work_pool_id"> & { schedule: FillUpdate };

// D1 refuses statements over 100 KB of SQL and strings over 2 MB: rows go as one JSON parameter, chunked.
const MAX_JSON_BYTES = 1_000_000;

function chunks<T>(items: T[], encode: (item: T) => unknown): string[] {
  const out: string[] = [];
  let part: string[] = [];
  let size = 2;
  for (const item of items) {
    const json = JSON.stringify(encode(item));
    if (part.length > 0 && size + json.length + 1 > MAX_JSON_BYTES) {
      out.push(`[${part.join(",")}]`);
      part = [];
      size = 2;
    }
    part.push(json);
    size += json.length + 1;
  }
  if (part.length > 0) out.push(`[${part.join(",")}]`);
  return out;
}

const dialect = new SQLiteSyncDialect();

const RUN_COLUMNS = [
  "id", "created", "updated", "name", "parameters", "idempotency_key", "auto_scheduled", "tags", "empirical_policy",
  "state_id", "state_type", "state_name", "state_timestamp", "state_message", "state_details", "state_data",
  "state_history", "run_count", "expected_start_time", "start_time", "end_time",
] as const;
// state_data stays a JSON value: the scheduler's states carry none, and null must stay NULL.
const JSON_COLUMNS = new Set<string>(["parameters", "tags", "empirical_policy", "state_details", "state_history"]);

/** The schedule still has the bookkeeping the tick read. */
const unchanged = (generation: SQL, until: SQL) => sql`${s.fill_generation} = ${generation} AND ${s.scheduled_until} IS ${until}`;

/**
 * Statements that insert the runs and move the bookkeeping, for one batch with the inserts first (they
 * check the bookkeeping that the moves change). Insert-or-ignore on the idempotency key; flow, deployment
 * and pool are read from the deployment as it is then, so a run never points at a deleted row (the
 * insert finds no deployment and inserts nothing).
 */
export function fillStatements(d1: D1Database, runs: FillRun[], updates: FillUpdate[]): { inserts: D1PreparedStatement[]; moves: D1PreparedStatement[] } {
  // Raw D1 statements: drizzle's batch takes query builders only.
  const prepare = (query: SQL) => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return d1.prepare(text).bind(...params);
  };
  // A run goes as an array, its JSON columns as JSON text: SQLite reads both faster than objects
  // (~15% of the insert). First the schedule's id and bookkeeping as read, then RUN_COLUMNS in order.
  const encode = ({ schedule, ...run }: FillRun) => [
    schedule.id,
    schedule.fill_generation,
    schedule.was_until,
    ...RUN_COLUMNS.map((c) => (JSON_COLUMNS.has(c) ? JSON.stringify(run[c]) : (run[c] ?? null))),
  ];
  const names = sql.raw(["flow_id", "deployment_id", "work_pool_id", ...RUN_COLUMNS].join(", "));
  const values = sql.raw(RUN_COLUMNS.map((_, i) => `r.value ->> ${i + 3}`).join(", "));
  const inserts = chunks(runs, encode).map((json) =>
    prepare(sql`
      INSERT OR IGNORE INTO ${flowRuns} (${names})
      SELECT ${deployments.flow_id}, ${deployments.id}, ${deployments.work_pool_id}, ${values}
      FROM json_each(${json}) AS r
        INNER JOIN ${s} ON ${s.id} = r.value ->> 0 AND ${unchanged(sql`r.value ->> 1`, sql`r.value ->> 2`)}
        INNER JOIN ${deployments} ON ${deployments.id} = ${s.deployment_id}`),
  );
  const moves = chunks(updates, (x) => x).map((json) =>
    prepare(sql`
      UPDATE ${s} SET scheduled_until = u.value ->> '$.scheduled_until', refill_at = u.value ->> '$.refill_at'
      FROM json_each(${json}) AS u
      WHERE ${s.id} = u.value ->> '$.id' AND ${unchanged(sql`u.value ->> '$.fill_generation'`, sql`u.value ->> '$.was_until'`)}`),
  );
  return { inserts, moves };
}
