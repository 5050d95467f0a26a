import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Flow, FlowCreate, FlowFilter } from "../../protocol/flows";
import type { Db } from "./client";
import { isoNow, newId } from "./ids";
import { flowRuns, flows, logs, taskRuns } from "./schema";
import { containsText, inValues, tagsContainAll } from "./sql";

/** Creates the flow unless one of that name exists; answers the stored flow and whether it is new. */
export async function upsertFlow(db: Db, input: FlowCreate): Promise<{ flow: Flow; created: boolean }> {
  const now = isoNow();
  const id = newId();
  const [, rows] = await db.batch([
    db.insert(flows).values({ id, created: now, updated: now, name: input.name, tags: input.tags }).onConflictDoNothing({ target: flows.name }),
    db.select().from(flows).where(eq(flows.name, input.name)),
  ]);
  const flow = rows[0]!;
  return { flow, created: flow.id === id };
}

export async function getFlow(db: Db, id: string): Promise<Flow | undefined> {
  return db.select().from(flows).where(eq(flows.id, id)).get();
}

export async function getFlowByName(db: Db, name: string): Promise<Flow | undefined> {
  return db.select().from(flows).where(eq(flows.name, name)).get();
}

export function flowConditions(f: FlowFilter["flows"]): SQL[] {
  const where: SQL[] = [];
  if (f?.id?.any_) where.push(inValues(flows.id, f.id.any_));
  if (f?.name?.any_) where.push(inValues(flows.name, f.name.any_));
  if (f?.name?.like_) where.push(containsText(flows.name, f.name.like_));
  if (f?.tags?.all_?.length) where.push(tagsContainAll(flows.tags, f.tags.all_));
  return where;
}

const FLOW_SORTS = {
  NAME_ASC: asc(flows.name),
  NAME_DESC: desc(flows.name),
  CREATED_DESC: desc(flows.created),
  UPDATED_DESC: desc(flows.updated),
} as const;

export async function filterFlows(db: Db, f: FlowFilter): Promise<Flow[]> {
  return db
    .select()
    .from(flows)
    .where(and(...flowConditions(f.flows)))
    .orderBy(FLOW_SORTS[f.sort])
    .limit(f.limit)
    .offset(f.offset);
}

export async function countFlows(db: Db, f: Pick<FlowFilter, "flows">): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(flows)
    .where(and(...flowConditions(f.flows)))
    .get();
  return row?.n ?? 0;
}

/** Deletes a flow with its deployments and runs; task runs and logs have no foreign key, so they go explicitly. */
export async function deleteFlow(db: Db, id: string): Promise<boolean> {
  const runsOfFlow = db.select({ id: flowRuns.id }).from(flowRuns).where(eq(flowRuns.flow_id, id));
  const [, , deleted] = await db.batch([
    db.delete(logs).where(inArray(logs.flow_run_id, runsOfFlow)),
    db.delete(taskRuns).where(inArray(taskRuns.flow_run_id, runsOfFlow)),
    db.delete(flows).where(eq(flows.id, id)).returning({ id: flows.id }),
  ]);
  return deleted.length > 0;
}
