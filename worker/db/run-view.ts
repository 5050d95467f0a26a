import type { FlowRun } from "../../protocol/flow-runs";
import { isTerminal, type StateType } from "../../protocol/states";
import { displayStateName } from "../orchestration";
import { currentState, type RunStateRow } from "./run-state";

type RunStateView = Pick<
  FlowRun,
  | "state_type"
  | "state_name"
  | "state"
  | "run_count"
  | "expected_start_time"
  | "start_time"
  | "end_time"
  | "total_run_time"
  | "estimated_start_time_delta"
  | "empirical_policy"
>;

type ViewRow = Omit<RunStateRow, "id"> & { start_time: string | null; end_time: string | null };

/**
 * Prefect's lateness: how long after its expected start the run started, or, while it has not started
 * and is not finished, how late it is now. Seconds, never negative.
 */
function startDelta(row: ViewRow, now: Date): number {
  const expected = row.expected_start_time ? Date.parse(row.expected_start_time) : NaN;
  if (Number.isNaN(expected)) return 0;
  if (row.start_time) return Math.max(0, Date.parse(row.start_time) - expected) / 1000;
  if (isTerminal(row.state_type as StateType | null)) return 0;
  return Math.max(0, now.getTime() - expected) / 1000;
}

/**
 * The state fields of a run as the API shows them. A SCHEDULED run well past its time is shown as
 * "Late" (as Prefect's UI does), derived at read time so lists are right between scheduler ticks.
 */
export function runStateView(row: ViewRow, now: Date): RunStateView {
  const state = currentState(row);
  const name = state ? displayStateName(state, row.expected_start_time, now) : null;
  return {
    state_type: state?.type ?? null,
    state_name: name,
    state: state && name ? { ...state, name } : null,
    run_count: row.run_count,
    expected_start_time: row.expected_start_time,
    start_time: row.start_time,
    end_time: row.end_time,
    total_run_time: row.total_run_time / 1000,
    estimated_start_time_delta: startDelta(row, now),
    empirical_policy: row.empirical_policy,
  };
}
