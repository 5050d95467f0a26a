import * as v from "valibot";
import { Description, JsonObject, Limit, Name, Offset } from "./common";

const ConcurrencyLimit = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)));

export const WorkPoolCreate = v.object({
  name: Name,
  description: v.optional(v.nullable(Description), null),
  type: v.optional(v.picklist(["process"]), "process"),
  is_paused: v.optional(v.boolean(), false),
  concurrency_limit: v.optional(ConcurrencyLimit, null),
  base_job_template: v.optional(JsonObject, {}),
});
export type WorkPoolCreate = v.InferOutput<typeof WorkPoolCreate>;

export const WorkPoolUpdate = v.partial(v.omit(WorkPoolCreate, ["name", "type"]));
export type WorkPoolUpdate = v.InferOutput<typeof WorkPoolUpdate>;

export const WORK_POOL_STATUSES = ["READY", "NOT_READY", "PAUSED"] as const;
export const WorkPoolStatus = v.picklist(WORK_POOL_STATUSES);
export type WorkPoolStatus = v.InferOutput<typeof WorkPoolStatus>;

export const WorkPool = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  name: v.string(),
  description: v.nullable(v.string()),
  type: v.string(),
  is_paused: v.boolean(),
  concurrency_limit: v.nullable(v.number()),
  base_job_template: v.record(v.string(), v.unknown()),
  /** READY when an online worker is connected, PAUSED when paused, NOT_READY otherwise (Prefect's meaning). */
  status: WorkPoolStatus,
});
export type WorkPool = v.InferOutput<typeof WorkPool>;

// Filters are strict: a filter field Baton does not know is refused, not ignored into unfiltered results.
export const WorkPoolFilter = v.strictObject({
  // Capped under D1's 100 bound parameters per statement.
  work_pools: v.optional(v.strictObject({ name: v.optional(v.strictObject({ any_: v.optional(v.pipe(v.array(Name), v.maxLength(90))) })) })),
  limit: Limit(),
  offset: Offset,
});
export type WorkPoolFilter = v.InferOutput<typeof WorkPoolFilter>;

export const WorkerHeartbeat = v.object({
  name: Name,
  heartbeat_interval_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600)), 10),
  /** Replaces the stored metadata when sent; a beat without it keeps what the worker sent before. */
  metadata: v.optional(JsonObject),
});
export type WorkerHeartbeat = v.InferOutput<typeof WorkerHeartbeat>;

/** Derived from the last heartbeat when read (worker/liveness.ts), never stored. */
export const WorkerStatus = v.picklist(["ONLINE", "OFFLINE"]);
export type WorkerStatus = v.InferOutput<typeof WorkerStatus>;

export const Worker = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  work_pool_id: v.string(),
  name: v.string(),
  last_heartbeat_time: v.string(),
  heartbeat_interval_seconds: v.number(),
  status: WorkerStatus,
  metadata: v.record(v.string(), v.unknown()),
});
export type Worker = v.InferOutput<typeof Worker>;

export const WorkerFilter = v.strictObject({
  workers: v.optional(v.strictObject({ status: v.optional(v.strictObject({ any_: v.optional(v.array(WorkerStatus)) })) })),
  limit: Limit(),
  offset: Offset,
});
export type WorkerFilter = v.InferOutput<typeof WorkerFilter>;

/**
 * `POST /api/work_pools/{name}/get_scheduled_flow_runs`, for workers that cannot hold the pool's socket.
 * Unlike Prefect's, it claims what it answers (the same claims as the socket's offers), so two pollers
 * never get the same run. Prefect's other fields (work_queue_names, scheduled_before) are ignored.
 */
export const GetScheduledFlowRuns = v.object({
  worker_name: v.optional(Name, "poller"),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 10),
  /** Long-poll: wait up to this long for a run to fall due when none is due now. */
  wait_seconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(30, "must be at most 30")), 0),
  heartbeat_interval_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600)), 10),
});
export type GetScheduledFlowRuns = v.InferOutput<typeof GetScheduledFlowRuns>;
