import { isTerminal, type State } from "../../protocol/states";
import { readForSetState } from "../db/flow-run-state";
import type { Pool } from "./context";
import { liveSockets, send } from "./sockets";
import { CANCEL_TIMEOUT_MS } from "./timing";

/** The part of a run's new state the pool acts on. */
export type RunChange = { run_id: string; type: State["type"]; name: string };

/*
 * How the pool follows a run's state, whether the worker reported it over the socket or anyone set it
 * over REST: a finished run frees its worker's slot and its deployment's at once; CANCELLING is pushed
 * to the worker that holds the run; a run rescheduled by hand is handed out again.
 */
export async function afterStateChange(pool: Pool, runId: string, state: Pick<State, "type" | "name">): Promise<void> {
  const held = pool.store.held(runId);
  if (isTerminal(state.type)) {
    if (held) pool.store.drop(runId);
    return pool.dispatch();
  }
  if (state.type === "CANCELLING") return pushCancel(pool, runId);
  if (state.type === "SCHEDULED") {
    // An AwaitingRetry keeps its worker (it retries in-process); any other reschedule released the claim.
    if (held && state.name !== "AwaitingRetry") pool.store.drop(runId);
    return pool.dispatch();
  }
  if (held?.phase === "offered") pool.store.setPhase(runId, "acked", null);
  return pool.rearm();
}

async function pushCancel(pool: Pool, runId: string): Promise<void> {
  let held = pool.store.held(runId);
  if (!held) {
    // The pool lost track of it (storage predates the claim): D1 still names the worker and the lease.
    const row = await readForSetState(pool.db, runId);
    if (!row?.worker_id || !row.lease_token) return;
    held = { run_id: runId, worker_id: row.worker_id, lease_token: row.lease_token, deployment_id: null, phase: "cancelling", deadline: null };
  }
  const deadline = Date.now() + CANCEL_TIMEOUT_MS;
  pool.store.hold({ ...held, phase: "cancelling", deadline });
  const ws = liveSockets(pool.durable).get(held.worker_id);
  if (ws) send(ws, { type: "cancel", run_id: runId, lease_token: held.lease_token, reason: "cancellation requested" });
  await pool.rearm();
}
