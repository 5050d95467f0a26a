import { env } from "cloudflare:test";
import { createDb } from "../db/client";
import { deploymentSchedules } from "../db/schema";

const db = createDb(env.DB);

/** A schedule inserted directly, so no route starts a tick of its own (tests pass their own clock). */
export async function newSchedule(deploymentId: string, schedule: Record<string, unknown>, fields: Partial<typeof deploymentSchedules.$inferInsert> = {}) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await db.insert(deploymentSchedules).values({ id, created: now, updated: now, deployment_id: deploymentId, schedule, ...fields });
  return id;
}

type RunRow = { id: string; name: string; state_type: string; state_name: string; state_message: string | null; expected_start_time: string; idempotency_key: string };

/** The runs the scheduler made for a deployment, by slot. */
export async function autoRuns(deploymentId: string): Promise<RunRow[]> {
  const rows = await env.DB.prepare(
    "SELECT id, name, state_type, state_name, state_message, expected_start_time, idempotency_key FROM flow_runs WHERE deployment_id = ? AND auto_scheduled = 1 ORDER BY expected_start_time",
  )
    .bind(deploymentId)
    .all<RunRow>();
  return rows.results;
}

export const slotsOf = (runs: { expected_start_time: string }[]) => runs.map((r) => r.expected_start_time);

export const bookkeeping = (scheduleId: string) =>
  env.DB.prepare("SELECT scheduled_until, refill_at, fill_generation FROM deployment_schedules WHERE id = ?")
    .bind(scheduleId)
    .first<{ scheduled_until: string | null; refill_at: string; fill_generation: number }>();
