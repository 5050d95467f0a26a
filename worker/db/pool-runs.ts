import { and, asc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { Catchup } from "../../protocol/schedules";
import type { OfferedDeployment } from "../../protocol/worker-socket";
import type { FlowRun } from "../../protocol/flow-runs";
import type { Db } from "./client";
import { flowRunColumns, toFlowRun } from "./flow-runs";
import { decide, runStateColumns, stateUpdate, unchangedSince } from "./run-state";
import { deployments, deploymentSchedules, flowRuns, flows, workPools } from "./schema";

/*
 * The D1 side of a pool's Durable Object: the runs due in the pool and the conditional writes that
 * claim them. Only the pool's object calls these (DESIGN.md: nothing else writes leases).
 */

// A literal, not a bound parameter: SQLite only uses the partial index flow_runs_pool_due when the
// query's condition is the index's own text.
const isScheduled = sql`${flowRuns.state_type} = 'SCHEDULED'`;

const poolQuery = (db: Db, poolId: string) =>
  db
    .select({ id: workPools.id, name: workPools.name, is_paused: workPools.is_paused, concurrency_limit: workPools.concurrency_limit })
    .from(workPools)
    .where(eq(workPools.id, poolId));
export type PoolConfig = NonNullable<Awaited<ReturnType<typeof readPool>>>;

export async function readPool(db: Db, poolId: string) {
  return poolQuery(db, poolId).get();
}

/**
 * The pool and its first page of due runs in one round trip: a dispatch pass for a run just created
 * waits on D1 for every round trip, and this is the first of them.
 */
export async function readPoolAndDue(db: Db, poolId: string, now: string, limit: number): Promise<{ config: PoolConfig | undefined; rows: DueRow[] }> {
  const [pools, rows] = await db.batch([poolQuery(db, poolId), dueRunsQuery(db, poolId, now, limit)]);
  return { config: pools[0], rows };
}

const dueColumns = {
  ...runStateColumns(flowRuns),
  flow_id: flowRuns.flow_id,
  deployment_id: flowRuns.deployment_id,
  idempotency_key: flowRuns.idempotency_key,
  auto_scheduled: flowRuns.auto_scheduled,
  deployment_limit: deployments.concurrency_limit,
  collision_strategy: deployments.collision_strategy,
};
export type DueRow = Awaited<ReturnType<typeof dueRuns>>[number];

/** Where a page of due runs ends: the next page starts after it. */
export type DueCursor = { expected_start_time: string; id: string };

/**
 * Due runs of the pool nobody holds, oldest first: SCHEDULED, their time come, no lease (an
 * AwaitingRetry run whose worker retries it in-process keeps its lease and is not handed out again).
 */
export function dueRuns(db: Db, poolId: string, now: string, limit: number, after?: DueCursor) {
  return dueRunsQuery(db, poolId, now, limit, after).all();
}

function dueRunsQuery(db: Db, poolId: string, now: string, limit: number, after?: DueCursor) {
  const cursor: SQL | undefined = after
    ? or(
        gt(flowRuns.expected_start_time, after.expected_start_time),
        and(eq(flowRuns.expected_start_time, after.expected_start_time), gt(flowRuns.id, after.id)),
      )
    : undefined;
  return db
    .select(dueColumns)
    .from(flowRuns)
    .leftJoin(deployments, eq(deployments.id, flowRuns.deployment_id))
    .where(and(eq(flowRuns.work_pool_id, poolId), isScheduled, lte(flowRuns.expected_start_time, now), isNull(flowRuns.lease_token), cursor))
    .orderBy(asc(flowRuns.expected_start_time), asc(flowRuns.id))
    .limit(limit);
}

/** When the pool's next run falls due after `now` (epoch ms), for the object's alarm. */
export async function nextDueTime(db: Db, poolId: string, now: string): Promise<number | null> {
  const row = await db
    .select({ t: flowRuns.expected_start_time })
    .from(flowRuns)
    .where(and(eq(flowRuns.work_pool_id, poolId), isScheduled, gt(flowRuns.expected_start_time, now), isNull(flowRuns.lease_token)))
    .orderBy(asc(flowRuns.expected_start_time))
    .limit(1)
    .get();
  return row?.t ? Date.parse(row.t) : null;
}

/** The catch-up setting of each schedule (by id); a deleted schedule is simply missing. */
export async function catchupOf(db: Db, scheduleIds: string[]): Promise<Map<string, Catchup>> {
  if (scheduleIds.length === 0) return new Map();
  const rows = await db
    .select({ id: deploymentSchedules.id, catchup: deploymentSchedules.catchup })
    .from(deploymentSchedules)
    .where(inArray(deploymentSchedules.id, scheduleIds))
    .all();
  return new Map(rows.map((r) => [r.id, r.catchup as Catchup]));
}

/**
 * Which of these deployments' schedules have another due run after `after`: catch-up must know
 * whether a run it is about to start is the latest missed slot of its schedule.
 */
export async function laterDueKeys(db: Db, poolId: string, now: string, after: string, deploymentIds: string[]): Promise<Set<string>> {
  if (deploymentIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ deployment_id: flowRuns.deployment_id, key: flowRuns.idempotency_key })
    .from(flowRuns)
    .where(
      and(
        eq(flowRuns.work_pool_id, poolId),
        isScheduled,
        gt(flowRuns.expected_start_time, after),
        lte(flowRuns.expected_start_time, now),
        eq(flowRuns.auto_scheduled, true),
        inArray(flowRuns.deployment_id, deploymentIds),
      ),
    )
    .all();
  const keys = new Set<string>();
  for (const r of rows) {
    const [, deployment, schedule] = (r.key ?? "").split(":");
    if (deployment && schedule) keys.add(`${deployment}:${schedule}`);
  }
  return keys;
}

export type Claim = { row: DueRow; worker_id: string; lease_token: string; lease_until: string };
export type ClaimedRun = { flow_run: FlowRun; flow_name: string; deployment: OfferedDeployment | null; lease_token: string; worker_id: string };

// A subquery, not a join: batches answer rows as objects, where the flow's "name" would replace the run's.
const flowName = sql<string>`(SELECT ${flows.name} FROM ${flows} WHERE ${flows.id} = ${flowRuns.flow_id})`.as("flow_name");

/** D1 binds at most 100 parameters per statement; the read-back binds one per claimed run. */
const CLAIMS_PER_BATCH = 50;

/**
 * Claims runs for workers: SCHEDULED → PENDING through the orchestration rules, with the worker and a
 * fresh lease token, each an UPDATE that only applies while the run is still as read and unleased.
 * Answers the runs actually claimed (a run cancelled or claimed meanwhile is simply left out).
 */
export async function claimRuns(db: Db, poolId: string, claims: Claim[], now: Date): Promise<ClaimedRun[]> {
  const claimed: ClaimedRun[] = [];
  for (let i = 0; i < claims.length; i += CLAIMS_PER_BATCH) claimed.push(...(await claimBatch(db, poolId, claims.slice(i, i + CLAIMS_PER_BATCH), now)));
  return claimed;
}

async function claimBatch(db: Db, poolId: string, claims: Claim[], now: Date): Promise<ClaimedRun[]> {
  const updates = claims.flatMap((c) => {
    const t = decide("flow_run", c.row, { state: { type: "PENDING", state_details: {} }, force: false }, now);
    if (t.decision.status !== "ACCEPT") return [];
    const set = { ...stateUpdate(flowRuns, c.row, t), worker_id: c.worker_id, lease_token: c.lease_token, lease_until: c.lease_until };
    return [db.update(flowRuns).set(set).where(and(unchangedSince(flowRuns, c.row), isNull(flowRuns.lease_token), eq(flowRuns.work_pool_id, poolId)))];
  });
  if (updates.length === 0) return [];
  const ids = claims.map((c) => c.row.id);
  const readBack = db
    .select({ ...flowRunColumns, lease_token: flowRuns.lease_token, flow_name: flowName })
    .from(flowRuns)
    .where(inArray(flowRuns.id, ids));
  const deploymentIds = [...new Set(claims.map((c) => c.row.deployment_id).filter((d): d is string => d !== null))];
  const readDeployments = db
    .select({ id: deployments.id, name: deployments.name, entrypoint: deployments.entrypoint, path: deployments.path, job_variables: deployments.job_variables })
    .from(deployments)
    .where(inArray(deployments.id, deploymentIds.length ? deploymentIds : [""]));
  const results = await db.batch([...(updates as [(typeof updates)[number]]), readBack, readDeployments]);
  const rows = results.at(-2) as Awaited<typeof readBack>;
  const deploymentsById = new Map((results.at(-1) as Awaited<typeof readDeployments>).map((d) => [d.id, d]));
  const byId = new Map(claims.map((c) => [c.row.id, c]));
  const out: ClaimedRun[] = [];
  for (const { lease_token, flow_name, ...row } of rows) {
    const claim = byId.get(row.id);
    if (!claim || lease_token !== claim.lease_token) continue;
    out.push({
      flow_run: toFlowRun(row, now),
      flow_name,
      deployment: (row.deployment_id && deploymentsById.get(row.deployment_id)) || null,
      lease_token,
      worker_id: claim.worker_id,
    });
  }
  return out;
}


/** The current lease and state type of each run (missing: deleted), for the pool's reconciliation. */
export async function leasesOf(db: Db, ids: string[]): Promise<Map<string, { lease_token: string | null; state_type: string | null }>> {
  const out = new Map<string, { lease_token: string | null; state_type: string | null }>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select({ id: flowRuns.id, lease_token: flowRuns.lease_token, state_type: flowRuns.state_type })
      .from(flowRuns)
      .where(inArray(flowRuns.id, ids.slice(i, i + 90)))
      .all();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}
