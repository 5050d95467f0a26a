import { CLOSE_CODES } from "../../protocol/worker-socket";
import { setRunStateAsPool } from "../db/flow-run-state";
import { catchupOf, claimRuns, dueRuns, laterDueKeys, readPool, readPoolAndDue, type ClaimedRun, type DueCursor, type DueRow } from "../db/pool-runs";
import { flowRunsClaimed, poolStateChange } from "../stream/events";
import type { Pool } from "./context";
import { planDispatch, scheduleKeyOf, type CollisionStrategy, type DispatchAction, type DueRun, type FreeWorker } from "./plan";
import { close, liveSockets, send } from "./sockets";
import { ACK_TIMEOUT_MS, DUE_PAGE } from "./timing";

/*
 * One dispatch pass: read the pool's due runs page by page, plan (plan.ts), and carry the plan out:
 * claims in D1 batches, then offers down the sockets (or into waiting polls). Bounded: a pass reads
 * at most MAX_PAGES pages, so a deep queue of waiting runs cannot make it long.
 */

const MAX_PAGES = 10;

/** Whose slots are free now: connected workers under their capacity, and polls that wait. */
function freeWorkers(pool: Pool): FreeWorker[] {
  const heldCount = new Map<string, number>();
  for (const h of pool.store.heldRuns()) heldCount.set(h.worker_id, (heldCount.get(h.worker_id) ?? 0) + 1);
  const free: FreeWorker[] = [];
  for (const workerId of liveSockets(pool.durable).keys()) {
    const w = pool.store.worker(workerId);
    const slow = (pool.slowUntil.get(workerId) ?? 0) > Date.now();
    if (w) free.push({ worker_id: workerId, free: Math.max(0, w.capacity - (heldCount.get(workerId) ?? 0)), slow });
  }
  for (const waiter of pool.waiters) free.push({ worker_id: waiter.worker_id, free: waiter.limit - waiter.claimed.length });
  return free.filter((w) => w.free > 0);
}

function activeByDeployment(pool: Pool): Map<string, number> {
  const active = new Map<string, number>();
  for (const h of pool.store.heldRuns()) if (h.deployment_id) active.set(h.deployment_id, (active.get(h.deployment_id) ?? 0) + 1);
  return active;
}

async function toDueRuns(pool: Pool, rows: DueRow[]): Promise<DueRun[]> {
  const keys = rows.map((r) => scheduleKeyOf(r.idempotency_key, r.auto_scheduled));
  const scheduleIds = [...new Set(keys.filter((k): k is string => k !== null).map((k) => k.split(":")[1]!))];
  const catchup = await catchupOf(pool.db, scheduleIds);
  return rows.map((r, i) => ({
    id: r.id,
    deployment_id: r.deployment_id,
    state_name: r.state_name ?? "Scheduled",
    expected_start_time: r.expected_start_time ?? "",
    schedule_key: keys[i]!,
    catchup: keys[i] ? (catchup.get(keys[i]!.split(":")[1]!) ?? null) : null,
    deployment_limit: r.deployment_limit ?? null,
    collision_strategy: (r.collision_strategy as CollisionStrategy | null) ?? "ENQUEUE",
  }));
}

/** Skips, cancellations and waits: runs nobody holds, each a conditional write on the unleased run. */
async function settle(pool: Pool, action: Exclude<DispatchAction, { kind: "claim" }>, row: DueRow): Promise<void> {
  const { kind, message } = action;
  if (kind === "wait" && row.state_name === "AwaitingConcurrencySlot") return;
  const state =
    kind === "wait"
      ? { type: "SCHEDULED" as const, name: "AwaitingConcurrencySlot", message, state_details: { scheduled_time: row.expected_start_time } }
      : { type: "CANCELLED" as const, name: kind === "skip" ? "Skipped" : null, message, state_details: {} };
  pool.stream(poolStateChange(row.id, await setRunStateAsPool(pool.db, row.id, null, () => ({ state, force: false }), false)));
}

function deliver(pool: Pool, run: ClaimedRun, now: number): void {
  const waiter = pool.waiters.find((w) => w.worker_id === run.worker_id);
  pool.store.hold({
    run_id: run.flow_run.id,
    worker_id: run.worker_id,
    lease_token: run.lease_token,
    deployment_id: run.flow_run.deployment_id,
    // A poll's answer is its delivery; a socket's offer waits for the worker's ack.
    phase: waiter ? "acked" : "offered",
    deadline: waiter ? null : now + ACK_TIMEOUT_MS,
  });
  if (waiter) {
    waiter.claimed.push(run);
    waiter.wake();
    return;
  }
  const ws = liveSockets(pool.durable).get(run.worker_id);
  const { worker_id: _w, ...offer } = run;
  // No socket any more: the ack deadline gives the run back.
  if (ws) send(ws, { type: "offer", ...offer, ack_by: new Date(now + ACK_TIMEOUT_MS).toISOString() });
}

export async function dispatchOnce(pool: Pool): Promise<void> {
  const poolId = pool.poolId();
  if (!poolId) return;
  // Nobody to hand runs to: only the pool's existence is worth a read. Else the first page comes with it.
  const anyoneFree = freeWorkers(pool).length > 0;
  const first = anyoneFree ? await readPoolAndDue(pool.db, poolId, new Date().toISOString(), DUE_PAGE) : { config: await readPool(pool.db, poolId), rows: undefined };
  const { config } = first;
  if (!config) {
    for (const ws of pool.durable.getWebSockets()) close(ws, CLOSE_CODES.poolGone, "work pool was deleted");
    return;
  }
  if (config.is_paused) return;
  let cursor: DueCursor | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const workers = freeWorkers(pool);
    const poolFree = config.concurrency_limit === null ? Infinity : config.concurrency_limit - pool.store.heldRuns().length;
    if (workers.length === 0 || poolFree <= 0) return;
    const now = new Date();
    const rows = page === 0 && first.rows ? first.rows : await dueRuns(pool.db, poolId, now.toISOString(), DUE_PAGE, cursor);
    if (rows.length === 0) return;
    const last = rows.at(-1)!;
    const due = await toDueRuns(pool, rows);
    const autoDeployments = [...new Set(due.filter((d) => d.schedule_key).map((d) => d.deployment_id!))];
    const laterDue = await laterDueKeys(pool.db, poolId, now.toISOString(), last.expected_start_time ?? "", autoDeployments);
    const plan = planDispatch({ due, laterDue, workers, poolFree, activeByDeployment: activeByDeployment(pool), now });
    const rowById = new Map(rows.map((r) => [r.id, r]));
    const claims = plan.actions.flatMap((a) =>
      a.kind === "claim"
        ? [{ row: rowById.get(a.run.id)!, worker_id: a.worker_id, lease_token: crypto.randomUUID(), lease_until: new Date(now.getTime() + ACK_TIMEOUT_MS).toISOString() }]
        : [],
    );
    const claimed = await claimRuns(pool.db, poolId, claims, now);
    pool.stream(flowRunsClaimed(claimed));
    for (const run of claimed) deliver(pool, run, Date.now());
    for (const a of plan.actions) if (a.kind !== "claim") await settle(pool, a, rowById.get(a.run.id)!);
    if (plan.full || rows.length < DUE_PAGE) return;
    cursor = { expected_start_time: last.expected_start_time ?? "", id: last.id };
  }
}
