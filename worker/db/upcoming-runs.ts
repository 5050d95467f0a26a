import { and, eq, gt, inArray, notInArray, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import { flowRuns } from "./schema";

/** A deployment's id, or a subquery (select builder) that finds it within the same batch. */
export type DeploymentRef = string | SQLWrapper;

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
 * schedules; `only` deletes nothing but theirs.
 */
export function deleteUpcomingRuns(
  db: Db,
  deployment: DeploymentRef,
  now: string,
  scope: { keep?: string[]; only?: string[] } = {},
): BatchItem<"sqlite"> {
  const ofDeployment = typeof deployment === "string" ? eq(flowRuns.deployment_id, deployment) : inArray(flowRuns.deployment_id, deployment);
  const limited = scope.only ? and(isScheduleKey, inArray(scheduleIdOfKey, scope.only)) : undefined;
  const spared = scope.keep?.length ? and(isScheduleKey, notInArray(scheduleIdOfKey, scope.keep)) : undefined;
  return db.delete(flowRuns).where(and(ofDeployment, upcomingAutoRuns(now), limited, spared));
}
