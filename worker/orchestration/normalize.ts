import { DEFAULT_STATE_NAMES, type StateCreate } from "../../protocol/states";
import type { OrchestratedState } from "./types";

/**
 * Fills in what a client may leave out. A SCHEDULED state without a time is due at once: the pool
 * and the Late check both need a time to compare against.
 */
export function normalizeProposal(proposed: StateCreate, now: Date): OrchestratedState {
  const timestamp = proposed.timestamp ?? now.toISOString();
  const state_details = { ...proposed.state_details };
  if (proposed.type === "SCHEDULED" && !state_details.scheduled_time) state_details.scheduled_time = timestamp;
  return {
    type: proposed.type,
    name: proposed.name || DEFAULT_STATE_NAMES[proposed.type],
    timestamp,
    message: proposed.message ?? null,
    state_details,
    data: proposed.data ?? null,
  };
}
