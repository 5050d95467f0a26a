import * as v from "valibot";

/** Prefect 3 state types. Terminal ones end a run unless a transition is forced. */
export const STATE_TYPES = [
  "SCHEDULED",
  "PENDING",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "CANCELLING",
  "CRASHED",
  "PAUSED",
] as const;
export const StateType = v.picklist(STATE_TYPES);
export type StateType = v.InferOutput<typeof StateType>;

export const TERMINAL_STATE_TYPES: readonly StateType[] = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];
export const isTerminal = (t: StateType | null | undefined): boolean =>
  t != null && TERMINAL_STATE_TYPES.includes(t);

/** Default display name of each type; other names (Late, AwaitingRetry, Retrying, Cached) refine a type. */
export const DEFAULT_STATE_NAMES: Record<StateType, string> = {
  SCHEDULED: "Scheduled",
  PENDING: "Pending",
  RUNNING: "Running",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
  CANCELLING: "Cancelling",
  CRASHED: "Crashed",
  PAUSED: "Paused",
};

/**
 * An ISO 8601 timestamp that `Date` can also read (valibot's pattern admits a few it cannot), within
 * years 0000-9999 once in UTC: the server stores times as `toISOString()` text, which sorts only there.
 */
const IsoDateTime = v.pipe(
  v.string(),
  v.isoTimestamp("must be an ISO 8601 timestamp"),
  v.check((s) => {
    const t = Date.parse(s);
    return !Number.isNaN(t) && /^\d{4}-/.test(new Date(t).toISOString());
  }, "must be an ISO 8601 timestamp between the years 0000 and 9999 in UTC"),
);
export { IsoDateTime };

export const StateDetails = v.object({
  scheduled_time: v.optional(v.nullable(IsoDateTime)),
  cache_key: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2000)))),
  cache_expiration: v.optional(v.nullable(IsoDateTime)),
  /** When a PAUSED run stops waiting to be resumed (Prefect's meaning); WAIT's delay is in the result's details. */
  pause_timeout: v.optional(v.nullable(IsoDateTime)),
  retriable: v.optional(v.nullable(v.boolean())),
  /** Lease token of the claim this report belongs to (fencing, see DESIGN.md reliability rules). */
  lease_token: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(100)))),
});
export type StateDetails = v.InferOutput<typeof StateDetails>;

/** A state as a client proposes it. */
export const StateCreate = v.object({
  type: StateType,
  name: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(100)))),
  message: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(20_000)))),
  timestamp: v.optional(v.nullable(IsoDateTime)),
  state_details: v.optional(StateDetails, {}),
  /** A small JSON summary of the result or error; never the whole return value. */
  data: v.optional(v.nullable(v.unknown())),
});
export type StateCreate = v.InferOutput<typeof StateCreate>;

/** A state as stored and returned. */
export const State = v.object({
  id: v.string(),
  type: StateType,
  name: v.string(),
  timestamp: v.string(),
  message: v.nullable(v.string()),
  state_details: StateDetails,
  data: v.optional(v.nullable(v.unknown())),
});
export type State = v.InferOutput<typeof State>;

export const SET_STATE_STATUSES = ["ACCEPT", "REJECT", "WAIT", "ABORT"] as const;
export const SetStateStatus = v.picklist(SET_STATE_STATUSES);
export type SetStateStatus = v.InferOutput<typeof SetStateStatus>;

export const SetStateBody = v.object({
  state: StateCreate,
  force: v.optional(v.boolean(), false),
});
export type SetStateBody = v.InferOutput<typeof SetStateBody>;

/** Prefect's OrchestrationResult. */
export const OrchestrationResult = v.object({
  status: SetStateStatus,
  state: v.nullable(State),
  details: v.object({
    reason: v.optional(v.nullable(v.string())),
    delay_seconds: v.optional(v.nullable(v.number())),
  }),
});
export type OrchestrationResult = v.InferOutput<typeof OrchestrationResult>;
