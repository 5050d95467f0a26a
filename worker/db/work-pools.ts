import { and, asc, eq, getTableColumns, inArray, sql, type SQL } from "drizzle-orm";
import type { WorkPool, WorkPoolCreate, WorkPoolFilter, WorkPoolUpdate } from "../../protocol/work-pools";
import { poolStatus } from "../liveness";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { followDeployments } from "./pool-change";
import { deployments, flowRuns, flows, workPools } from "./schema";
import { hasOnlineWorker } from "./workers";

type PoolRow = typeof workPools.$inferSelect;

const withStatus = (row: PoolRow, hasOnline: boolean): WorkPool => ({ ...row, status: poolStatus(row.is_paused, hasOnline) });

/** Pools with their status, which depends on the workers' heartbeats at `now`. */
function selectPools(db: Db, now: string) {
  return db.select({ pool: getTableColumns(workPools), online: hasOnlineWorker(workPools.id, now) }).from(workPools);
}

/** Creates the pool, or answers undefined when the name is taken (the unique index decides, so races are safe). */
export async function createWorkPool(db: Db, input: WorkPoolCreate): Promise<WorkPool | undefined> {
  const now = isoNow();
  const [row] = await db
    .insert(workPools)
    .values({ id: newId(), created: now, updated: now, ...input })
    .onConflictDoNothing({ target: workPools.name })
    .returning();
  return row && withStatus(row, false);
}

export async function getWorkPoolByName(db: Db, name: string): Promise<WorkPool | undefined> {
  const row = await selectPools(db, isoNow()).where(eq(workPools.name, name)).get();
  return row && withStatus(row.pool, Boolean(row.online));
}

function poolConditions(f: WorkPoolFilter["work_pools"]): SQL[] {
  const where: SQL[] = [];
  if (f?.name?.any_) where.push(inArray(workPools.name, f.name.any_));
  return where;
}

export async function filterWorkPools(db: Db, f: WorkPoolFilter): Promise<WorkPool[]> {
  const rows = await selectPools(db, isoNow())
    .where(and(...poolConditions(f.work_pools)))
    .orderBy(asc(workPools.name))
    .limit(f.limit)
    .offset(f.offset);
  return rows.map((r) => withStatus(r.pool, Boolean(r.online)));
}

export async function countWorkPools(db: Db, f: Pick<WorkPoolFilter, "work_pools">): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(workPools)
    .where(and(...poolConditions(f.work_pools)))
    .get();
  return row?.n ?? 0;
}

/** Changes only the fields sent; false when no pool has that name. */
/** Answers the pool's id, or undefined when there is no such pool. */
export async function updateWorkPool(db: Db, name: string, patch: WorkPoolUpdate): Promise<string | undefined> {
  const rows = await db
    .update(workPools)
    .set({ ...patch, updated: isoNow() })
    .where(eq(workPools.name, name))
    .returning({ id: workPools.id });
  return rows[0]?.id;
}

export type PoolDeletion = { deleted: string } | { usedBy: string[]; users: number } | { inProgress: number } | { missing: true };

/** How many of the deployments in a pool a refusal names. */
const NAMED_USERS = 5;

/**
 * Runs of the pool a worker of it has (or had) started: its object crashes them, or gives them back,
 * when their workers go, and that needs the pool. Gone, its workers are cut off and whatever their runs
 * would report next is left to an object the cron no longer visits.
 */
const inProgressIn = (poolId: SQL | typeof workPools.id) => sql`${flowRuns.work_pool_id} = ${poolId}
  AND (${flowRuns.state_type} IN ('PENDING', 'RUNNING', 'PAUSED', 'CANCELLING') OR (${flowRuns.state_type} = 'SCHEDULED' AND ${flowRuns.lease_token} IS NOT NULL))`;

/**
 * Deletes a pool that no deployment uses and that has no run in progress; the schema's foreign keys
 * delete its workers. A pool in use is refused, naming its deployments (`flow/deployment`): their runs
 * would never be picked up again and would show as their schedules' next runs forever. So is one whose
 * workers still hold runs (of deployments that moved away): they would be crashed or stranded. The
 * checks are part of the delete, so a deployment moved into the pool meanwhile keeps it. Scheduled runs
 * of deployments that moved on follow them (db/pool-change.ts), in the same batch.
 */
export async function deleteWorkPool(db: Db, name: string, tries = 3): Promise<PoolDeletion> {
  const unused = sql`NOT EXISTS (SELECT 1 FROM ${deployments} WHERE ${deployments.work_pool_id} = ${workPools.id})`;
  const idle = sql`NOT EXISTS (SELECT 1 FROM ${flowRuns} WHERE ${inProgressIn(workPools.id)})`;
  const [, deleted] = await db.batch([
    followDeployments(db, name, isoNow()),
    db.delete(workPools).where(and(eq(workPools.name, name), unused, idle)).returning({ id: workPools.id }),
  ]);
  if (deleted[0]) return { deleted: deleted[0].id };
  const users = await db
    .select({ name: sql<string>`${flows.name} || '/' || ${deployments.name}`, total: sql<number>`count(*) OVER ()` })
    .from(deployments)
    .innerJoin(workPools, eq(workPools.id, deployments.work_pool_id))
    .innerJoin(flows, eq(flows.id, deployments.flow_id))
    .where(eq(workPools.name, name))
    .orderBy(asc(flows.name), asc(deployments.name))
    .limit(NAMED_USERS);
  if (users.length > 0) return { usedBy: users.map((u) => u.name), users: users[0]!.total };
  const pool = await db.select({ id: workPools.id }).from(workPools).where(eq(workPools.name, name)).get();
  // Not there, or its last deployment left between the two statements: another try settles which.
  if (!pool) return { missing: true };
  const busy = await db.select({ n: sql<number>`count(*)` }).from(flowRuns).where(inProgressIn(sql`${pool.id}`)).get();
  if (busy && busy.n > 0) return { inProgress: busy.n };
  return tries > 1 ? deleteWorkPool(db, name, tries - 1) : { usedBy: [], users: 0 };
}

/** Every pool's id, for the cron's visit to each pool's object. */
export async function allWorkPoolIds(db: Db): Promise<string[]> {
  return (await db.select({ id: workPools.id }).from(workPools).all()).map((r) => r.id);
}
