import * as v from "valibot";
import { Uuid } from "./common";
import { Event } from "./events";

/*
 * The dashboard's live stream, `GET /api/events/stream` (WebSocket; with an API key set, authenticated by
 * a ticket from POST /api/auth/ticket as `?ticket=`). The page says what it shows (`subscribe`, replacing
 * any earlier subscription) and receives changes as they happen. After a reconnect the page reloads what
 * it shows over REST and subscribes again: the stream carries changes, REST carries state.
 */

export const STREAM_PROTOCOL_VERSION = 1;

/** What a page can follow: every flow run's changes, one flow run's task runs and logs, the workers of pools, events. */
export const Topic = v.union([
  v.literal("flow_runs"),
  v.literal("workers"),
  v.literal("events"),
  v.pipe(v.string(), v.regex(/^flow_run:[0-9a-f-]{36}$/i, "must be flow_runs, workers, events or flow_run:<uuid>")),
]);

export const StreamClientMessage = v.variant("type", [
  v.object({ type: v.literal("subscribe"), topics: v.pipe(v.array(Topic), v.maxLength(50)) }),
  v.object({ type: v.literal("ping") }),
]);
export type StreamClientMessage = v.InferOutput<typeof StreamClientMessage>;

/** A run's state as it changed: enough to update a list row or a badge without a read. */
const RunChange = v.object({
  id: Uuid,
  /** Present when the run was just created (the whole run, as GET answers it); else only the state moved. */
  created: v.optional(v.boolean()),
  /** The run's name, sent when it was just created (events label task runs with it without a read). */
  name: v.optional(v.string()),
  state_type: v.nullable(v.string()),
  state_name: v.nullable(v.string()),
  timestamp: v.string(),
});

export const StreamServerMessage = v.variant("type", [
  v.object({ type: v.literal("welcome"), protocol: v.number() }),
  /** A flow run was created or changed state (topic flow_runs, and flow_run:<id> for that run). */
  v.object({ type: v.literal("flow_run"), flow_run: RunChange, flow_run_full: v.optional(v.record(v.string(), v.unknown())) }),
  /** Task runs of a flow run were created or changed state (topic flow_run:<id>). */
  v.object({ type: v.literal("task_runs"), flow_run_id: Uuid, task_runs: v.array(RunChange) }),
  /** Log lines of a flow run were stored (topic flow_run:<id>); the page reads them with /logs/filter. */
  v.object({ type: v.literal("logs"), flow_run_id: Uuid, count: v.number(), latest: v.string() }),
  /** A worker said hello, heartbeated after being offline, or was lost (topic workers). */
  v.object({ type: v.literal("worker"), work_pool_id: v.string(), worker_id: v.string(), name: v.string(), status: v.picklist(["ONLINE", "OFFLINE"]) }),
  /** An event was emitted (topic events): Baton's own (flow-run states, deployments…), a user's or a webhook's. */
  v.object({ type: v.literal("event"), event: Event }),
  v.object({ type: v.literal("error"), message: v.string() }),
]);
export type StreamServerMessage = v.InferOutput<typeof StreamServerMessage>;
