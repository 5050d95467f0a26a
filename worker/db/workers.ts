import { and, asc, desc, eq, exists, inArray, not, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import type { Worker, WorkerFilter, WorkerHeartbeat } from "../../protocol/work-pools";
import { MISSED_BEATS_BEFORE_OFFLINE, workerStatus } from "../liveness";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { workers, workPools } from "./schema";

/**
 * SQL twin of `workerStatus(...) === "ONLINE"` for filters and pool status: the deadline is computed by
 * SQLite in whole milliseconds and formatted like `toISOString()`, so the text comparison with `now` is exact.
 */
function isOnline(now: string): SQL {
  return sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${workers.last_heartbeat_time}, '+' || (${MISSED_BEATS_BEFORE_OFFLINE} * ${workers.heartbeat_interval_seconds}) || ' seconds') >= ${now}`;
}

/**
 * 1 when the pool has at least one ONLINE worker; uses the (work_pool_id, name) index. A query builder
 * rather than a template, because drizzle strips table names from columns written directly in a selected
 * expression, which would make `id` mean the worker's.
 */
export function hasOnlineWorker(poolId: SQLWrapper, now: string): SQL {
  const onlineWorkers = new QueryBuilder()
    .select({ one: sql`1` })
    .from(workers)
    .where(and(eq(workers.work_pool_id, poolId), isOnline(now)));
  return exists(onlineWorkers);
}

const poolIdByName = (db: Db, pool: string) => db.select({ id: workPools.id }).from(workPools).where(eq(workPools.name, pool));

/**
 * The first beat of a name creates the worker (the row and its two index entries), later ones move its
 * heartbeat: one statement writing one row and no index entry, since no indexed column changes. Answers
 * the rows D1 wrote: 0 means the pool does not exist.
 */
export async function recordHeartbeat(db: Db, pool: string, beat: WorkerHeartbeat): Promise<number> {
  const now = isoNow();
  // insert ... select needs every column, in the table's order.
  const newWorker = db
    .select({
      id: sql<string>`${newId()}`.as("id"),
      created: sql<string>`${now}`.as("created"),
      updated: sql<string>`${now}`.as("updated"),
      work_pool_id: workPools.id,
      name: sql<string>`${beat.name}`.as("name"),
      last_heartbeat_time: sql<string>`${now}`.as("last_heartbeat_time"),
      heartbeat_interval_seconds: sql<number>`${beat.heartbeat_interval_seconds}`.as("heartbeat_interval_seconds"),
      metadata: sql<string>`${JSON.stringify(beat.metadata ?? {})}`.as("metadata"),
    })
    .from(workPools)
    .where(eq(workPools.name, pool));
  const result = await db
    .insert(workers)
    .select(newWorker)
    .onConflictDoUpdate({
      target: [workers.work_pool_id, workers.name],
      set: {
        updated: now,
        last_heartbeat_time: now,
        heartbeat_interval_seconds: beat.heartbeat_interval_seconds,
        ...(beat.metadata && { metadata: beat.metadata }),
      },
    })
    .run();
  return result.meta.rows_written;
}

function statusCondition(statuses: readonly Worker["status"][] | undefined, now: string): SQL | undefined {
  if (statuses === undefined) return undefined;
  const online = statuses.includes("ONLINE");
  const offline = statuses.includes("OFFLINE");
  if (online && offline) return undefined;
  if (online) return isOnline(now);
  if (offline) return not(isOnline(now));
  return sql`0`;
}

/** The pool's workers, newest heartbeat first, or undefined when the pool does not exist. */
export async function filterWorkers(db: Db, pool: string, f: WorkerFilter, now = new Date()): Promise<Worker[] | undefined> {
  const nowIso = isoNow(now);
  const [poolRows, rows] = await db.batch([
    poolIdByName(db, pool),
    db
      .select({ worker: workers })
      .from(workers)
      .innerJoin(workPools, eq(workPools.id, workers.work_pool_id))
      .where(and(eq(workPools.name, pool), statusCondition(f.workers?.status?.any_, nowIso)))
      .orderBy(desc(workers.last_heartbeat_time), asc(workers.name))
      .limit(f.limit)
      .offset(f.offset),
  ]);
  if (poolRows.length === 0) return undefined;
  return rows.map(({ worker }) => ({
    ...worker,
    status: workerStatus(worker.last_heartbeat_time, worker.heartbeat_interval_seconds, now),
  }));
}

/** Which of the two names was missing, if any. */
export async function deleteWorker(db: Db, pool: string, name: string): Promise<"deleted" | "no pool" | "no worker"> {
  const [poolRows, deleted] = await db.batch([
    poolIdByName(db, pool),
    db
      .delete(workers)
      .where(and(eq(workers.work_pool_id, poolIdByName(db, pool)), eq(workers.name, name)))
      .returning({ id: workers.id }),
  ]);
  if (poolRows.length === 0) return "no pool";
  return deleted.length > 0 ? "deleted" : "no worker";
}

/**
 * A worker says hello on the pool socket, or polls: created or its heartbeat moved, like `recordHeartbeat`,
 * answering its id (undefined when the pool is gone).
 */
export async function upsertPoolWorker(db: Db, poolId: string, name: string, intervalSeconds: number, metadata: Record<string, unknown>) {
  const now = isoNow();
  const row = await db
    .insert(workers)
    .values({ id: newId(), created: now, updated: now, work_pool_id: poolId, name, last_heartbeat_time: now, heartbeat_interval_seconds: intervalSeconds, metadata })
    .onConflictDoUpdate({
      target: [workers.work_pool_id, workers.name],
      set: { updated: now, last_heartbeat_time: now, heartbeat_interval_seconds: intervalSeconds, metadata },
    })
    .returning({ id: workers.id })
    .get()
    .catch((e: unknown) => {
      // The pool was deleted: its id no longer satisfies the foreign key.
      if (String(e).includes("FOREIGN KEY")) return undefined;
      throw e;
    });
  return row?.id;
}

/** A heartbeat that arrived over the pool's socket: one row written, no index entry. */
export async function touchWorker(db: Db, workerId: string): Promise<void> {
  const now = isoNow();
  await db.update(workers).set({ updated: now, last_heartbeat_time: now }).where(eq(workers.id, workerId)).run();
}

/** When each worker last sent a heartbeat by any route (REST or socket), epoch ms. */
export async function lastHeartbeats(db: Db, workerIds: string[]): Promise<Map<string, number>> {
  if (workerIds.length === 0) return new Map();
  const rows = await db
    .select({ id: workers.id, t: workers.last_heartbeat_time })
    .from(workers)
    .where(inArray(workers.id, workerIds))
    .all();
  return new Map(rows.map((r) => [r.id, Date.parse(r.t)]));
}
