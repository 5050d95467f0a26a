import type { PoolMessageOf } from "../../../protocol/worker-socket";
import type { RunOutcome } from "../runtime/types";

/** A run the pool offered this worker: the run, its flow's name, its deployment and the lease. */
export type OfferedRun = PoolMessageOf<"offer">;

/** How a run's code ended. */
export interface RunEnd {
  /** What the runtime answered, when it got that far (a child process sends it before it exits). */
  outcome?: RunOutcome;
  /** How it ended, as a sentence for a Crashed state's message ("The run's process exited with code 1"). */
  reason: string;
}

/** One run being run: in a child process (runner.ts) or in this process (in-process.ts). */
export interface RunHandle {
  /** Resolves once the run's code is done and its output is shipped. */
  readonly done: Promise<RunEnd>;
  /** Stops the run (kills its process tree, or aborts its signal); resolves when `done` has. */
  stop(): Promise<void>;
  /** The run's process, when it has one of its own. */
  readonly pid?: number;
}

/** Starts runs; the worker agent decides which and reports what the run itself could not. */
export interface Executor {
  start(run: OfferedRun): RunHandle;
}

/**
 * The runtime reported these final states itself. It answers CANCELLED and CRASHED without having reported
 * them (a run stopped through its signal; a server it could not reach): those the agent reports.
 */
export const REPORTED_BY_RUNTIME: ReadonlySet<RunOutcome["state"]> = new Set(["COMPLETED", "FAILED"]);

/** A run that cannot even start (no entrypoint, missing directory): done at once, with the reason. */
export function failedToStart(reason: string): RunHandle {
  const done = Promise.resolve({ reason });
  return { done, stop: () => done.then(() => undefined) };
}
