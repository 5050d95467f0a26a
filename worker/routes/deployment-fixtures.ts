import { env } from "cloudflare:test";
import { and, eq, not, sql } from "drizzle-orm";
import { expect } from "vitest";
import { createDb } from "../db/client";
import { flowRuns, workPools } from "../db/schema";
import { AUTO_SCHEDULED_TAG } from "../scheduler/scheduled-runs";
import { api } from "../test/http";

/** Test data for the deployment and schedule route tests (storage is shared between tests of a file). */

export const db = createDb(env.DB);
export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
export const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

export async function makeFlow(): Promise<{ id: string; name: string }> {
  const res = await api("POST", "/flows/", { name: unique("flow") });
  expect(res.status).toBe(201);
  return res.body;
}

/** Pools are written directly: their routes are another module's concern. */
export async function makePool(): Promise<string> {
  const name = unique("pool");
  const now = new Date().toISOString();
  await db.insert(workPools).values({ id: crypto.randomUUID(), created: now, updated: now, name });
  return name;
}

export async function makeDeployment(body: Record<string, unknown> = {}) {
  const flow = await makeFlow();
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { flow, deployment: res.body as { id: string; name: string; flow_id: string } & Record<string, unknown> };
}

type RunSpec = { schedule?: string; state?: [string, string]; start: string; auto?: boolean };

/** Inserts a flow run of a deployment as the scheduler (auto) or a user would have made it. */
export async function insertRun(deployment: { id: string; flow_id: string }, spec: RunSpec): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const [type, name] = spec.state ?? ["SCHEDULED", "Scheduled"];
  const auto = spec.auto ?? spec.schedule !== undefined;
  await db.insert(flowRuns).values({
    id,
    created: now,
    updated: now,
    name: unique("run"),
    flow_id: deployment.flow_id,
    deployment_id: deployment.id,
    auto_scheduled: auto,
    idempotency_key: spec.schedule ? `scheduled:${deployment.id}:${spec.schedule}:${spec.start}` : null,
    state_type: type,
    state_name: name,
    expected_start_time: spec.start,
  });
  return id;
}

/**
 * The runs of a deployment that a test inserted. The scheduler's own runs (tagged auto-scheduled; a
 * schedule change starts a tick in the background) are left out: worker/scheduler/tick.test.ts covers them.
 */
export async function runIdsOf(deploymentId: string): Promise<string[]> {
  const byScheduler = sql`EXISTS (SELECT 1 FROM json_each(${flowRuns.tags}) WHERE value = ${AUTO_SCHEDULED_TAG})`;
  const rows = await db
    .select({ id: flowRuns.id })
    .from(flowRuns)
    .where(and(eq(flowRuns.deployment_id, deploymentId), not(byScheduler)));
  return rows.map((r) => r.id).sort();
}
