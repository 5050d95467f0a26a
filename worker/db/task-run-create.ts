import { getTableColumns, inArray, sql } from "drizzle-orm";
import { isTerminal, TERMINAL_STATE_TYPES } from "../../protocol/states";
import type { TaskRunCreate, TaskRunCreateOutcome } from "../../protocol/task-runs";
import { ApiError } from "../errors";
import { utcTime } from "../orchestration";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { afterTransition, assertStateDataSize, decide, initialStateValues, type RunStateRow } from "./run-state";
import { flowRuns, taskRuns } from "./schema";
import { taskRunColumns, toTaskRun } from "./task-runs";

/*
 * Task runs are created in bulk (the SDK batches them), so rows travel as one JSON parameter that
 * SQLite unpacks with json_each: a single INSERT per ~512 KB of rows, instead of one per three rows
 * under D1's limit of 100 bound parameters. A task created directly in its final state (already
 * COMPLETED, with the time it started) is that one insert and nothing else.
 */
type Inserted = typeof taskRuns.$inferInsert;

const MAX_CHUNK_BYTES = 512 * 1024;
const COLUMNS = Object.entries(getTableColumns(taskRuns));

/** Inserts the rows of one JSON array, skipping any whose id or (flow run, task key, dynamic key) exists. */
const insertChunk = (db: Db, payload: string) => {
  const values = sql.raw(COLUMNS.map(([, c]) => `value ->> '$.${c.name}'`).join(", "));
  // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to the SELECT.
  return db
    .insert(taskRuns)
    .select(sql`SELECT ${values} FROM json_each(${payload}) WHERE true`)
    .onConflictDoNothing();
};

/** One row as json_each reads it: keyed by column name, values as the driver would bind them. */
function driverRow(values: Inserted): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of COLUMNS) {
    const value = values[key as keyof typeof values];
    row[column.name] = value == null ? null : column.mapToDriverValue(value);
  }
  return row;
}

function chunks(rows: Record<string, unknown>[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (current.length && size + json.length > MAX_CHUNK_BYTES) {
      out.push(`[${current.join(",")}]`);
      current = [];
      size = 0;
    }
    current.push(json);
    size += json.length + 1;
  }
  if (current.length) out.push(`[${current.join(",")}]`);
  return out;
}

const failure = (status: number, detail: string): TaskRunCreateOutcome => ({ status, detail, task_run: null });
const keyOf = (r: { flow_run_id: string; task_key: string; dynamic_key: string }) =>
  JSON.stringify([r.flow_run_id, r.task_key, r.dynamic_key]);

type Planned = { index: number; stateId: string; values: Inserted };
type Proposal = NonNullable<TaskRunCreate["state"]>;
type StateColumns = Omit<ReturnType<typeof initialStateValues>, "run_count"> & { run_count: number; total_run_time: number };

/** The state columns of a run created in `proposal`, or why the rules refuse it. */
function firstState(proposal: Proposal, path: string, now: Date): { stateId: string; columns: StateColumns } | TaskRunCreateOutcome {
  const t = decide("task_run", null, { state: proposal, force: false }, now);
  if (!t.state) return failure(422, `invalid ${path}.state: ${t.decision.reason}`);
  return { stateId: t.state.id, columns: { ...initialStateValues(t), total_run_time: 0 } };
}

/**
 * A run created already finished that says when it started: the columns that RUNNING at `start` and then
 * `proposal` would have left (same rules, both in the history), computed here so they cost one insert.
 */
function startedThenFinished(
  start: string,
  proposal: Proposal,
  policy: TaskRunCreate["empirical_policy"],
  path: string,
  now: Date,
): { stateId: string; columns: StateColumns } | TaskRunCreateOutcome {
  if (!isTerminal(proposal.type)) {
    return failure(422, `invalid ${path}.start_time: only a task run created in a final state (${TERMINAL_STATE_TYPES.join(", ")}) takes a start_time`);
  }
  const running = decide("task_run", null, { state: { type: "RUNNING", timestamp: start, state_details: {} }, force: false }, now);
  if (!running.state) return failure(422, `invalid ${path}.start_time: ${running.decision.reason}`);
  const first = initialStateValues(running);
  const { state_history: _h, start_time: _s, end_time: _e, ...current } = first;
  const row: RunStateRow = { id: "", ...current, total_run_time: 0, empirical_policy: policy };
  const end = decide("task_run", row, { state: proposal, force: false }, now);
  if (!end.state) return failure(422, `invalid ${path}.state: ${end.decision.reason}`);
  if (Date.parse(end.state.timestamp) < Date.parse(running.state.timestamp)) {
    return failure(422, `invalid ${path}.start_time: ${running.state.timestamp} is after the state's timestamp ${end.state.timestamp}`);
  }
  const after = afterTransition(row, end);
  const last = initialStateValues(end);
  return {
    stateId: end.state.id,
    columns: {
      ...last,
      state_history: [...first.state_history, ...last.state_history],
      run_count: after.run_count,
      expected_start_time: after.expected_start_time ?? first.expected_start_time,
      start_time: first.start_time,
      total_run_time: after.total_run_time,
    },
  };
}

/** The row to insert for one create, or why it cannot be created (422: a state the rules refuse). */
function plan(input: TaskRunCreate, path: string, now: Date): Omit<Planned, "index"> | TaskRunCreateOutcome {
  const proposal: Proposal = input.state ?? { type: "PENDING", state_details: {} };
  try {
    assertStateDataSize(proposal, `${path}.state.data`);
  } catch (err) {
    if (err instanceof ApiError) return failure(422, err.detail);
    throw err;
  }
  const { state: _state, start_time, id, task_inputs, cache_expiration, ...fields } = input;
  const states = start_time ? startedThenFinished(start_time, proposal, fields.empirical_policy, path, now) : firstState(proposal, path, now);
  if (!("columns" in states)) return states;
  const stamp = isoNow(now);
  const values = {
    ...fields,
    // schema.ts types every input with an id; parameters and constants have none (see protocol).
    task_inputs,
    cache_expiration: cache_expiration && utcTime(cache_expiration),
    id: id ?? newId(),
    created: stamp,
    updated: stamp,
    ...states.columns,
  };
  return { stateId: states.stateId, values };
}

/** Task runs by (flow run, task key, dynamic key), through the unique index of those columns. */
export const taskRunsByKey = (db: Db, keys: [string, string, string][]) =>
  db
    .select(taskRunColumns)
    .from(taskRuns)
    .where(
      sql`(${taskRuns.flow_run_id}, ${taskRuns.task_key}, ${taskRuns.dynamic_key}) IN (SELECT value ->> '$[0]', value ->> '$[1]', value ->> '$[2]' FROM json_each(${JSON.stringify(keys)}))`,
    );

/** Inserts what is new and reads every planned run back by its key, in one batch. */
async function store(db: Db, planned: Planned[], items: TaskRunCreateOutcome[], now: Date): Promise<number> {
  const readBack = taskRunsByKey(db, planned.map((p) => [p.values.flow_run_id, p.values.task_key, p.values.dynamic_key]));
  const inserts = chunks(planned.map((p) => driverRow(p.values))).map((payload) => insertChunk(db, payload));
  const results = await db.batch([...inserts, readBack] as [(typeof inserts)[number], ...(typeof inserts)[number][], typeof readBack]);
  const rows = results.pop() as Awaited<typeof readBack>;
  const byKey = new Map(rows.map((r) => [keyOf(r), r]));
  for (const p of planned) {
    const row = byKey.get(keyOf(p.values));
    items[p.index] = row
      ? { status: row.state_id === p.stateId ? 201 : 200, detail: null, task_run: toTaskRun(row, now) }
      : failure(409, `task run id ${JSON.stringify(p.values.id)} is already used by another task run`);
  }
  return (results as D1Result[]).reduce((sum, r) => sum + r.meta.rows_written, 0);
}

/**
 * Creates task runs, each idempotent by (flow run, task key, dynamic key): a repeat answers the run
 * that exists (status 200). Items are independent: one that fails is reported and the others apply.
 */
export async function createTaskRuns(
  db: Db,
  inputs: TaskRunCreate[],
  pathOf: (index: number) => string,
  now = new Date(),
): Promise<{ items: TaskRunCreateOutcome[]; rows_written: number }> {
  const items: TaskRunCreateOutcome[] = new Array(inputs.length);
  const planned: Planned[] = [];
  inputs.forEach((input, index) => {
    const p = plan(input, pathOf(index), now);
    if ("values" in p) planned.push({ index, ...p });
    else items[index] = p;
  });
  const flowRunIds = [...new Set(planned.map((p) => p.values.flow_run_id))];
  const known = flowRunIds.length
    ? await db
        .select({ id: flowRuns.id })
        .from(flowRuns)
        .where(inArray(flowRuns.id, sql`(SELECT value FROM json_each(${JSON.stringify(flowRunIds)}))`))
    : [];
  const knownIds = new Set(known.map((r) => r.id));
  const creatable = planned.filter((p) => {
    if (knownIds.has(p.values.flow_run_id)) return true;
    items[p.index] = failure(404, `flow run ${JSON.stringify(p.values.flow_run_id)} not found`);
    return false;
  });
  const rowsWritten = creatable.length ? await store(db, creatable, items, now) : 0;
  return { items, rows_written: rowsWritten };
}
