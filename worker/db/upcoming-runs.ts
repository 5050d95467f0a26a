import { and, eq, gt, inArray, notInArray, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import { deploymentSchedules, flowRuns } from "./schema";

/** A deployment's id, or a subquery (select builder) that finds it within the same batch. */
export type DeploymentRef = string | SQLWrapper;
/** Which of a deployment's schedules: all, all but `keep`, or `only` those. */
export type ScheduleScope = { keep?: string[]; only?: string[] };
type Statement = BatchItem<"sqlite">;

/** Only runs the scheduler made, that nobody has touched yet, and whose time has not come. */
function upcomingAutoRuns(now: string): SQL {
  return and(
    eq(flowRuns.auto_scheduled, true),
    eq(flowRuns.state_type, "SCHEDULED"),
    eq(flowRuns.state_name, "Scheduled"),
    gt(flowRuns.expected_start_time, now),
  )!;
}

/*
 * The scheduler's runs carry `scheduled:{deployment_id}:{schedule_id}:{slot}`. D1 caps LIKE patterns far
 * below that length, so the schedule id is cut out of the key instead: after the prefix, up to the next ':'.
 */
const keyPrefix = sql`'scheduled:' || ${flowRuns.deployment_id} || ':'`;
const afterPrefix = sql`substr(${flowRuns.idempotency_key}, length(${keyPrefix}) + 1)`;
const isScheduleKey = sql`substr(${flowRuns.idempotency_key}, 1, length(${keyPrefix})) = ${keyPrefix}`;
const scheduleIdOfKey = sql`substr(${afterPrefix}, 1, instr(${afterPrefix}, ':') - 1)`;

/**
 * Deletes a deployment's upcoming auto-scheduled runs, so the scheduler recreates them from what is now
 * stored. Late, Pending, Running and finished runs are never touched. `keep` spares the runs of those
 * schedules; `only` deletes nothing but theirs. The delete builder itself (not just a batch item), so it
 * can also join a D1 batch of raw statements (deployments.ts `deleteDeployment`).
 */
export function deleteUpcomingRuns(db: Db, deployment: DeploymentRef, now: string, scope: ScheduleScope = {}) {
  const ofDeployment = typeof deployment === "string" ? eq(flowRuns.deployment_id, deployment) : inArray(flowRuns.deployment_id, deployment);
  const limited = scope.only ? and(isScheduleKey, inArray(scheduleIdOfKey, scope.only)) : undefined;
  const spared = scope.keep?.length ? and(isScheduleKey, notInArray(scheduleIdOfKey, scope.keep)) : undefined;
  return db.delete(flowRuns).where(and(ofDeployment, upcomingAutoRuns(now), limited, spared));
}

/**
 * Sets the scheduler's bookkeeping of a deployment's schedules back to "never filled", so the next tick
 * creates their runs again from its own time, from what is then stored. The generation bump voids what
 * a tick that read the old values is about to write (worker/db/schedule-fill.ts).
 */
export function restartFill(db: Db, deployment: DeploymentRef, scope: ScheduleScope = {}): Statement {
  const s = deploymentSchedules;
  const ofDeployment = typeof deployment === "string" ? eq(s.deployment_id, deployment) : inArray(s.deployment_id, deployment);
  const limited = scope.only ? inArray(s.id, scope.only) : undefined;
  const spared = scope.keep?.length ? notInArray(s.id, scope.keep) : undefined;
  return db
    .update(s)
    .set({ scheduled_until: null, refill_at: "", fill_generation: sql`${s.fill_generation} + 1` })
    .where(and(ofDeployment, limited, spared));
}

/** What every change that outdates upcoming runs puts in its batch: the runs go, and the scheduler starts over. */
export function discardUpcomingRuns(db: Db, deployment: DeploymentRef, now: string, scope: ScheduleScope = {}): Statement[] {
  return [deleteUpcomingRuns(db, deployment, now, scope), restartFill(db, deployment, scope)];
}
