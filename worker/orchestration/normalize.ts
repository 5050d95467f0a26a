import { DEFAULT_STATE_NAMES, type StateCreate } from "../../protocol/states";
import type { OrchestratedState } from "./types";

/**
 * An instant in the one text form runs are stored in (`toISOString()`): columns such as
 * expected_start_time are compared and sorted as text, which an offset like "+05:00" would break.
 */
export const utcTime = (time: string): string => new Date(time).toISOString();

const TIME_DETAILS = ["scheduled_time", "cache_expiration", "pause_timeout"] as const;

/**
 * Fills in what a client may leave out. A SCHEDULED state without a time is due at once: the pool
 * and the Late check both need a time to compare against.
 */
export function normalizeProposal(proposed: StateCreate, now: Date): OrchestratedState {
  const timestamp = proposed.timestamp ? utcTime(proposed.timestamp) : now.toISOString();
  const state_details = { ...proposed.state_details };
  for (const key of TIME_DETAILS) {
    const time = state_details[key];
    if (time) state_details[key] = utcTime(time);
  }
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
