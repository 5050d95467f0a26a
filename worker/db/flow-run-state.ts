import { eq } from "drizzle-orm";
import type { SetStateBody } from "../../protocol/states";
import { ApiError, notFound } from "../errors";
import type { Db } from "./client";
import { setStateRaceSafe, type SetStateOutcome, type StateWrite } from "./run-set-state";
import { runStateColumns, stateUpdate, unchangedSince, type Transition } from "./run-state";
import { flowRuns } from "./schema";

/*
 * set_state and cancel of flow runs: the shared machinery (run-set-state.ts) plus what only flow
 * runs have, the claim of a worker (worker_id, lease_token).
 */
const setStateColumns = { ...runStateColumns(flowRuns), lease_token: flowRuns.lease_token, worker_id: flowRuns.worker_id };
type FlowRunStateRow = Awaited<ReturnType<typeof readForSetState>> & {};

function readForSetState(db: Db, id: string) {
  return db.select(setStateColumns).from(flowRuns).where(eq(flowRuns.id, id)).get();
}

async function writeState(db: Db, row: FlowRunStateRow, t: Transition): Promise<StateWrite> {
  const res = await db.update(flowRuns).set(stateUpdate(flowRuns, row, t)).where(unchangedSince(flowRuns, row)).run();
  return { changed: res.meta.changes > 0, rows_written: res.meta.rows_written };
}

/**
 * Fencing: a report from a worker whose claim is no longer current must not touch the run. A run with
 * no claim at all (released when its holder was declared lost) has no current token either.
 */
function checkLease(row: FlowRunStateRow, body: SetStateBody): void {
  const token = body.state.state_details.lease_token;
  if (token && token !== row.lease_token) {
    throw new ApiError(
      409,
      "lease_token does not match the run's current claim: the run was given to another worker or declared crashed meanwhile; stop working on it",
    );
  }
}

export function setFlowRunState(db: Db, id: string, body: SetStateBody): Promise<SetStateOutcome> {
  return setStateRaceSafe({
    kind: "flow_run",
    propose: () => body,
    read: () => readForSetState(db, id),
    check: (row) => checkLease(row, body),
    write: (row, t) => writeState(db, row, t),
    notFound: () => notFound("flow run", id),
  });
}

/** A worker's process may still be running the flow in these states, so only the worker can end it. */
const heldByWorker = (row: FlowRunStateRow) =>
  row.worker_id !== null &&
  (row.state_type === "PENDING" || row.state_type === "RUNNING" || row.state_type === "PAUSED" || row.state_name === "AwaitingRetry");

/**
 * Cancels through the rules: CANCELLING when a worker holds the run (it kills the process and
 * confirms CANCELLED), CANCELLED at once otherwise, since nobody would ever confirm it.
 */
export function cancelFlowRun(db: Db, id: string): Promise<SetStateOutcome> {
  return setStateRaceSafe({
    kind: "flow_run",
    propose: (row) =>
      heldByWorker(row)
        ? { state: { type: "CANCELLING", message: "cancellation requested", state_details: {} }, force: false }
        : { state: { type: "CANCELLED", message: "cancelled on request", state_details: {} }, force: false },
    read: () => readForSetState(db, id),
    write: (row, t) => writeState(db, row, t),
    notFound: () => notFound("flow run", id),
  });
}
