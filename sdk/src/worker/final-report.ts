import type { FlowRun } from "../../../protocol/flow-runs";
import { isTerminal, type StateCreate } from "../../../protocol/states";
import { RETRY_BRIEFLY, type ApiClient } from "../client/http";
import { REPORTED_BY_RUNTIME, type RunEnd } from "./executor";

/** Why the agent stopped a run: cancelled (by the server or a shutdown), or no longer its own (revoked, lost). */
export type Stopping = { kind: "cancel" | "shutdown" | "revoke" | "lost"; reason: string };

const state = (type: "CANCELLED" | "CRASHED", message: string): StateCreate => ({ type, message, state_details: {} });

/** What the agent must report for a run whose code is done, if anything. */
export async function finalReport(client: ApiClient, runId: string, stopping: Stopping | undefined, end: RunEnd): Promise<StateCreate | null> {
  const { outcome } = end;
  if (stopping?.kind === "revoke" || stopping?.kind === "lost") return null;
  if (outcome && REPORTED_BY_RUNTIME.has(outcome.state)) return null;
  if (stopping) return state("CANCELLED", stopping.reason);
  switch (outcome?.state) {
    case "CANCELLED":
      return state("CANCELLED", outcome.message ?? "cancelled");
    case "CRASHED":
      return state("CRASHED", outcome.message ?? end.reason);
    case "ABORTED":
      // Stopped on ABORT or a lost lease: a cancellation (confirmed when its message comes) or another holder.
      return null;
  }
  // The code died without a word: whether that ends the run depends on where the server has it.
  const current = await client
    .get<FlowRun>(`/flow_runs/${runId}`, { retry: RETRY_BRIEFLY, timeoutMs: 5_000 })
    .then((run) => run.state_type)
    .catch(() => null);
  if (isTerminal(current)) return null;
  if (current === "CANCELLING") return state("CANCELLED", `Cancelled. ${end.reason}`);
  return state("CRASHED", end.reason);
}
