import { and, asc, eq, inArray, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type {
  Catchup,
  DeploymentSchedule,
  DeploymentScheduleCreate,
  DeploymentScheduleUpdate,
  ScheduleDefinition,
} from "../../protocol/schedules";
import { utcTime } from "../orchestration";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { deploymentSchedules } from "./schema";
import { inValues } from "./sql";
import { deleteUpcomingRuns, discardUpcomingRuns, type DeploymentRef } from "./upcoming-runs";

type ScheduleRow = typeof deploymentSchedules.$inferSelect;
/** The fields of a schedule that a create or an update sets. */
export type ScheduleValues = Omit<DeploymentSchedule, "id" | "created" | "updated" | "deployment_id">;
type Statement = BatchItem<"sqlite">;

// The scheduler's bookkeeping stays server-side.
export const toSchedule = ({ scheduled_until: _u, refill_at: _r, fill_generation: _g, ...row }: ScheduleRow): DeploymentSchedule => ({
  ...row,
  schedule: row.schedule as ScheduleDefinition,
  catchup: row.catchup as Catchup,
});

/** Key-order-independent JSON, to tell whether two stored values mean the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
export const sameJson = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/**
 * The definition as stored: an interval without anchor gets one, so its slots (and so the scheduler's
 * idempotency keys) never move. It keeps the anchor of the interval it replaces, so re-sending the same
 * anchorless schedule changes nothing; a brand-new one is anchored at `now`.
 */
export function anchored(def: ScheduleDefinition, now: Date, previous?: ScheduleDefinition): ScheduleDefinition {
  if (!("interval" in def)) return def;
  const inherited = previous && "interval" in previous ? previous.anchor_date : null;
  const anchor = def.anchor_date ?? inherited ?? now.toISOString();
  return { ...def, anchor_date: utcTime(anchor) };
}

/** Whether runs already created for a schedule still match it after `next` replaces `prev`. */
const runsStillValid = (prev: ScheduleValues, next: ScheduleValues): boolean =>
  prev.active === next.active && sameJson(prev.schedule, next.schedule) && sameJson(prev.parameters, next.parameters);

export async function listSchedules(db: Db, deploymentId: string): Promise<DeploymentSchedule[]> {
  return (await schedulesOf(db, [deploymentId])).get(deploymentId) ?? [];
}

/** The schedules of several deployments in one query, each list in the order it was given in. */
export async function schedulesOf(db: Db, deploymentIds: readonly string[]): Promise<Map<string, DeploymentSchedule[]>> {
  const byDeployment = new Map<string, DeploymentSchedule[]>();
  if (deploymentIds.length === 0) return byDeployment;
  const rows = await db
    .select()
    .from(deploymentSchedules)
    .where(inValues(deploymentSchedules.deployment_id, deploymentIds))
    // Schedules added together share `created`; the rowid keeps the order they were given in.
    .orderBy(asc(deploymentSchedules.created), sql`rowid`);
  for (const row of rows) {
    const list = byDeployment.get(row.deployment_id) ?? [];
    list.push(toSchedule(row));
    byDeployment.set(row.deployment_id, list);
  }
  return byDeployment;
}

export async function getSchedule(db: Db, deploymentId: string, id: string): Promise<DeploymentSchedule | undefined> {
  const row = await db
    .select()
    .from(deploymentSchedules)
    .where(and(eq(deploymentSchedules.id, id), eq(deploymentSchedules.deployment_id, deploymentId)))
    .get();
  return row && toSchedule(row);
}

const createValues = (input: DeploymentScheduleCreate, now: Date, previous?: ScheduleDefinition): ScheduleValues => ({
  ...input,
  schedule: anchored(input.schedule, now, previous),
});

// Up to 11 bound parameters a row (a deployment found by flow and name binds two): 9 rows stay under D1's 100.
const ROWS_PER_INSERT = 9;

/** Inserts schedules of one deployment, chunked for D1's parameter limit. */
export function insertSchedules(db: Db, deployment: DeploymentRef, rows: (ScheduleValues & { id: string })[], now: string): Statement[] {
  const deploymentId = typeof deployment === "string" ? deployment : sql`${deployment}`;
  const statements: Statement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT).map((r) => ({ ...r, deployment_id: deploymentId, created: now, updated: now }));
    statements.push(db.insert(deploymentSchedules).values(chunk));
  }
  return statements;
}

/** Adds schedules to a deployment (POST /deployments/{id}/schedules) and answers them as stored. */
export async function addSchedules(db: Db, deploymentId: string, inputs: DeploymentScheduleCreate[]): Promise<DeploymentSchedule[]> {
  const now = new Date();
  const rows = inputs.map((input) => ({ id: newId(), ...createValues(input, now) }));
  const [first, ...rest] = insertSchedules(db, deploymentId, rows, isoNow(now));
  if (first) await db.batch([first, ...rest]);
  return rows.map((r) => ({ ...r, deployment_id: deploymentId, created: isoNow(now), updated: isoNow(now) }));
}

/**
 * What replacing a deployment's schedules with `incoming` takes. An incoming schedule takes over the
 * stored one with the same slug, or else an identical one, keeping its id: the scheduler's runs are
 * keyed by schedule id, so re-sending the same schedules keeps every upcoming run.
 */
export function planReplacement(existing: DeploymentSchedule[], incoming: DeploymentScheduleCreate[], now: Date) {
  const unclaimed = new Map(existing.map((s) => [s.id, s]));
  const updates: { id: string; values: ScheduleValues }[] = [];
  const inserts: (ScheduleValues & { id: string })[] = [];
  const runsKept: string[] = [];
  for (const input of incoming) {
    const candidates = [...unclaimed.values()];
    const match =
      input.slug != null
        ? candidates.find((s) => s.slug === input.slug)
        : candidates.find((s) => s.slug == null && runsStillValid(s, createValues(input, now, s.schedule)));
    if (!match) {
      inserts.push({ id: newId(), ...createValues(input, now) });
      continue;
    }
    unclaimed.delete(match.id);
    const values = createValues(input, now, match.schedule);
    if (runsStillValid(match, values)) runsKept.push(match.id);
    const { id: _id, created: _c, updated: _u, deployment_id: _d, ...stored } = match;
    if (!sameJson(stored, values)) updates.push({ id: match.id, values });
  }
  return { kept: existing.filter((s) => !unclaimed.has(s.id)).map((s) => s.id), updates, inserts, runsKept };
}
export type ReplacementPlan = ReturnType<typeof planReplacement>;

/** The statements that carry out a plan, for the caller's batch. */
export function replacementStatements(db: Db, deployment: DeploymentRef, plan: ReplacementPlan, now: string): Statement[] {
  const ofDeployment =
    typeof deployment === "string" ? eq(deploymentSchedules.deployment_id, deployment) : inArray(deploymentSchedules.deployment_id, deployment);
  return [
    db.delete(deploymentSchedules).where(and(ofDeployment, notInArray(deploymentSchedules.id, plan.kept))),
    ...plan.updates.map(({ id, values }) =>
      db.update(deploymentSchedules).set({ ...values, updated: now }).where(and(eq(deploymentSchedules.id, id), ofDeployment)),
    ),
    ...insertSchedules(db, deployment, plan.inserts, now),
  ];
}

/** Applies an update to one schedule; answers false when it does not exist (any more). */
export async function updateSchedule(
  db: Db,
  current: DeploymentSchedule,
  patch: DeploymentScheduleUpdate,
): Promise<boolean> {
  const now = new Date();
  const { id: _id, created: _c, updated: _u, deployment_id: _d, ...stored } = current;
  const values: ScheduleValues = {
    ...stored,
    ...patch,
    schedule: patch.schedule ? anchored(patch.schedule, now, current.schedule) : current.schedule,
  };
  const where = and(eq(deploymentSchedules.id, current.id), eq(deploymentSchedules.deployment_id, current.deployment_id));
  const update = db.update(deploymentSchedules).set({ ...values, updated: isoNow(now) }).where(where).returning({ id: deploymentSchedules.id });
  if (runsStillValid(current, values)) return (await update).length > 0;
  const [updated] = await db.batch([update, ...discardUpcomingRuns(db, current.deployment_id, isoNow(now), { only: [current.id] })]);
  return updated.length > 0;
}

/** Deletes a schedule and its upcoming runs; answers false when it did not exist. */
export async function deleteSchedule(db: Db, deploymentId: string, id: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .delete(deploymentSchedules)
      .where(and(eq(deploymentSchedules.id, id), eq(deploymentSchedules.deployment_id, deploymentId)))
      .returning({ id: deploymentSchedules.id }),
    deleteUpcomingRuns(db, deploymentId, isoNow(), { only: [id] }),
  ]);
  return deleted.length > 0;
}
