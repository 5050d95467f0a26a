import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { isTerminal, type SetStateBody, type StateType } from "../../protocol/states";
import { ApiError, notFound } from "../errors";
import type { Db } from "./client";
import { d1Statement } from "./end-runs";
import { setStateRaceSafe, type SetStateOutcome, type StateWrite } from "./run-set-state";
import { runStateColumns, stateUpdate, unchangedSince, type Transition } from "./run-state";
import { poolForReleasedRun } from "./pool-change";
import { flowRuns } from "./schema";
import { endedSubflowRuns, endOpenSubflowRuns, type EndedSubflowRun } from "./subflow-runs-end";
import { endedTaskRuns, endOpenTaskRuns, taskRunEnding, type EndedRow, type EndedTaskRun } from "./task-runs-end";

/*
 * set_state and cancel of flow runs: the shared machinery (run-set-state.ts) plus what only flow
 * runs have, the claim of a worker (worker_id, lease_token).
 */
const setStateColumns = {
  ...runStateColumns(flowRuns),
  lease_token: flowRuns.lease_token,
  worker_id: flowRuns.worker_id,
  work_pool_id: flowRuns.work_pool_id,
};
export type FlowRunStateRow = Awaited<ReturnType<typeof readForSetState>> & {};

export function readForSetState(db: Db, id: string) {
  return db.select(setStateColumns).from(flowRuns).where(eq(flowRuns.id, id)).get();
}

/**
 * A run rescheduled by hand (not a retry its worker runs in-process; a finished run, whatever the
 * name of its new state, is nobody's to retry) is no longer any worker's: the
 * claim goes with the state, so the pool hands the run out again and the old worker's reports are refused.
 */
const releasesClaim = (row: FlowRunStateRow, t: Transition) =>
  t.state?.type === "SCHEDULED" && (t.state.name !== "AwaitingRetry" || isTerminal(row.state_type as StateType | null));
const NO_CLAIM = { worker_id: null, lease_token: null, lease_until: null };
/** A run given back to its pool goes to its deployment's pool of now (see poolForReleasedRun). */
const RELEASED = { ...NO_CLAIM, work_pool_id: poolForReleasedRun };

/** What ended with a flow run: its task runs, and its subflow runs (with theirs). */
export type EndedWithRun = { ended_task_runs: EndedTaskRun[]; ended_subflow_runs: EndedSubflowRun[] };
const nothingEnded = (): EndedWithRun => ({ ended_task_runs: [], ended_subflow_runs: [] });

/**
 * Stores `t` with the UPDATE `set` … `where`; a state that ends the run also ends its open task runs
 * (task-runs-end.ts) and its open subflow runs with theirs (subflow-runs-end.ts) in the same batch,
 * answered in `ended`.
 */
type FlowRunSet = Parameters<ReturnType<Db["update"]>["set"]>[0];

async function storeTransition(db: Db, row: FlowRunStateRow, t: Transition, set: FlowRunSet, where: SQL, ended: EndedWithRun): Promise<StateWrite> {
  const update = db.update(flowRuns).set(set).where(where);
  if (!t.state || !taskRunEnding(t.state.type)) {
    const res = await update.run();
    return { changed: res.meta.changes > 0, rows_written: res.meta.rows_written };
  }
  const [res, closed, subTasks, subflows] = await db.$client.batch<EndedRow>([
    d1Statement(db, update),
    endOpenTaskRuns(db, row.id, t.state),
    ...endOpenSubflowRuns(db, row.id, t.state),
  ]);
  ended.ended_task_runs.push(...endedTaskRuns(closed!.results, t.state));
  ended.ended_subflow_runs.push(...endedSubflowRuns(subTasks!.results, subflows!.results, t.state));
  const rows_written = res!.meta.rows_written + closed!.meta.rows_written + subTasks!.meta.rows_written + subflows!.meta.rows_written;
  return { changed: res!.meta.changes > 0, rows_written };
}

function writeState(db: Db, row: FlowRunStateRow, t: Transition, ended: EndedWithRun): Promise<StateWrite> {
  const set = { ...stateUpdate(flowRuns, row, t), ...(releasesClaim(row, t) && row.lease_token !== null ? RELEASED : {}) };
  return storeTransition(db, row, t, set, unchangedSince(flowRuns, row), ended);
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

/**
 * The outcome, the pool of the run, whose object must hear of the change (see worker/pool/notify.ts),
 * and the task and subflow runs that ended with the run (for the live stream; a subflow run has no pool).
 */
export type FlowRunStateOutcome = SetStateOutcome & { work_pool_id: string | null } & EndedWithRun;

async function withPool(
  run: (read: () => Promise<FlowRunStateRow | undefined>, ended: EndedWithRun) => Promise<SetStateOutcome>,
  db: Db,
  id: string,
): Promise<FlowRunStateOutcome> {
  let poolId: string | null = null;
  const ended = nothingEnded();
  const outcome = await run(async () => {
    const row = await readForSetState(db, id);
    poolId = row?.work_pool_id ?? null;
    return row;
  }, ended);
  return { ...outcome, work_pool_id: poolId, ...ended };
}

export function setFlowRunState(db: Db, id: string, body: SetStateBody): Promise<FlowRunStateOutcome> {
  return withPool(
    (read, ended) =>
      setStateRaceSafe({
        kind: "flow_run",
        propose: () => body,
        read,
        check: (row) => checkLease(row, body),
        write: (row, t) => writeState(db, row, t, ended),
        notFound: () => notFound("flow run", id),
      }),
    db,
    id,
  );
}

/** A worker's process may still be running the flow in these states, so only the worker can end it. */
const heldByWorker = (row: FlowRunStateRow) =>
  row.worker_id !== null &&
  (row.state_type === "PENDING" || row.state_type === "RUNNING" || row.state_type === "PAUSED" || row.state_name === "AwaitingRetry");

/**
 * Cancels through the rules: CANCELLING when a worker holds the run (it kills the process and
 * confirms CANCELLED), CANCELLED at once otherwise, since nobody would ever confirm it.
 */
export function cancelFlowRun(db: Db, id: string): Promise<FlowRunStateOutcome> {
  return withPool(
    (read, ended) =>
      setStateRaceSafe({
        kind: "flow_run",
        propose: (row) =>
          heldByWorker(row)
            ? { state: { type: "CANCELLING", message: "cancellation requested", state_details: {} }, force: false }
            : { state: { type: "CANCELLED", message: "cancelled on request", state_details: {} }, force: false },
        read,
        write: (row, t) => writeState(db, row, t, ended),
        notFound: () => notFound("flow run", id),
      }),
    db,
    id,
  );
}

export type PoolStateOutcome = SetStateOutcome & EndedWithRun;

class LeaseChanged extends Error {}
class RunGone extends Error {}

/**
 * A state change the pool's object makes on its own authority (a claim given back, a lost worker's
 * run crashed, a cancellation that timed out, a run its deployment's concurrency keeps waiting). It
 * applies only while the run's lease is still `expectedLease` (null: unclaimed), so it never undoes
 * what happened meanwhile; `clearClaim` also takes the run away from its worker, so that worker's
 * later reports are refused (409).
 */
export async function setRunStateAsPool(
  db: Db,
  id: string,
  expectedLease: string | null,
  propose: (row: FlowRunStateRow) => SetStateBody,
  clearClaim: boolean,
): Promise<PoolStateOutcome | "lease changed" | "gone"> {
  const ended = nothingEnded();
  try {
    const outcome = await setStateRaceSafe({
      kind: "flow_run",
      propose,
      read: () => readForSetState(db, id),
      check: (row) => {
        if (row.lease_token !== expectedLease) throw new LeaseChanged();
      },
      write: (row, t) => {
        const where = and(unchangedSince(flowRuns, row), expectedLease === null ? isNull(flowRuns.lease_token) : eq(flowRuns.lease_token, expectedLease))!;
        const claim = !clearClaim ? {} : t.state?.type === "SCHEDULED" ? RELEASED : NO_CLAIM;
        return storeTransition(db, row, t, { ...stateUpdate(flowRuns, row, t), ...claim }, where, ended);
      },
      notFound: () => new RunGone(),
    });
    return { ...outcome, ...ended };
  } catch (e) {
    if (e instanceof LeaseChanged) return "lease changed";
    if (e instanceof RunGone) return "gone";
    throw e;
  }
}

/**
 * Takes a SCHEDULED run (an AwaitingRetry whose worker is gone) away from its worker, state unchanged,
 * into its deployment's pool. Answers that pool, undefined when the run was not released.
 */
export async function releaseClaim(db: Db, id: string, lease: string): Promise<{ work_pool_id: string | null } | undefined> {
  const where = and(eq(flowRuns.id, id), eq(flowRuns.lease_token, lease), sql`${flowRuns.state_type} = 'SCHEDULED'`);
  const rows = await db.update(flowRuns).set(RELEASED).where(where).returning({ work_pool_id: flowRuns.work_pool_id });
  return rows[0];
}
