import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { jsonBytes } from "../../protocol/common";
import type { OrchestrationResult, SetStateBody, State, StateCreate, StateType } from "../../protocol/states";
import { ApiError } from "../errors";
import { orchestrate, type Decision, type RunKind } from "../orchestration";
import { isoNow, newId } from "./ids";
import type { flowRuns, StoredState, taskRuns } from "./schema";

/*
 * What flow runs and task runs share about states: the columns set_state reads, the decision of
 * worker/orchestration turned into the state to store, and the INSERT values or conditional UPDATE
 * that store it. run-set-state.ts runs the read-decide-write loop.
 */

type RunTable = typeof flowRuns | typeof taskRuns;
type RunInsert = typeof taskRuns.$inferInsert;

/** What set_state reads of a run: current state and bookkeeping, never the (possibly long) history. */
export type RunStateRow = {
  id: string;
  state_id: string | null;
  state_type: string | null;
  state_name: string | null;
  state_timestamp: string | null;
  state_message: string | null;
  state_details: Record<string, unknown>;
  state_data: unknown;
  run_count: number;
  expected_start_time: string | null;
  total_run_time: number;
  empirical_policy: RunInsert["empirical_policy"] & {};
};

export const runStateColumns = (t: RunTable) => ({
  id: t.id,
  state_id: t.state_id,
  state_type: t.state_type,
  state_name: t.state_name,
  state_timestamp: t.state_timestamp,
  state_message: t.state_message,
  state_details: t.state_details,
  state_data: t.state_data,
  run_count: t.run_count,
  expected_start_time: t.expected_start_time,
  total_run_time: t.total_run_time,
  empirical_policy: t.empirical_policy,
});

/** Results and errors belong in logs and storage; a state carries a summary only. */
export const MAX_STATE_DATA_BYTES = 64 * 1024;

export function assertStateDataSize(state: StateCreate, path = "body.state.data"): void {
  if (state.data == null) return;
  const bytes = jsonBytes(state.data);
  if (bytes > MAX_STATE_DATA_BYTES) {
    const message = `is ${bytes} bytes of JSON; at most ${MAX_STATE_DATA_BYTES} are stored with a state`;
    throw new ApiError(422, `invalid ${path}: ${message}`, [{ path, message }]);
  }
}

/** The run's current state as the API shows it, or null for a run without one. */
export function currentState(row: Omit<RunStateRow, "empirical_policy" | "run_count" | "expected_start_time" | "total_run_time" | "id">): State | null {
  if (!row.state_id || !row.state_type) return null;
  return {
    id: row.state_id,
    type: row.state_type as StateType,
    name: row.state_name ?? row.state_type,
    timestamp: row.state_timestamp ?? "",
    message: row.state_message,
    state_details: row.state_details,
    data: row.state_data ?? null,
  };
}

/** An orchestration decision, with the state to store (id given) when it is an ACCEPT. */
export type Transition = { decision: Decision; state: StoredState | null };

export function decide(kind: RunKind, row: RunStateRow | null, body: SetStateBody, now: Date): Transition {
  const policy = row?.empirical_policy ?? { retries: 0, retry_delay: 0 };
  const decision = orchestrate({
    kind,
    current: row ? currentState(row) : null,
    proposed: body.state,
    force: body.force,
    now,
    run: {
      run_count: row?.run_count ?? 0,
      retries: policy.retries,
      retry_delay_seconds: policy.retry_delay,
      retry_jitter_factor: policy.retry_jitter_factor ?? null,
      expected_start_time: row?.expected_start_time ?? null,
    },
  });
  if (decision.status !== "ACCEPT" || !decision.state) return { decision, state: null };
  // The lease token proves who holds the run; it is checked, never stored or shown back.
  const { lease_token: _token, ...details } = decision.state.state_details;
  return { decision, state: { ...decision.state, id: newId(), state_details: details } };
}

/** When the run becomes due after this state; a SCHEDULED state moves it (a retry, a reschedule). */
function expectedStartAfter(t: Transition): string | undefined {
  const scheduled = t.state?.type === "SCHEDULED" ? t.state.state_details.scheduled_time : undefined;
  return t.decision.expected_start_time ?? (typeof scheduled === "string" ? scheduled : undefined);
}

const currentColumns = (s: StoredState) => ({
  state_id: s.id,
  state_type: s.type,
  state_name: s.name,
  state_timestamp: s.timestamp,
  state_message: s.message,
  state_details: s.state_details,
  state_data: s.data ?? null,
});

/**
 * What the history keeps of a state: everything but its data, which only the current state carries
 * (up to MAX_STATE_DATA_BYTES each, a long history of them would outgrow D1's row size limit).
 */
const historyEntry = ({ data: _data, ...rest }: StoredState): StoredState => rest;

/** State columns of a run created in the accepted state `t` (the history holds just that state). */
export function initialStateValues(t: Transition) {
  const s = t.state!;
  return {
    ...currentColumns(s),
    state_history: [historyEntry(s)],
    run_count: t.decision.run_count_increment,
    expected_start_time: expectedStartAfter(t) ?? s.timestamp,
    start_time: t.decision.sets_start_time ? s.timestamp : null,
    end_time: t.decision.sets_end_time ? s.timestamp : null,
  } satisfies Partial<RunInsert>;
}

type StateSet = { [K in keyof RunInsert]?: RunInsert[K] | SQL };

/** The run's state columns once `t` is stored: what the UPDATE of `stateUpdate` leaves behind. */
export function afterTransition<R extends RunStateRow>(row: R, t: Transition): R {
  const s = t.state!;
  const leftRunning = row.state_type === "RUNNING" && s.type !== "RUNNING" && row.state_timestamp;
  return {
    ...row,
    ...currentColumns(s),
    run_count: row.run_count + t.decision.run_count_increment,
    total_run_time: leftRunning
      ? row.total_run_time + Math.max(0, Date.parse(s.timestamp) - Date.parse(row.state_timestamp!))
      : row.total_run_time,
    expected_start_time: expectedStartAfter(t) ?? row.expected_start_time,
  };
}

/**
 * How many states a run's history keeps. A run that is rescheduled or paused again and again would
 * otherwise grow its row past D1's size limit; the oldest entries go first (the current state and the
 * run's times are kept in their own columns).
 */
export const MAX_HISTORY_STATES = 200;

function appendToHistory(table: RunTable, entry: StoredState): SQL {
  const h = table.state_history;
  const json = JSON.stringify(entry);
  return sql`json_insert(CASE WHEN json_array_length(${h}) >= ${MAX_HISTORY_STATES} THEN json_remove(${h}, '$[0]') ELSE ${h} END, '$[#]', json(${json}))`;
}

/**
 * The SET that stores accepted state `t` on `row`. Indexed columns are only named when they change:
 * D1 bills an index entry for every indexed column an UPDATE sets, even to the value it had.
 */
export function stateUpdate(table: RunTable, row: RunStateRow, t: Transition): StateSet {
  const s = t.state!;
  const next = afterTransition(row, t);
  const set: StateSet = {
    ...currentColumns(s),
    updated: isoNow(),
    state_history: appendToHistory(table, historyEntry(s)),
  };
  if (next.run_count !== row.run_count) set.run_count = next.run_count;
  if (next.total_run_time !== row.total_run_time) set.total_run_time = next.total_run_time;
  if (next.expected_start_time !== row.expected_start_time) set.expected_start_time = next.expected_start_time;
  if (t.decision.sets_start_time) set.start_time = s.timestamp;
  if (t.decision.sets_end_time) set.end_time = s.timestamp;
  else if (t.decision.clears_end_time) set.end_time = null;
  return set;
}

/** The WHERE that makes the update conditional on the state the decision was made against. */
export function unchangedSince(table: RunTable, row: RunStateRow): SQL {
  return and(eq(table.id, row.id), row.state_id === null ? isNull(table.state_id) : eq(table.state_id, row.state_id))!;
}

export function orchestrationResult(t: Transition, row: RunStateRow | null): OrchestrationResult {
  const { decision } = t;
  const details: OrchestrationResult["details"] = { reason: decision.reason ?? null };
  if (decision.delay_seconds != null) details.delay_seconds = decision.delay_seconds;
  const state = decision.status === "ACCEPT" ? t.state : row ? currentState(row) : null;
  return { status: decision.status, state: state as State | null, details };
}
