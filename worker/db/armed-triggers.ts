import { asc, eq, sql } from "drizzle-orm";
import type { DeploymentTrigger } from "../../protocol/triggers";
import type { RunnableDeployment } from "../runs/deployment-run";
import type { Db } from "./client";
import { runnableColumns } from "./deployments";
import { deployments, deploymentTriggers } from "./schema";

/** An enabled trigger with what firing it needs of its deployment, so that firing costs no read. */
export type ArmedTrigger = DeploymentTrigger & { deployment: RunnableDeployment };

/** Every enabled trigger with its deployment, in one query: the trigger engine's cache. */
export async function armedTriggers(db: Db): Promise<ArmedTrigger[]> {
  const rows = await db
    .select({ trigger: deploymentTriggers, deployment: runnableColumns })
    .from(deploymentTriggers)
    .innerJoin(deployments, eq(deployments.id, deploymentTriggers.deployment_id))
    .where(eq(deploymentTriggers.enabled, true))
    .orderBy(asc(deploymentTriggers.created), sql`${deploymentTriggers}.rowid`);
  return rows.map((r) => ({ ...r.trigger, deployment: r.deployment }));
}
