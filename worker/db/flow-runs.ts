import { and, eq, getTableColumns, or, sql } from "drizzle-orm";
import type { FlowRun, FlowRunCreate, FlowRunUpdate } from "../../protocol/flow-runs";
import { ApiError } from "../errors";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { generateRunName } from "./run-names";
import { assertStateDataSize, decide, initialStateValues } from "./run-state";
import { runStateView } from "./run-view";
import { flowRuns, logs, taskRuns, workPools, type StoredState } from "./schema";

// Claim bookkeeping and the history stay server-side; the pool is shown by name, as Prefect does.
const { state_history: _h, lease_token: _l, lease_until: _u, worker_id: _w, work_pool_id: _p, ...shown } = getTableColumns(flowRuns);
export const flowRunColumns = {
  ...shown,
  // A subquery with its own alias, not a join: D1 batches answer rows as objects, where a joined
  // "name" would overwrite the run's own.
  work_pool_name: sql<string | null>`(SELECT ${workPools.name} FROM ${workPools} WHERE ${workPools.id} = ${flowRuns.work_pool_id})`.as(
    "work_pool_name",
  ),
};
type FlowRunRow = { [K in keyof typeof shown]: (typeof flowRuns.$inferSelect)[K] } & { work_pool_name: string | null };

export function toFlowRun(row: FlowRunRow, now: Date): FlowRun {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    flow_id: row.flow_id,
    deployment_id: row.deployment_id,
    work_pool_name: row.work_pool_name,
    parent_task_run_id: row.parent_task_run_id,
    parameters: row.parameters,
    idempotency_key: row.idempotency_key,
    auto_scheduled: row.auto_scheduled,
    tags: row.tags,
    ...runStateView(row, now),
  };
}

/** A flow run to create: the API's body plus what the server decides (the pool of its deployment). */
export type NewFlowRun = FlowRunCreate & { work_pool_id?: string | null; auto_scheduled?: boolean };
export type CreatedFlowRun = { run: FlowRun; created: boolean; rows_written: number };

/**
 * Creates the run in its initial state (PENDING unless given), or answers the run that already has
 * this id or this flow's idempotency key. Insert-or-ignore and the read are one batch, so parallel
 * identical requests all answer the one run that the unique indexes let in.
 */
export async function createFlowRun(db: Db, input: NewFlowRun, now = new Date()): Promise<CreatedFlowRun> {
  const proposal = input.state ?? { type: "PENDING" as const, state_details: {} };
  assertStateDataSize(proposal);
  const t = decide("flow_run", null, { state: proposal, force: false }, now);
  if (!t.state) throw new ApiError(422, `invalid body.state: ${t.decision.reason ?? "not a state a run can start in"}`);
  const id = input.id ?? newId();
  const stamp = isoNow(now);
  const sameRun = input.idempotency_key
    ? or(eq(flowRuns.id, id), and(eq(flowRuns.flow_id, input.flow_id), eq(flowRuns.idempotency_key, input.idempotency_key)))
    : eq(flowRuns.id, id);
  const [inserted, rows] = await db.batch([
    db
      .insert(flowRuns)
      .values({
        id,
        created: stamp,
        updated: stamp,
        name: input.name ?? generateRunName(),
        flow_id: input.flow_id,
        deployment_id: input.deployment_id,
        work_pool_id: input.work_pool_id ?? null,
        parent_task_run_id: input.parent_task_run_id,
        parameters: input.parameters,
        idempotency_key: input.idempotency_key,
        auto_scheduled: input.auto_scheduled ?? false,
        tags: input.tags,
        empirical_policy: input.empirical_policy,
        ...initialStateValues(t),
      })
      .onConflictDoNothing(),
    db.select(flowRunColumns).from(flowRuns).where(sameRun),
  ]);
  const row = rows.find((r) => r.id === id) ?? rows[0];
  if (!row) throw new ApiError(409, `flow run ${JSON.stringify(id)} could not be created; try again`);
  if (row.flow_id !== input.flow_id) {
    throw new ApiError(409, `flow run id ${JSON.stringify(id)} is already used by a run of another flow`);
  }
  return { run: toFlowRun(row, now), created: row.state_id === t.state.id, rows_written: inserted.meta.rows_written };
}

export async function getFlowRun(db: Db, id: string, now = new Date()): Promise<FlowRun | undefined> {
  const row = await db.select(flowRunColumns).from(flowRuns).where(eq(flowRuns.id, id)).get();
  return row && toFlowRun(row, now);
}

/** The work pool a run created for `deploymentId` goes to, and the flow that deployment belongs to. */
export async function getDeploymentTarget(db: Db, deploymentId: string) {
  return db.get<{ flow_id: string; work_pool_id: string | null } | undefined>(
    sql`SELECT flow_id, work_pool_id FROM deployments WHERE id = ${deploymentId}`,
  );
}

/** Changes only the fields sent; false when the run does not exist. */
export async function updateFlowRun(db: Db, id: string, patch: FlowRunUpdate): Promise<boolean> {
  const rows = await db
    .update(flowRuns)
    .set({ ...patch, updated: isoNow() })
    .where(eq(flowRuns.id, id))
    .returning({ id: flowRuns.id });
  return rows.length > 0;
}

/** Deletes the run with its task runs and logs (which have no foreign key), all or nothing. */
export async function deleteFlowRun(db: Db, id: string): Promise<boolean> {
  const [, , deleted] = await db.batch([
    db.delete(logs).where(eq(logs.flow_run_id, id)),
    db.delete(taskRuns).where(eq(taskRuns.flow_run_id, id)),
    db.delete(flowRuns).where(eq(flowRuns.id, id)).returning({ id: flowRuns.id }),
  ]);
  return deleted.length > 0;
}

export async function getFlowRunStates(db: Db, id: string): Promise<StoredState[] | undefined> {
  const row = await db.select({ history: flowRuns.state_history }).from(flowRuns).where(eq(flowRuns.id, id)).get();
  return row?.history;
}
