import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { PoolMessageOf } from "../../protocol/worker-socket";
import type { HeldRun, KnownWorker } from "../pool/store";
import { api } from "./http";
import { openSocket, type TestWorker } from "./sockets";

/*
 * Driving a pool's Durable Object from tests: its storage is read and its clocks are moved back with
 * SQL, and time passes by firing its alarm, never by sleeping.
 */

export const poolStub = (poolId: string) => env.WORK_POOL.get(env.WORK_POOL.idFromName(poolId));

/** Runs SQL in the pool object's own storage and answers the rows. */
export function poolSql<T = Record<string, SqlStorageValue>>(poolId: string, query: string, ...params: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(poolStub(poolId), (_, state) => state.storage.sql.exec(query, ...params).toArray() as T[]);
}

export const heldRun = async (poolId: string, runId: string) => (await poolSql<HeldRun>(poolId, "SELECT * FROM held WHERE run_id = ?", runId))[0];
export const knownWorker = async (poolId: string, workerId: string) =>
  (await poolSql<KnownWorker>(poolId, "SELECT * FROM workers WHERE worker_id = ?", workerId))[0];

/** Fires the pool's alarm now (it must have one set: every object that knows a worker does). */
export async function fireAlarm(poolId: string): Promise<void> {
  expect(await runDurableObjectAlarm(poolStub(poolId))).toBe(true);
}

/** Retries `check` until it stops throwing: for what the pool does after answering (waitUntil, socket events). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** The worker's socket closed and the pool noticed: its reconnect grace runs from lost_at. */
export const disconnected = (poolId: string, w: TestWorker & { worker_id: string }) => {
  w.close();
  return eventually(async () => {
    const known = await knownWorker(poolId, w.worker_id);
    expect(known?.lost_at).toBeTypeOf("number");
  });
};

/** Connects and says hello like connectWorker, and answers the welcome too (runs_kept, runs_lost). */
export async function greet(poolName: string, hello: Record<string, unknown>) {
  const w = await openSocket(poolName);
  w.send({ type: "hello", protocol: 1, capacity: 1, ...hello });
  const welcome = await w.next("welcome");
  return { w: Object.assign(w, { worker_id: welcome.worker_id }), welcome };
}

/** Moves a disconnected worker's lost_at back past the reconnect grace. */
export const graceOver = (poolId: string, workerId: string) => poolSql(poolId, "UPDATE workers SET lost_at = 1 WHERE worker_id = ?", workerId);

export async function createRun(deploymentId: string): Promise<string> {
  const res = await api("POST", `/deployments/${deploymentId}/create_flow_run`, {});
  expect(res.status).toBe(201);
  return res.body.id;
}

export async function runOf(id: string): Promise<{ state_type: string; state_name: string; state: { message: string | null } }> {
  const res = await api("GET", `/flow_runs/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

export type Lease = { run_id: string; lease_token: string };

/** Takes the worker's next offer (of `runId`, if given) and acknowledges it. */
export async function takeRun(w: TestWorker, runId?: string): Promise<Lease> {
  const offer = await w.next("offer", 5000, (o) => !runId || o.flow_run.id === runId);
  const lease = { run_id: offer.flow_run.id, lease_token: offer.lease_token };
  w.send({ type: "ack", ...lease });
  return lease;
}

let requests = 0;
type Reply = PoolMessageOf<"state_result"> | PoolMessageOf<"error">;

/** Reports a state over the socket and answers the pool's reply to it (state_result or error). */
export function report(w: TestWorker, lease: Lease, type: string): Promise<Reply> {
  const request_id = `req-${requests++}`;
  return new Promise((resolve, reject) => {
    const take = () => {
      const i = w.received.findIndex((m) => (m.type === "state_result" || m.type === "error") && m.request_id === request_id);
      if (i < 0) return;
      clearTimeout(timer);
      w.ws.removeEventListener("message", take);
      resolve(w.received.splice(i, 1)[0] as Reply);
    };
    const timer = setTimeout(() => {
      w.ws.removeEventListener("message", take);
      reject(new Error(`no reply to ${request_id}; got ${JSON.stringify(w.received)}`));
    }, 5000);
    w.ws.addEventListener("message", take);
    w.send({ type: "state", request_id, ...lease, state: { type } });
  });
}

/** Takes the next offer and reports it RUNNING. */
export async function startRun(w: TestWorker, runId?: string): Promise<Lease> {
  const lease = await takeRun(w, runId);
  expect(await report(w, lease, "RUNNING")).toMatchObject({ type: "state_result", result: { status: "ACCEPT" } });
  return lease;
}

/** A worker's report over REST, as a polling worker sends it. */
export const restReport = (lease: Lease, type: string) =>
  api("POST", `/flow_runs/${lease.run_id}/set_state`, { state: { type, state_details: { lease_token: lease.lease_token } } });
