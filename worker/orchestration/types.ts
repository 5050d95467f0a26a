import type { SetStateStatus, State, StateCreate } from "../../protocol/states";

export type RunKind = "flow_run" | "task_run";

/** The run's state as stored now; only what the rules look at. */
export type CurrentState = Pick<State, "type" | "name" | "timestamp">;

/** A state ready to be appended to the run's history (the store adds the id). */
export type OrchestratedState = Omit<State, "id">;

/** The run's bookkeeping the rules need: attempts so far and its retry policy. */
export interface RunSnapshot {
  /** RUNNING entries so far, the current attempt included. */
  run_count: number;
  retries: number;
  /** One delay for every retry, or one per retry (the last one repeats). */
  retry_delay_seconds: number | number[];
  /** Each delay is stretched by up to this fraction at random, so retries of many runs spread out. */
  retry_jitter_factor?: number | null;
  expected_start_time?: string | null;
}

export interface OrchestrationInput {
  kind: RunKind;
  current: CurrentState | null;
  proposed: StateCreate;
  /** Skips the transition rules (not the bookkeeping): the dashboard's "change state" and manual retries. */
  force: boolean;
  now: Date;
  run: RunSnapshot;
  /** Uniform in [0, 1); injected so jitter is testable. Defaults to Math.random. */
  random?: () => number;
}

/**
 * What to do with a proposal. The caller stores `state` exactly when status is ACCEPT; `state` may
 * differ from the proposal (AwaitingRetry instead of FAILED, Retrying instead of Running, CANCELLED
 * instead of CANCELLING). On REJECT and ABORT nothing is stored and the caller answers with the
 * run's current state.
 */
export interface Decision {
  status: SetStateStatus;
  state: OrchestratedState | null;
  reason?: string;
  /** WAIT only: seconds before proposing again. */
  delay_seconds?: number;
  /** Add to run_count: 1 when a new attempt starts (entering RUNNING, except resuming from PAUSED). */
  run_count_increment: 0 | 1;
  /** Set start_time to the state's timestamp: this is the run's first attempt. */
  sets_start_time?: boolean;
  /** Set end_time to the state's timestamp: the run entered a terminal state. */
  sets_end_time?: boolean;
  /** Clear end_time: a forced transition took the run out of a terminal state. */
  clears_end_time?: boolean;
  /** Set the run's expected start time to this: it had none yet. */
  expected_start_time?: string;
}
