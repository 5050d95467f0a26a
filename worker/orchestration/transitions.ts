import { isTerminal, type StateType } from "../../protocol/states";
import type { OrchestratedState } from "./types";

/**
 * Which unforced transitions are allowed, by state type. Rows: current state, columns: proposed.
 * A = ACCEPT, R = REJECT, X = ABORT. Same for flow runs and task runs.
 *
 *                SCH PEN RUN COM FAI CAN CNG CRA PAU
 *   (no state)    A   A   A   A   A   A   R   A   R
 *   SCHEDULED     A   A   A   A   A   A   A   A   R
 *   PENDING       A   R   A   A   A   A   A   A   R
 *   RUNNING       A   R   R   A   A   A   A   A   A
 *   PAUSED        A   R   A   A   A   A   A   A   R
 *   CANCELLING    X   X   X   A   A   A   R   A   X
 *   CANCELLED     X   X   X   R   R   R   R   R   X
 *   COMPLETED     R   R   R   R   R   R   R   R   R
 *   FAILED        R   R   R   R   R   R   R   R   R
 *   CRASHED       R   R   R   R   R   R   R   R   R
 *
 * REJECT means "not applied; carry on from the current state". It is what a duplicate or
 * out-of-order report gets (a resent RUNNING, a second PENDING), so a client that resends after a
 * lost response learns the state it already reached. Other workers cannot get this far: the lease
 * check before orchestration refuses them.
 * ABORT means "stop working on this run": only a run being cancelled or cancelled answers it, to
 * proposals that would keep the run alive (SCHEDULED, PENDING, RUNNING, PAUSED).
 * By name: SCHEDULED "Late" is only accepted from SCHEDULED, so a late mark racing a claim loses.
 */

export type Verdict = { status: "ACCEPT" } | { status: "REJECT" | "ABORT"; reason: string };

type Rule = (from: StateType | null, to: OrchestratedState) => Verdict | undefined;

const KEEPS_RUN_ALIVE: readonly StateType[] = ["SCHEDULED", "PENDING", "RUNNING", "PAUSED"];

const reject = (reason: string): Verdict => ({ status: "REJECT", reason });

const RULES: readonly Rule[] = [
  // Cancellation wins over whatever the run was doing; the worker or SDK must stop, not retry.
  (from, to) =>
    (from === "CANCELLING" || from === "CANCELLED") && KEEPS_RUN_ALIVE.includes(to.type)
      ? { status: "ABORT", reason: `run is ${from.toLowerCase()}; stop working on it` }
      : undefined,
  // Finished runs stay finished: a stale worker must never turn a Crashed run Completed.
  (from) =>
    isTerminal(from)
      ? reject(`run is already ${from}; only a forced transition leaves a terminal state`)
      : undefined,
  // A repeated PENDING or RUNNING is a second start; repeated SCHEDULED is a reschedule and is fine.
  (from, to) => (from === to.type && from !== "SCHEDULED" ? reject(`run is already ${from}`) : undefined),
  // A claim (PENDING) only precedes the start; a paused run resumes through RUNNING or SCHEDULED.
  (from, to) =>
    to.type === "PENDING" && (from === "RUNNING" || from === "PAUSED")
      ? reject(`run is ${from}; it cannot go back to PENDING`)
      : undefined,
  // A run created as CANCELLING would wait forever for a worker to confirm the cancellation.
  (from, to) => (to.type === "CANCELLING" && from === null ? reject("run has no state to cancel yet") : undefined),
  // Pausing is something running flow code does.
  (from, to) =>
    to.type === "PAUSED" && from !== "RUNNING"
      ? reject(`only a RUNNING run can pause, not ${from ?? "a new run"}`)
      : undefined,
  (from, to) =>
    to.type === "SCHEDULED" && to.name === "Late" && from !== "SCHEDULED"
      ? reject("only a SCHEDULED run can be marked Late")
      : undefined,
];

/** Applies the rules above to an unforced proposal. */
export function checkTransition(from: StateType | null, to: OrchestratedState): Verdict {
  for (const rule of RULES) {
    const verdict = rule(from, to);
    if (verdict) return verdict;
  }
  return { status: "ACCEPT" };
}
