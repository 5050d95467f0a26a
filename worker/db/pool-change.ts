import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import { deployments, deploymentSchedules as s, flowRuns, workPools } from "./schema";
import { deleteUpcomingRuns, type DeploymentRef } from "./upcoming-runs";

type Statement = BatchItem<"sqlite">;

/*
 * What a deployment's move to another work pool does to its runs that have not started. A run stays
 * in the pool it was created in, and only that pool's workers get it: left behind, it would stay
 * Scheduled (then Late) forever, and show as the schedule's next run.
 *
 * - The scheduler's untouched runs (auto-scheduled, still "Scheduled", Late or not) are deleted, as any
 *   change that outdates them does, and the schedules' bookkeeping is set back to just before the
 *   earliest overdue one: the next tick (right after the change) treats the overdue slots as missed and
 *   follows each schedule's catch-up setting for them, as after a scheduler outage, then fills ahead
 *   for the new pool.
 * - Every other Scheduled run nobody holds (created by hand or by a trigger, AwaitingRetry, a run someone
 *   rescheduled) is moved to the new pool: it was asked for, so it still runs, now where the deployment's
 *   workers are. Prefect keeps a run's queue instead, where a run whose pool no longer matches its
 *   deployment is never picked up.
 * - Pending and Running runs, and an AwaitingRetry run whose worker retries it in-process (it holds the
 *   lease), stay where they are: a worker of the old pool has them.
 */

// A literal, not a bound parameter: SQLite then uses the partial index flow_runs_pool_due.
const notStarted = sql`${flowRuns.state_type} = 'SCHEDULED'`;
const ofDeployment = (deployment: DeploymentRef, column: typeof flowRuns.deployment_id | typeof s.deployment_id): SQL =>
  typeof deployment === "string" ? eq(column, deployment) : inArray(column, deployment);
const untouchedAuto = and(eq(flowRuns.auto_scheduled, true), notStarted, eq(flowRuns.state_name, "Scheduled"))!;
const deploymentPool = sql`(SELECT ${deployments.work_pool_id} FROM ${deployments} WHERE ${deployments.id} = ${flowRuns.deployment_id})`;
/*
 * Runs the deployment's current pool does not have, read in the statement: after the deployment row
 * is written in the same batch, so of two moves racing (X→Y, X→Z) the later batch also takes the runs
 * the earlier one moved to Y, never only those in the pool its request read before.
 */
const elsewhere = sql`${flowRuns.work_pool_id} IS NOT ${deploymentPool}`;

/**
 * The pool a run given back to its pool (SCHEDULED again, no worker holds it) belongs in: its
 * deployment's pool as it is now, for the deployment may have moved while a worker of the old pool
 * held the run (left behind by the move below, nothing would ever move it again). A run of no
 * deployment keeps its pool. For the SET of the statement that clears the claim.
 */
export const poolForReleasedRun = sql`CASE WHEN ${flowRuns.deployment_id} IS NULL THEN ${flowRuns.work_pool_id} ELSE ${deploymentPool} END`;

/**
 * The statements, for the batch that changes the deployment's pool and after that change (the moved
 * runs take the deployment's pool as the batch left it, and "left behind" is read against it too).
 */
export function poolChangeStatements(db: Db, deployment: DeploymentRef, now: string): Statement[] {
  const leftBehind = and(ofDeployment(deployment, flowRuns.deployment_id), elsewhere, notStarted)!;
  // The schedule's earliest overdue run, by its key `scheduled:{deployment}:{schedule}:{slot}` (a range:
  // ';' follows ':'), less a millisecond: slots are whole seconds, and the tick plans those after it.
  const keyRange = (end: string) => sql`'scheduled:' || ${s.deployment_id} || ':' || ${s.id} || ${end}`;
  const firstOverdue = sql`(SELECT min(${flowRuns.expected_start_time}) FROM ${flowRuns}
    WHERE ${flowRuns.deployment_id} = ${s.deployment_id} AND ${elsewhere} AND ${untouchedAuto}
      AND ${flowRuns.expected_start_time} <= ${now}
      AND ${flowRuns.idempotency_key} > ${keyRange(":")} AND ${flowRuns.idempotency_key} < ${keyRange(";")})`;
  return [
    // First, while the overdue runs are still there to be read. The generation bump voids what a tick
    // that read the old bookkeeping is about to write (db/schedule-fill.ts).
    db
      .update(s)
      .set({
        scheduled_until: sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${firstOverdue}, '-0.001 seconds')`,
        refill_at: "",
        fill_generation: sql`${s.fill_generation} + 1`,
      })
      .where(ofDeployment(deployment, s.deployment_id)),
    db.delete(flowRuns).where(and(leftBehind, untouchedAuto)),
    // Upcoming ones elsewhere too, as every change that outdates them does.
    deleteUpcomingRuns(db, deployment, now),
    db
      .update(flowRuns)
      .set({ work_pool_id: deploymentPool, updated: now })
      .where(and(leftBehind, isNull(flowRuns.lease_token))),
  ];
}

/**
 * For the batch that deletes a pool no deployment uses: its Scheduled runs nobody holds that belong to a
 * deployment (which has moved to another pool) follow that deployment, so none is left without a pool.
 * Runs of no deployment (it was deleted) stay, with no pool.
 */
export function followDeployments(db: Db, poolName: string, now: string): Statement {
  const pool = db.select({ id: workPools.id }).from(workPools).where(eq(workPools.name, poolName));
  const unused = sql`NOT EXISTS (SELECT 1 FROM ${deployments} WHERE ${deployments.work_pool_id} = ${flowRuns.work_pool_id})`;
  return db
    .update(flowRuns)
    .set({ work_pool_id: deploymentPool, updated: now })
    .where(and(inArray(flowRuns.work_pool_id, pool), notStarted, isNull(flowRuns.lease_token), sql`${flowRuns.deployment_id} IS NOT NULL`, unused));
}
