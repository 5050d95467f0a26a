import { DEFAULT_STATE_NAMES, isTerminal } from "../../protocol/states";
import { normalizeProposal } from "./normalize";
import { awaitingRetry, hasRetriesLeft } from "./retry";
import { checkTransition } from "./transitions";
import type { Decision, OrchestratedState, OrchestrationInput } from "./types";

/**
 * Decides what a proposed state does to a run (Prefect 3's orchestration, see transitions.ts for
 * the table). Unforced proposals that pass the table may still be replaced:
 * - FAILED or CRASHED from RUNNING with retries left becomes SCHEDULED "AwaitingRetry" at now +
 *   delay. CRASHED is retried too because Baton declares runs of lost workers CRASHED, and their
 *   retry policy should still apply. The answer is ACCEPT with the replacement state, so the
 *   caller's rule stays "ACCEPT means store `state`"; `reason` says "retry N of M in Xs".
 * - CANCELLING of a flow run that is SCHEDULED (and not AwaitingRetry, whose process may still be
 *   alive) becomes CANCELLED at once: no worker holds the run, so none would ever confirm it.
 * Forced proposals are stored as proposed. Both get the same naming and bookkeeping.
 */
export function orchestrate(input: OrchestrationInput): Decision {
  const { kind, current, run, now } = input;
  const from = current?.type ?? null;
  const proposed = normalizeProposal(input.proposed, now);
  if (input.force) return accept(input, proposed);

  const verdict = checkTransition(from, proposed);
  if (verdict.status !== "ACCEPT") {
    return { status: verdict.status, state: null, reason: verdict.reason, run_count_increment: 0 };
  }
  const failed = proposed.type === "FAILED" || proposed.type === "CRASHED";
  if (from === "RUNNING" && failed && hasRetriesLeft(run, proposed)) {
    const retry = awaitingRetry(proposed, run, now, input.random ?? Math.random);
    return accept(input, retry.state, retry.reason);
  }
  const unclaimed = from === "SCHEDULED" && current?.name !== "AwaitingRetry";
  if (kind === "flow_run" && unclaimed && proposed.type === "CANCELLING") {
    const cancelled = { ...proposed, type: "CANCELLED", name: DEFAULT_STATE_NAMES.CANCELLED } as const;
    return accept(input, cancelled, "no worker holds a scheduled run, so it is cancelled at once");
  }
  return accept(input, proposed);
}

/** Builds an ACCEPT: names the state of a new attempt and says what the run's columns need. */
function accept(input: OrchestrationInput, state: OrchestratedState, reason?: string): Decision {
  const { current, run } = input;
  const from = current?.type ?? null;
  // Resuming a paused run continues the same attempt; anything else entering RUNNING starts one.
  const startsAttempt = state.type === "RUNNING" && from !== "RUNNING" && from !== "PAUSED";
  // A flow run goes AwaitingRetry -> Pending (claim) -> Running, so run_count also marks a retry.
  const isRetry = current?.name === "AwaitingRetry" || run.run_count > 0;
  const stored =
    startsAttempt && isRetry && state.name === DEFAULT_STATE_NAMES.RUNNING ? { ...state, name: "Retrying" } : state;
  const decision: Decision = {
    status: "ACCEPT",
    state: stored,
    run_count_increment: startsAttempt ? 1 : 0,
    sets_start_time: startsAttempt && run.run_count === 0,
    sets_end_time: isTerminal(stored.type),
    clears_end_time: isTerminal(from) && !isTerminal(stored.type),
  };
  if (reason) decision.reason = reason;
  if (!run.expected_start_time) decision.expected_start_time = stored.state_details.scheduled_time ?? stored.timestamp;
  return decision;
}
