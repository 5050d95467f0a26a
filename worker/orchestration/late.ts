import type { State, StateCreate } from "../../protocol/states";

/** Prefect's default: a run may start this many seconds after its time before it counts as late. */
export const LATE_THRESHOLD_SECONDS = 15;

type ScheduledLike = Pick<State, "type" | "name"> & { state_details?: { scheduled_time?: string | null } | null };

/**
 * When a SCHEDULED run is late, the moment it was due (its SCHEDULED state's own time, which a
 * retry moves, else the run's expected start); null when it is not late.
 */
function lateSince(
  state: ScheduledLike,
  expectedStartTime: string | null | undefined,
  now: Date,
  thresholdSeconds: number,
): number | null {
  if (state.type !== "SCHEDULED") return null;
  const due = Date.parse(state.state_details?.scheduled_time ?? expectedStartTime ?? "");
  return !Number.isNaN(due) && now.getTime() - due > thresholdSeconds * 1000 ? due : null;
}

/** Whether a SCHEDULED run is past its time by more than the threshold. */
export function isLate(
  state: ScheduledLike,
  expectedStartTime: string | null | undefined,
  now: Date,
  thresholdSeconds = LATE_THRESHOLD_SECONDS,
): boolean {
  return lateSince(state, expectedStartTime, now, thresholdSeconds) !== null;
}

/**
 * The name to show. Late is derived, so lists stay right between scheduler ticks; only plain
 * "Scheduled" runs become Late (an AwaitingRetry run keeps its name, as in Prefect).
 */
export function displayStateName(
  state: ScheduledLike,
  expectedStartTime: string | null | undefined,
  now: Date,
  thresholdSeconds = LATE_THRESHOLD_SECONDS,
): string {
  return state.name === "Scheduled" && isLate(state, expectedStartTime, now, thresholdSeconds) ? "Late" : state.name;
}

/**
 * What the scheduler proposes (through orchestrate, so a run claimed meanwhile is not touched) to
 * record a run as Late; null when it is not due for that. It keeps the scheduled time, so the run
 * stays due at the same moment.
 */
export function lateProposal(
  state: ScheduledLike,
  expectedStartTime: string | null | undefined,
  now: Date,
  thresholdSeconds = LATE_THRESHOLD_SECONDS,
): StateCreate | null {
  if (state.name !== "Scheduled") return null;
  const due = lateSince(state, expectedStartTime, now, thresholdSeconds);
  if (due === null) return null;
  return {
    type: "SCHEDULED",
    name: "Late",
    timestamp: now.toISOString(),
    state_details: { scheduled_time: new Date(due).toISOString() },
  };
}
