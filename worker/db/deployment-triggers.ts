import { and, asc, eq, inArray, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DeploymentTrigger, TriggerSpec } from "../../protocol/triggers";
import { planTriggerReplacement } from "../triggers/replacement";
import type { Db } from "./client";
import { newId } from "./ids";
import { deploymentTriggers } from "./schema";
import { inValues } from "./sql";
import type { DeploymentRef } from "./upcoming-runs";

type Statement = BatchItem<"sqlite">;

/** The triggers of several deployments in one query, each list in the order its triggers were added. */
export async function triggersOf(db: Db, deploymentIds: readonly string[]): Promise<Map<string, DeploymentTrigger[]>> {
  const byDeployment = new Map<string, DeploymentTrigger[]>();
  if (deploymentIds.length === 0) return byDeployment;
  const rows = await db
    .select()
    .from(deploymentTriggers)
    .where(inValues(deploymentTriggers.deployment_id, deploymentIds))
    // Triggers added together share `created`; the rowid keeps the order they were given in.
    .orderBy(asc(deploymentTriggers.created), sql`rowid`);
  for (const row of rows) {
    const list = byDeployment.get(row.deployment_id) ?? [];
    list.push(row);
    byDeployment.set(row.deployment_id, list);
  }
  return byDeployment;
}

export async function listTriggers(db: Db, deploymentId: string): Promise<DeploymentTrigger[]> {
  return (await triggersOf(db, [deploymentId])).get(deploymentId) ?? [];
}

// 12 bound parameters a row (a deployment found by flow and name binds two): 7 rows stay under D1's 100.
const ROWS_PER_INSERT = 7;

/**
 * The statements that make `specs` the deployment's triggers, for the batch that writes the deployment
 * (`existing`: its triggers now). Triggers sent again keep their ids (worker/triggers/replacement.ts).
 */
export function triggerReplacementStatements(db: Db, deployment: DeploymentRef, existing: DeploymentTrigger[], specs: TriggerSpec[], now: string): Statement[] {
  const t = deploymentTriggers;
  const plan = planTriggerReplacement(existing, specs);
  const ofDeployment = typeof deployment === "string" ? eq(t.deployment_id, deployment) : inArray(t.deployment_id, deployment);
  const deploymentId = typeof deployment === "string" ? deployment : sql`${deployment}`;
  // Everything not kept goes, not just what was read: a parallel write's triggers are replaced too, so
  // that parallel identical upserts leave one set.
  const keptIds = plan.kept.map((k) => k.id);
  const statements: Statement[] = [db.delete(t).where(and(ofDeployment, keptIds.length > 0 ? notInArray(t.id, keptIds) : undefined))];
  for (const { id, spec } of plan.kept.filter((k) => k.changed)) {
    statements.push(db.update(t).set({ ...spec, updated: now }).where(and(eq(t.id, id), ofDeployment)));
  }
  const rows = plan.inserts.map((spec) => ({ ...spec, id: newId(), deployment_id: deploymentId, created: now, updated: now }));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) statements.push(db.insert(t).values(rows.slice(i, i + ROWS_PER_INSERT)));
  return statements;
}
