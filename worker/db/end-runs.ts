import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { DEFAULT_STATE_NAMES, TERMINAL_STATE_TYPES, type StateType } from "../../protocol/states";
import type { Db } from "./client";
import { isoNow } from "./ids";
import { MAX_HISTORY_STATES } from "./run-state";
import type { StoredState } from "./schema";

/*
 * Ends many runs at once in one statement, for what the server decides on its own about runs nobody
 * will report on again (the task runs of a flow run that ended, the waiting runs of a deleted
 * deployment). Each run gets its own state, as set_state would store it: a fresh id in both the current
 * state and the history entry, end_time, the time spent RUNNING added to the run time. A D1 statement
 * (not a drizzle query): drizzle's batch cannot bind the parameters of raw SQL, and these go in batches.
 */

/** Runs of alias `alias` not in a final state (a run without a state counts as open). */
export const openOver = (alias: string) =>
  sql`(${sql.raw(alias)}.state_type IS NULL OR ${sql.raw(alias)}.state_type NOT IN (${sql.raw(TERMINAL_STATE_TYPES.map((s) => `'${s}'`).join(", "))}))`;
/** Runs not in a final state, for a WHERE over alias `t`. */
export const OPEN = openOver("t");

/** A run the statement ended; a task run also names its flow run (one statement may end several flow runs' task runs). */
export type EndedRow = { id: string; state_id: string; state_timestamp: string; state_message: string; flow_run_id?: string };
export type EndedRun = { id: string; state: StoredState };

export type EndRuns = {
  table: "flow_runs" | "task_runs";
  /** Which runs, over alias `t`. */
  where: SQL;
  type: StateType;
  /** The state's message, an SQL text expression over alias `t` (its state before this one). */
  message: SQL;
  /** When they end; never before a run's own last state (its end would precede its start). */
  at: string;
};

/** A random version 4 UUID, made by SQLite. */
const UUID = sql`lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
  substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/**
 * The UPDATE that ends the runs, answering those it ended. The id is made once per run in a
 * materialized CTE, so the current state and its history entry name the same one. The UPDATE sets no
 * indexed column but state_type (in the partial flow_runs_pool_due, for a SCHEDULED flow run): a run
 * costs one row write, and no row matching costs none.
 */
export function endRuns(db: Db, spec: EndRuns): D1PreparedStatement {
  const table = sql.raw(spec.table);
  const name = DEFAULT_STATE_NAMES[spec.type];
  const h = sql`${table}.state_history`;
  const entry = sql`json_object('id', e.new_state_id, 'type', ${spec.type}, 'name', ${name}, 'timestamp', e.at, 'message', e.message, 'state_details', json('{}'))`;
  const query = db.all(sql`
    WITH e AS MATERIALIZED (
      SELECT t.id, ${UUID} AS new_state_id, max(${spec.at}, coalesce(t.state_timestamp, '')) AS at, ${spec.message} AS message,
        CASE WHEN t.state_type = 'RUNNING' THEN t.state_timestamp END AS running_since
      FROM ${table} t WHERE ${spec.where}
    )
    UPDATE ${table} SET
      state_id = e.new_state_id, state_type = ${spec.type}, state_name = ${name}, state_timestamp = e.at,
      state_message = e.message, state_details = '{}', state_data = NULL, updated = ${isoNow()},
      state_history = json_insert(CASE WHEN json_array_length(${h}) >= ${MAX_HISTORY_STATES} THEN json_remove(${h}, '$[0]') ELSE ${h} END, '$[#]', ${entry}),
      end_time = e.at,
      total_run_time_ms = total_run_time_ms + coalesce(max(0, CAST(round((julianday(e.at) - julianday(e.running_since)) * 86400000) AS INTEGER)), 0)
    FROM e WHERE ${table}.id = e.id
    RETURNING ${table}.id AS id, ${table}.state_id AS state_id, ${table}.state_timestamp AS state_timestamp, ${table}.state_message AS state_message
      ${spec.table === "task_runs" ? sql`, task_runs.flow_run_id AS flow_run_id` : sql``}`).getQuery();
  return db.$client.prepare(query.sql).bind(...query.params);
}

/** A drizzle query as a D1 statement, to share a `db.$client` batch with `endRuns`. */
export function d1Statement(db: Db, query: SQLWrapper): D1PreparedStatement {
  const { sql: text, params } = db.all(query).getQuery();
  return db.$client.prepare(text).bind(...params);
}

/** The returned rows as the states the runs now hold. */
export function endedRuns(rows: EndedRow[], type: StateType): EndedRun[] {
  return rows.map((r) => ({
    id: r.id,
    state: { id: r.state_id, type, name: DEFAULT_STATE_NAMES[type], timestamp: r.state_timestamp, message: r.state_message, state_details: {}, data: null },
  }));
}
