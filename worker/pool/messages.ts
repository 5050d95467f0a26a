import * as v from "valibot";
import {
  CLOSE_CODES,
  MAX_WORKER_MESSAGE_BYTES,
  WORKER_PROTOCOL_VERSION,
  WorkerMessage,
  type PoolMessageOf,
} from "../../protocol/worker-socket";
import { setFlowRunState } from "../db/flow-run-state";
import { readPool } from "../db/pool-runs";
import { touchWorker, upsertPoolWorker } from "../db/workers";
import { ApiError } from "../errors";
import { flowRunOutcome, workerStatus } from "../stream/events";
import type { Pool } from "./context";
import { loseRun } from "./reaper";
import { attachment, close, liveSockets, send } from "./sockets";
import { afterStateChange } from "./state-changes";
import { ACK_TIMEOUT_MS } from "./timing";

/*
 * What the pool does with each message a worker sends. Every failure is answered on the socket as an
 * `error` message; nothing a worker sends can throw out of here and break the object or other sockets.
 */

type Msg<T extends WorkerMessage["type"]> = Extract<WorkerMessage, { type: T }>;
type ErrorCode = PoolMessageOf<"error">["code"];

const fail = (ws: WebSocket, code: ErrorCode, message: string, extra: { request_id?: string; run_id?: string } = {}) =>
  send(ws, { type: "error", code, message, ...extra });

function parse(ws: WebSocket, raw: string | ArrayBuffer): WorkerMessage | null {
  if (typeof raw !== "string") return fail(ws, "bad_message", "messages must be JSON text, not binary"), null;
  if (raw.length > MAX_WORKER_MESSAGE_BYTES || new TextEncoder().encode(raw).length > MAX_WORKER_MESSAGE_BYTES) return fail(ws, "bad_message", `message is longer than ${MAX_WORKER_MESSAGE_BYTES} bytes`), null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(ws, "bad_message", "message is not valid JSON"), null;
  }
  const parsed = v.safeParse(WorkerMessage, json);
  if (parsed.success) return parsed.output;
  const issues = parsed.issues.slice(0, 5).map((i) => `${v.getDotPath(i) ?? "message"}: ${i.message}`);
  return fail(ws, "bad_message", `invalid message: ${issues.join("; ")}`), null;
}

export async function handleMessage(pool: Pool, ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
  const msg = parse(ws, raw);
  if (!msg) return;
  const { worker_id } = attachment(ws);
  if (msg.type === "hello") return worker_id ? void fail(ws, "already_hello", "hello was already sent on this connection") : hello(pool, ws, msg);
  if (!worker_id) return void fail(ws, "hello_required", `send hello before ${msg.type}`);
  switch (msg.type) {
    case "ack":
      return ack(pool, ws, worker_id, msg);
    case "release":
      return release(pool, ws, worker_id, msg);
    case "heartbeat":
      return heartbeat(pool, worker_id, msg);
    case "state":
      return report(pool, ws, worker_id, msg);
  }
}

async function hello(pool: Pool, ws: WebSocket, msg: Msg<"hello">): Promise<void> {
  const poolId = pool.poolId()!;
  const config = await readPool(pool.db, poolId);
  const workerId = config && (await upsertPoolWorker(pool.db, poolId, msg.name, msg.heartbeat_interval_seconds, { ...msg.labels, sdk_version: msg.sdk_version }));
  if (!config || !workerId) return close(ws, CLOSE_CODES.poolGone, "work pool was deleted");
  const previous = liveSockets(pool.durable).get(workerId);
  if (previous && previous !== ws) {
    previous.serializeAttachment({ ...attachment(previous), replaced: true });
    close(previous, CLOSE_CODES.replaced, "replaced by a newer connection of the same worker");
  }
  ws.serializeAttachment({ worker_id: workerId, name: msg.name });
  const now = Date.now();
  pool.stream(workerStatus(poolId, workerId, msg.name, "ONLINE"));
  pool.store.saveWorker({ worker_id: workerId, name: msg.name, kind: "socket", capacity: msg.capacity, heartbeat_ms: msg.heartbeat_interval_seconds * 1000, last_beat: now, lost_at: null });
  // Reconciles what the worker says it runs with what the pool gave it.
  const claimed = new Map(msg.runs.map((r) => [r.run_id, r.lease_token]));
  const kept: string[] = [];
  for (const held of pool.store.heldBy(workerId)) {
    if (claimed.get(held.run_id) === held.lease_token) {
      kept.push(held.run_id);
      if (held.phase === "offered") pool.store.setPhase(held.run_id, "acked", null);
    } else {
      await loseRun(pool, held, `worker ${msg.name} reconnected without the run`);
    }
  }
  const lost = msg.runs.map((r) => r.run_id).filter((id) => !kept.includes(id));
  send(ws, {
    type: "welcome",
    protocol: WORKER_PROTOCOL_VERSION,
    worker_id: workerId,
    pool: { id: poolId, name: config.name },
    heartbeat_interval_seconds: msg.heartbeat_interval_seconds,
    ack_timeout_seconds: ACK_TIMEOUT_MS / 1000,
    runs_kept: kept,
    runs_lost: lost,
  });
  // A cancel that could not reach the worker while it was away is sent again now.
  for (const held of pool.store.heldBy(workerId)) {
    if (held.phase === "cancelling") send(ws, { type: "cancel", run_id: held.run_id, lease_token: held.lease_token, reason: "cancellation requested" });
  }
  await pool.dispatch();
}

function heldByMe(pool: Pool, ws: WebSocket, workerId: string, runId: string, token: string, requestId?: string) {
  const held = pool.store.held(runId);
  if (held && held.worker_id === workerId && held.lease_token === token) return held;
  fail(ws, "lease_lost", "this worker does not hold the run under that lease (taken back, or never given)", { run_id: runId, request_id: requestId });
  return undefined;
}

async function ack(pool: Pool, ws: WebSocket, workerId: string, msg: Msg<"ack">): Promise<void> {
  const held = heldByMe(pool, ws, workerId, msg.run_id, msg.lease_token);
  if (held?.phase === "offered") pool.store.setPhase(held.run_id, "acked", null);
  if (!held) send(ws, { type: "revoke", run_id: msg.run_id, lease_token: msg.lease_token, reason: "the offer is no longer valid; do not start the run" });
  await pool.rearm();
}

async function release(pool: Pool, ws: WebSocket, workerId: string, msg: Msg<"release">): Promise<void> {
  const held = heldByMe(pool, ws, workerId, msg.run_id, msg.lease_token);
  if (!held) return;
  const name = attachment(ws).name ?? workerId;
  await loseRun(pool, held, `worker ${name} released the run${msg.reason ? ` (${msg.reason})` : ""}`);
  await pool.dispatch();
}

async function heartbeat(pool: Pool, workerId: string, msg: Msg<"heartbeat">): Promise<void> {
  const w = pool.store.worker(workerId);
  if (!w) return;
  pool.store.saveWorker({ ...w, last_beat: Date.now(), lost_at: null, capacity: msg.capacity ?? w.capacity });
  await touchWorker(pool.db, workerId);
  if (msg.capacity !== undefined && msg.capacity > w.capacity) await pool.dispatch();
  else await pool.rearm();
}

async function report(pool: Pool, ws: WebSocket, workerId: string, msg: Msg<"state">): Promise<void> {
  const ids = { request_id: msg.request_id, run_id: msg.run_id };
  if (!heldByMe(pool, ws, workerId, msg.run_id, msg.lease_token, msg.request_id)) return;
  const body = { state: { ...msg.state, state_details: { ...msg.state.state_details, lease_token: msg.lease_token } }, force: false };
  try {
    const outcome = await setFlowRunState(pool.db, msg.run_id, body);
    const { result } = outcome;
    send(ws, { type: "state_result", ...ids, result });
    pool.stream(flowRunOutcome(msg.run_id, outcome));
    if (result.status === "ACCEPT" && result.state) await afterStateChange(pool, msg.run_id, result.state);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    fail(ws, e.status === 409 ? "lease_lost" : e.status === 404 ? "unknown_run" : "bad_message", e.message, ids);
  }
}
