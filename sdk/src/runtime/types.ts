import type * as v from "valibot";
import type { TriggerSpec } from "../../../protocol/triggers";
import type { ApiClient } from "../client/http";

/*
 * The contract between the flow runtime (runtime/), the worker agent (worker/) and the CLI (cli/):
 * what a flow object is, and how a worker runs a run that the server handed out.
 */

/** Marks flow objects, so the CLI can find them among a module's exports. */
export const FLOW_MARK: unique symbol = Symbol.for("baton.flow") as never;

export type RetryDelay = number | number[] | { exponential: { baseSeconds: number; maxSeconds?: number; jitterFactor?: number } };

export interface FlowOptions<P> {
  description?: string;
  version?: string;
  retries?: number;
  retryDelaySeconds?: RetryDelay;
  timeoutSeconds?: number;
  tags?: string[];
  /** Capture console.* inside the flow and its tasks as logs of the run (default true). */
  logPrints?: boolean;
  /** Validates the parameters and gives deployments their JSON schema: a valibot object schema. */
  parameters?: v.GenericSchema<any, P>;
}

/** A deployment trigger as `flow.serve()` and the API take it (protocol/triggers.ts). */
export type Trigger = v.InferInput<typeof TriggerSpec>;

export interface ServeOptions {
  /** The deployment's name. */
  name: string;
  interval?: number;
  cron?: string;
  timezone?: string;
  rrule?: string;
  parameters?: Record<string, unknown>;
  tags?: string[];
  /**
   * Start runs when events match (protocol/triggers.ts), e.g. `{ expect: ["file.created"], parameters:
   * { path: "{{ event.payload.path }}" } }`. Like the schedule, they are the deployment's whole set:
   * serving without triggers removes any it had.
   */
  triggers?: Trigger[];
  /** How many runs at once (default 1). */
  limit?: number;
  /** Stops serving (as Ctrl-C does). */
  signal?: AbortSignal;
}

/** A flow: call it to run it (recorded when a server is configured); `name` is the flow's name. */
export interface Flow<P extends Record<string, unknown> = Record<string, unknown>, R = unknown> {
  (parameters?: P): Promise<R>;
  readonly [FLOW_MARK]: true;
  readonly name: string;
  readonly options: FlowOptions<P>;
  /** JSON schema of the parameters object, for deployments and the dashboard's Run form. */
  parameterSchema(): Record<string, unknown>;
  /** Creates or updates the deployment and its schedule, then runs its runs in this process until stopped. */
  serve(options: ServeOptions): Promise<void>;
}

export const isFlow = (x: unknown): x is Flow =>
  typeof x === "function" && (x as unknown as Record<symbol, unknown>)[FLOW_MARK] === true;

/** A run the server handed to a worker (claimed, PENDING), to be run by the runtime. */
export interface DeployedRun {
  flowRunId: string;
  leaseToken: string;
  /** The run's parameters; read from the server when absent. */
  parameters?: Record<string, unknown>;
  client: ApiClient;
  /** Aborted when the run is cancelled (in-process runs; child processes are killed instead). */
  signal?: AbortSignal;
}

/** How a deployed run ended, as the runtime reported it. */
export type RunOutcome = { state: "COMPLETED" | "FAILED" | "CANCELLED" | "CRASHED" | "ABORTED"; message?: string };

/**
 * Environment of a worker's child process: which run to run under which lease (plus BATON_API_URL and
 * BATON_API_KEY). Set by the worker agent, read by its child entry.
 */
export const CHILD_ENV = {
  flowRunId: "BATON_FLOW_RUN_ID",
  leaseToken: "BATON_LEASE_TOKEN",
  entrypoint: "BATON_ENTRYPOINT",
  /** Set to "1" in a worker's child: captured console lines go to the server only, not to stdout too. */
  workerChild: "BATON_WORKER_CHILD",
} as const;
