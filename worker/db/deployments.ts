import { and, asc, desc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type {
  Deployment,
  DeploymentCount,
  DeploymentCreate,
  DeploymentFilter,
  DeploymentResponse,
  DeploymentUpdate,
} from "../../protocol/deployments";
import type { DeploymentScheduleCreate } from "../../protocol/schedules";
import type { TriggerSpec } from "../../protocol/triggers";
import type { RunnableDeployment } from "../runs/deployment-run";
import type { Db } from "./client";
import { listSchedules, planReplacement, replacementStatements, sameJson, schedulesOf } from "./deployment-schedules";
import { listTriggers, triggerReplacementStatements, triggersOf } from "./deployment-triggers";
import { isoNow, newId } from "./ids";
import { poolChangeStatements } from "./pool-change";
import { d1Statement, endedRuns, endRuns, type EndedRow, type EndedRun } from "./end-runs";
import { deployments, flows, workPools } from "./schema";
import { containsText, inValues, tagsContainAll } from "./sql";
import { deleteUpcomingRuns, discardUpcomingRuns, type DeploymentRef } from "./upcoming-runs";

type Statement = BatchItem<"sqlite">;
export type DeploymentRow = typeof deployments.$inferSelect;
/** The columns a create or an update sets (the flow and name identify the deployment and never change). */
type DeploymentValues = Partial<Omit<DeploymentRow, "id" | "created" | "updated" | "flow_id" | "name">>;

const { work_pool_id: _workPoolId, ...ownColumns } = getTableColumns(deployments);

export const runnableColumns = {
  id: deployments.id,
  flow_id: deployments.flow_id,
  work_pool_id: deployments.work_pool_id,
  paused: deployments.paused,
  parameters: deployments.parameters,
  parameter_openapi_schema: deployments.parameter_openapi_schema,
  enforce_parameter_schema: deployments.enforce_parameter_schema,
  tags: deployments.tags,
  retries: deployments.retries,
  retry_delay_seconds: deployments.retry_delay_seconds,
} satisfies { [K in keyof RunnableDeployment]: unknown };

/**
 * Deployments as the API shows them: with their flow's and work pool's names. The joined names get
 * aliases because D1 batches answer rows keyed by column name, where a second `name` would overwrite the first.
 */
const selectDeployments = (db: Db) =>
  db
    .select({
      ...ownColumns,
      flow_name: sql<string>`${flows.name}`.as("flow_name"),
      work_pool_name: sql<string | null>`${workPools.name}`.as("work_pool_name"),
    })
    .from(deployments)
    .innerJoin(flows, eq(flows.id, deployments.flow_id))
    .leftJoin(workPools, eq(workPools.id, deployments.work_pool_id));

export async function getDeployment(db: Db, id: string): Promise<Deployment | undefined> {
  return selectDeployments(db).where(eq(deployments.id, id)).get();
}

/** What creating a run of the deployment needs (worker/runs/deployment-run.ts), in one read. */
export async function getRunnableDeployment(db: Db, id: string): Promise<RunnableDeployment | undefined> {
  return db.select(runnableColumns).from(deployments).where(eq(deployments.id, id)).get();
}

export async function getDeploymentByName(db: Db, flowName: string, name: string): Promise<Deployment | undefined> {
  return selectDeployments(db).where(and(eq(flows.name, flowName), eq(deployments.name, name))).get();
}

/** Deployments as the API answers them, with their schedules and triggers (one query each for the lot). */
export async function asResponses(db: Db, list: Deployment[]): Promise<DeploymentResponse[]> {
  const ids = list.map((d) => d.id);
  const [schedules, triggers] = await Promise.all([schedulesOf(db, ids), triggersOf(db, ids)]);
  return list.map((d) => ({ ...d, schedules: schedules.get(d.id) ?? [], triggers: triggers.get(d.id) ?? [] }));
}

export async function findWorkPoolId(db: Db, name: string): Promise<string | undefined> {
  return (await db.select({ id: workPools.id }).from(workPools).where(eq(workPools.name, name)).get())?.id;
}

function deploymentConditions(f: DeploymentCount): SQL[] {
  const where: SQL[] = [];
  const d = f.deployments;
  if (d?.id?.any_) where.push(inValues(deployments.id, d.id.any_));
  if (d?.name?.any_) where.push(inValues(deployments.name, d.name.any_));
  if (d?.name?.like_) where.push(containsText(deployments.name, d.name.like_));
  if (d?.tags?.all_?.length) where.push(tagsContainAll(deployments.tags, d.tags.all_));
  if (d?.paused) where.push(eq(deployments.paused, d.paused.eq_));
  if (f.flows?.id?.any_) where.push(inValues(deployments.flow_id, f.flows.id.any_));
  if (f.flows?.name?.any_) where.push(inValues(flows.name, f.flows.name.any_));
  if (f.work_pools?.name?.any_) where.push(inValues(workPools.name, f.work_pools.name.any_));
  return where;
}

// The id breaks ties, so that pages never overlap.
const DEPLOYMENT_SORTS = {
  NAME_ASC: [asc(deployments.name), asc(deployments.id)],
  NAME_DESC: [desc(deployments.name), desc(deployments.id)],
  CREATED_DESC: [desc(deployments.created), desc(deployments.id)],
  UPDATED_DESC: [desc(deployments.updated), desc(deployments.id)],
} as const;

export async function filterDeployments(db: Db, f: DeploymentFilter): Promise<Deployment[]> {
  return selectDeployments(db)
    .where(and(...deploymentConditions(f)))
    .orderBy(...DEPLOYMENT_SORTS[f.sort])
    .limit(f.limit)
    .offset(f.offset);
}

export async function countDeployments(db: Db, f: DeploymentCount): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(deployments)
    .innerJoin(flows, eq(flows.id, deployments.flow_id))
    .leftJoin(workPools, eq(workPools.id, deployments.work_pool_id))
    .where(and(...deploymentConditions(f)))
    .get();
  return row?.n ?? 0;
}

/** Fields copied onto each run the scheduler creates: when one changes, upcoming runs are stale. */
const RUN_FIELDS = ["parameters", "tags", "work_pool_id", "retries", "retry_delay_seconds"] as const;

function outdatesRuns(before: DeploymentRow, values: DeploymentValues): boolean {
  if (values.paused === true && !before.paused) return true;
  return RUN_FIELDS.some((k) => k in values && !sameJson(before[k], values[k]));
}

/** The write moves the deployment to another work pool (or out of its pool). */
const changesPool = (before: DeploymentRow | undefined, values: DeploymentValues): before is DeploymentRow =>
  before !== undefined && "work_pool_id" in values && (values.work_pool_id ?? null) !== before.work_pool_id;

/**
 * What follows a deployment write in the same batch: its schedules and triggers replaced when given, and
 * its upcoming auto-scheduled runs deleted where the schedule or the deployment they came from changed
 * (the scheduler creates them again from what is now stored). A move to another pool also takes the
 * runs left in the old one that have not started (db/pool-change.ts).
 */
async function followUps(
  db: Db,
  ref: DeploymentRef,
  before: DeploymentRow | undefined,
  values: DeploymentValues,
  { schedules, triggers }: Attached,
  now: Date,
): Promise<Statement[]> {
  const stamp = isoNow(now);
  const stale = before !== undefined && outdatesRuns(before, values);
  const discard = (scope: { keep?: string[] }) =>
    changesPool(before, values) ? poolChangeStatements(db, ref, stamp) : discardUpcomingRuns(db, ref, stamp, scope);
  const [existingSchedules, existingTriggers] = await Promise.all([
    schedules && before ? listSchedules(db, before.id) : [],
    triggers && before ? listTriggers(db, before.id) : [],
  ]);
  const triggerStatements = triggers ? triggerReplacementStatements(db, ref, existingTriggers, triggers, stamp) : [];
  if (!schedules) return [...(stale ? discard({}) : []), ...triggerStatements];
  const plan = planReplacement(existingSchedules, schedules, now);
  return [...replacementStatements(db, ref, plan, stamp), ...discard(stale ? {} : { keep: plan.runsKept }), ...triggerStatements];
}

/** What a deployment write may replace along with it: absent leaves them as they are. */
type Attached = { schedules?: DeploymentScheduleCreate[]; triggers?: TriggerSpec[] };

type DeploymentInput = Omit<DeploymentCreate, "work_pool_name"> & { work_pool_id: string | null };

/**
 * Creates the deployment, or replaces the fields of the one with the same flow and name (Prefect's
 * upsert). Parallel identical requests leave one deployment: the unique (flow_id, name) index decides,
 * and everything after it finds the deployment by flow and name within the same batch.
 */
export async function upsertDeployment(db: Db, input: DeploymentInput, now = new Date()) {
  const { schedules, triggers, flow_id, name, ...values } = input;
  const stamp = isoNow(now);
  const id = newId();
  const identity = and(eq(deployments.flow_id, flow_id), eq(deployments.name, name));
  const before = await db.select().from(deployments).where(identity).get();
  const ref = db.select({ id: deployments.id }).from(deployments).where(identity);
  const [inserted, ...rest] = await db.batch([
    db
      .insert(deployments)
      .values({ id, created: stamp, updated: stamp, flow_id, name, ...values })
      .onConflictDoUpdate({ target: [deployments.flow_id, deployments.name], set: { ...values, updated: stamp } })
      .returning(),
    ...(await followUps(db, ref, before, values, { schedules, triggers }, now)),
    selectDeployments(db).where(identity),
  ]);
  const deployment = (rest.at(-1) as Deployment[])[0]!;
  const row = (inserted as DeploymentRow[])[0]!;
  return { deployment, row, created: row.id === id, poolChanged: changesPool(before, values) };
}

/** Applies an update to an existing deployment; answers the row as updated, undefined when it is gone. */
export async function updateDeployment(
  db: Db,
  id: string,
  update: Omit<DeploymentUpdate, "work_pool_name"> & { work_pool_id?: string | null },
  now = new Date(),
): Promise<DeploymentRow | undefined> {
  const { schedules, triggers, ...values } = update;
  const before = await db.select().from(deployments).where(eq(deployments.id, id)).get();
  if (!before) return undefined;
  const [updated] = await db.batch([
    db
      .update(deployments)
      .set({ ...values, updated: isoNow(now) })
      .where(eq(deployments.id, id))
      .returning(),
    ...(await followUps(db, id, before, values, { schedules, triggers }, now)),
  ]);
  return (updated as DeploymentRow[])[0];
}

/**
 * Pauses or resumes. Pausing drops the upcoming auto-scheduled runs and sets the schedules to fill
 * again from whenever the deployment is resumed (the slots of the pause are not caught up).
 */
export async function setDeploymentPaused(db: Db, id: string, paused: boolean): Promise<DeploymentRow | undefined> {
  const now = isoNow();
  const update = db.update(deployments).set({ paused, updated: now }).where(eq(deployments.id, id)).returning();
  if (!paused) return (await update)[0];
  const [updated] = await db.batch([update, ...discardUpcomingRuns(db, id, now)]);
  return updated[0];
}

export type DeletedDeployment = { deployment: DeploymentRow; cancelled_runs: EndedRun[] };

/**
 * Deletes a deployment with its schedules (foreign key cascade) and its upcoming auto-scheduled runs,
 * all in one batch. Its other runs that have not started (SCHEDULED, Late included, and no worker holds
 * them) end CANCELLED "deployment flow/name was deleted": nothing could run them any more (a worker
 * would find no entrypoint). Claimed runs (Pending, Running, an AwaitingRetry its worker retries
 * in-process) and finished ones stay, unlinked (deployment_id set null by its foreign key, as Prefect does).
 */
export async function deleteDeployment(db: Db, id: string): Promise<DeletedDeployment | undefined> {
  const deployment = await db.select().from(deployments).where(eq(deployments.id, id)).get();
  if (!deployment) return undefined;
  const now = isoNow();
  const fullName = sql`(SELECT ${flows.name} FROM ${flows} WHERE ${flows.id} = ${deployment.flow_id}) || '/' || ${deployment.name}`;
  const [, cancelled, deleted] = await db.$client.batch<EndedRow>([
    d1Statement(db, deleteUpcomingRuns(db, id, now)),
    // Before the delete: it unlinks the runs.
    endRuns(db, {
      table: "flow_runs",
      where: sql`t.deployment_id = ${id} AND t.state_type = 'SCHEDULED' AND t.lease_token IS NULL`,
      type: "CANCELLED",
      message: sql`'deployment ' || ${fullName} || ' was deleted'`,
      at: now,
    }),
    d1Statement(db, db.delete(deployments).where(eq(deployments.id, id))),
  ]);
  // Deleted meanwhile by another request: that one tells of it.
  if (deleted!.meta.changes === 0) return undefined;
  return { deployment, cancelled_runs: endedRuns(cancelled!.results, "CANCELLED") };
}

/** A deployment row with its flow's and pool's names, for the events that tell of its changes. */
export async function withNames(db: Db, row: DeploymentRow): Promise<DeploymentRow & { flow_name: string; work_pool_name: string | null }> {
  const names = await db.get<{ flow_name: string | null; work_pool_name: string | null }>(
    sql`SELECT (SELECT name FROM flows WHERE id = ${row.flow_id}) AS flow_name, (SELECT name FROM work_pools WHERE id = ${row.work_pool_id}) AS work_pool_name`,
  );
  return { ...row, flow_name: names?.flow_name ?? "", work_pool_name: names?.work_pool_name ?? null };
}
