import type { SetStateBody } from "../../protocol/states";
import { CLOSE_CODES } from "../../protocol/worker-socket";
import { isTerminal } from "../../protocol/states";
import { readForSetState, releaseClaim, setRunStateAsPool, type FlowRunStateRow } from "../db/flow-run-state";
import { lastHeartbeats } from "../db/workers";
import { isLost } from "./alarm";
import { poolStateChange, workerStatus } from "../stream/events";
import type { Pool } from "./context";
import { close, liveSockets, send } from "./sockets";
import type { HeldRun } from "./store";
import { ACK_TIMEOUT_MS } from "./timing";

/*
 * Taking runs back: offers not acknowledged in time, cancellations never confirmed, and every run of
 * a worker that is gone. Each write is conditional on the lease the pool gave, so a run that moved on
 * meanwhile (finished, reassigned) is left alone.
 */

const state = (type: SetStateBody["state"]["type"], message: string): SetStateBody => ({
  state: { type, message, state_details: {} },
  force: false,
});

/** What becomes of a run whose worker is gone, by the state it was left in. */
function proposalForLostRun(row: FlowRunStateRow, why: string): SetStateBody | "release" | null {
  switch (row.state_type) {
    case "PENDING":
      return state("SCHEDULED", `${why} before the run started; it goes back to the pool`);
    case "RUNNING":
    case "PAUSED":
      return state("CRASHED", `${why} while the run was ${row.state_type.toLowerCase()}`);
    case "CANCELLING":
      return state("CANCELLED", `${why} while the run was being cancelled`);
    case "SCHEDULED":
      // AwaitingRetry that its worker would have retried in-process: hand it out again at its time.
      return "release";
    default:
      return null;
  }
}

/** Takes one held run away from its worker, as `why` says; drops it from the pool's memory. */
export async function loseRun(pool: Pool, held: HeldRun, why: string): Promise<void> {
  const row = await readForSetState(pool.db, held.run_id);
  if (row && row.lease_token === held.lease_token && !isTerminal(row.state_type as never)) {
    const proposal = proposalForLostRun(row, why);
    let givenBack: { work_pool_id: string | null } | undefined;
    if (proposal === "release") givenBack = await releaseClaim(pool.db, held.run_id, held.lease_token);
    else if (proposal) {
      const outcome = await setRunStateAsPool(pool.db, held.run_id, held.lease_token, () => proposal, true);
      pool.stream(poolStateChange(held.run_id, outcome));
      if (proposal.state.type === "SCHEDULED" && typeof outcome === "object" && outcome.result.status === "ACCEPT") givenBack = await readForSetState(pool.db, held.run_id);
    }
    // Given back into its deployment's pool, which may be another one now (the deployment moved while
    // the worker held the run): that pool hands it out, and hears of it now rather than at the cron.
    const to = givenBack?.work_pool_id;
    if (to && to !== pool.poolId()) pool.nudge(to);
  }
  pool.store.drop(held.run_id);
}

/** An offer whose ack deadline passed: back to the pool, unless the worker has started it meanwhile. */
async function expireOffer(pool: Pool, held: HeldRun, workerName: string): Promise<void> {
  const row = await readForSetState(pool.db, held.run_id);
  if (row && row.lease_token === held.lease_token && row.state_type !== "PENDING" && !isTerminal(row.state_type as never)) {
    // It reported a state over REST that the object did not hear of: the worker has it.
    pool.store.setPhase(held.run_id, row.state_type === "CANCELLING" ? "cancelling" : "acked", null);
    return;
  }
  await loseRun(pool, held, `worker ${workerName} did not acknowledge the run in time`);
  pool.slowUntil.set(held.worker_id, Date.now() + 6 * ACK_TIMEOUT_MS);
  const ws = liveSockets(pool.durable).get(held.worker_id);
  if (ws) send(ws, { type: "revoke", run_id: held.run_id, lease_token: held.lease_token, reason: "not acknowledged in time; the run went back to the pool" });
}

async function expireCancel(pool: Pool, held: HeldRun): Promise<void> {
  const message = "the worker did not confirm the cancellation in time; the run is cancelled without it";
  pool.stream(poolStateChange(held.run_id, await setRunStateAsPool(pool.db, held.run_id, held.lease_token, () => state("CANCELLED", message), true)));
  pool.store.drop(held.run_id);
}

/** Everything whose time has come: timed-out offers and cancellations, lost workers. */
export async function reap(pool: Pool, now: number): Promise<void> {
  const names = new Map(pool.store.workers().map((w) => [w.worker_id, w.name]));
  for (const held of pool.store.heldRuns()) {
    if (held.deadline === null || held.deadline > now) continue;
    if (held.phase === "offered") await expireOffer(pool, held, names.get(held.worker_id) ?? held.worker_id);
    else if (held.phase === "cancelling") await expireCancel(pool, held);
  }
  await reapWorkers(pool, now);
}

async function reapWorkers(pool: Pool, now: number): Promise<void> {
  const sockets = liveSockets(pool.durable);
  const suspects = pool.store.workers().filter((w) => isLost(w, sockets.has(w.worker_id), now));
  if (suspects.length === 0) return;
  // A worker may also beat over REST (polling workers do): its last beat there counts too.
  const beats = await lastHeartbeats(pool.db, suspects.map((w) => w.worker_id));
  for (const w of suspects) {
    const beat = beats.get(w.worker_id);
    const ws = sockets.get(w.worker_id);
    if (beat !== undefined && beat > w.last_beat && !isLost({ ...w, last_beat: beat }, !!ws, now) && (ws || w.kind === "poll")) {
      pool.store.saveWorker({ ...w, last_beat: beat });
      continue;
    }
    const why = ws
      ? `worker ${w.name} stopped sending heartbeats`
      : w.kind === "socket"
        ? `worker ${w.name} disconnected and did not reconnect in time`
        : `worker ${w.name} stopped polling and sending heartbeats`;
    if (ws) close(ws, CLOSE_CODES.missedHeartbeats, "missed heartbeats");
    for (const held of pool.store.heldBy(w.worker_id)) await loseRun(pool, held, why);
    pool.store.forgetWorker(w.worker_id);
    pool.stream(workerStatus(pool.poolId(), w.worker_id, w.name, "OFFLINE"));
  }
}
