import * as v from "valibot";
import { JsonObject, Name, Uuid } from "./common";
import { FlowRun } from "./flow-runs";
import { OrchestrationResult, StateCreate } from "./states";

/*
 * The worker socket, `GET /api/work_pools/{name}/connect`: JSON text messages, one union per direction,
 * told apart by `type`. A worker sends `hello` first and gets `welcome`; then the pool offers runs,
 * the worker acknowledges each (or releases it), reports states, heartbeats, and obeys `cancel` and
 * `revoke`. Anything malformed or out of order is answered with `error` and changes nothing.
 */

/** Bumped when a message changes incompatibly; hello says which version the worker speaks. */
export const WORKER_PROTOCOL_VERSION = 1;

/** Longest text message the pool reads; a state report with its data summary fits with room to spare. */
export const MAX_WORKER_MESSAGE_BYTES = 512 * 1024;

const LeaseToken = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const RequestId = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const Capacity = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000));

/** A run the worker says it still holds (after a reconnect), with the lease it was given. */
export const HeldRun = v.object({ run_id: Uuid, lease_token: LeaseToken });
export type HeldRun = v.InferOutput<typeof HeldRun>;

export const Hello = v.object({
  type: v.literal("hello"),
  protocol: v.literal(WORKER_PROTOCOL_VERSION, `this server speaks worker protocol ${WORKER_PROTOCOL_VERSION}`),
  name: Name,
  /** How many runs the worker takes at once; 0 takes none (a worker that is draining). */
  capacity: Capacity,
  labels: v.optional(JsonObject, {}),
  sdk_version: v.optional(v.pipe(v.string(), v.maxLength(100)), "unknown"),
  heartbeat_interval_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(300)), 10),
  /** Runs this worker is still running from before a reconnect; any other run it held is declared lost. */
  runs: v.optional(v.pipe(v.array(HeldRun), v.maxLength(1000)), []),
});

export const Ack = v.object({ type: v.literal("ack"), run_id: Uuid, lease_token: LeaseToken });

/** The worker will not run an offered run (shutting down, cannot load it): it goes back to the pool. */
export const Release = v.object({
  type: v.literal("release"),
  run_id: Uuid,
  lease_token: LeaseToken,
  reason: v.optional(v.pipe(v.string(), v.maxLength(2000))),
});

export const Heartbeat = v.object({
  type: v.literal("heartbeat"),
  /** A changed capacity, e.g. 0 when the worker stops taking work before it exits. */
  capacity: v.optional(Capacity),
});

/** A state report for a run the worker holds; answered with `state_result` carrying the same request_id. */
export const StateReport = v.object({
  type: v.literal("state"),
  request_id: RequestId,
  run_id: Uuid,
  lease_token: LeaseToken,
  state: StateCreate,
});

export const WorkerMessage = v.variant(
  "type",
  [Hello, Ack, Release, Heartbeat, StateReport],
  "must be a message with type hello, ack, release, heartbeat or state",
);
export type WorkerMessage = v.InferOutput<typeof WorkerMessage>;

/** What a worker needs to start a run, besides the run itself. */
export const OfferedDeployment = v.object({
  id: v.string(),
  name: v.string(),
  entrypoint: v.nullable(v.string()),
  path: v.nullable(v.string()),
  job_variables: v.record(v.string(), v.unknown()),
});
export type OfferedDeployment = v.InferOutput<typeof OfferedDeployment>;

export const Welcome = v.object({
  type: v.literal("welcome"),
  protocol: v.number(),
  worker_id: v.string(),
  pool: v.object({ id: v.string(), name: v.string() }),
  heartbeat_interval_seconds: v.number(),
  ack_timeout_seconds: v.number(),
  /** Of the runs hello listed: those still the worker's, and those it must stop (lease gone). */
  runs_kept: v.array(v.string()),
  runs_lost: v.array(v.string()),
});

export const Offer = v.object({
  type: v.literal("offer"),
  flow_run: FlowRun,
  flow_name: v.string(),
  deployment: v.nullable(OfferedDeployment),
  lease_token: v.string(),
  /** Acknowledge before this time, or the run goes back to the pool. */
  ack_by: v.string(),
});

/** Stop the run's process and report CANCELLED. */
export const Cancel = v.object({ type: v.literal("cancel"), run_id: v.string(), lease_token: v.string(), reason: v.string() });

/**
 * The claim under this lease is no longer this worker's (an offer acknowledged too late): do not start
 * the run, or stop it without reporting. The lease tells it apart from a newer claim of the same run.
 */
export const Revoke = v.object({ type: v.literal("revoke"), run_id: v.string(), lease_token: v.string(), reason: v.string() });

export const StateResult = v.object({
  type: v.literal("state_result"),
  request_id: v.string(),
  run_id: v.string(),
  result: OrchestrationResult,
});

export const ERROR_CODES = ["bad_message", "hello_required", "already_hello", "lease_lost", "unknown_run", "conflict", "internal"] as const;
export const SocketError = v.object({
  type: v.literal("error"),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  request_id: v.optional(v.string()),
  run_id: v.optional(v.string()),
});

export const PoolMessage = v.variant("type", [Welcome, Offer, Cancel, Revoke, StateResult, SocketError]);
export type PoolMessage = v.InferOutput<typeof PoolMessage>;
export type PoolMessageOf<T extends PoolMessage["type"]> = Extract<PoolMessage, { type: T }>;

/** WebSocket close codes the pool uses (4000-4999 are the application's). */
export const CLOSE_CODES = {
  /** Another connection with the same worker name took over. */
  replaced: 4000,
  /** No heartbeat for three intervals. */
  missedHeartbeats: 4001,
  /** The pool was deleted. */
  poolGone: 4004,
} as const;
