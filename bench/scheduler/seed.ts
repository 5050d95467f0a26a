/**
 * Seeding the scheduler benchmark's workload, inside the bench entry (workerd): each schedule definition is
 * parsed by the protocol schema and checked by the server's own `checkSchedule`, as the API does, then the
 * rows go straight into D1 (why not through the API: see bench/scheduler/workload.ts).
 */
import * as v from "valibot";
import { ScheduleDefinition } from "../../protocol/schedules";
import { checkSchedule } from "../../worker/scheduler/validate";
import type { Workload } from "./workload";

/** Rows travel as one JSON parameter per statement (D1 allows 100 bound parameters and 2 MB strings). */
const CHUNK = 2000;

export async function seedWorkload(db: D1Database, w: Workload, now: Date): Promise<{ schedules: number }> {
  // Checked at the real time, as the API checks a schedule when it is created: checking at the tick's
  // clock would leave the scheduler's caches holding the very slots the measured tick then asks for.
  const checkedAt = new Date();
  const schedules = w.schedules.map(([id, deploymentId, definition, parameters]) => {
    const def = v.parse(ScheduleDefinition, definition);
    const check = checkSchedule(def, checkedAt);
    if (!check.ok) throw new Error(`workload schedule ${JSON.stringify(definition)} refused: ${check.reason}`);
    return [id, deploymentId, JSON.stringify(def), JSON.stringify(parameters)];
  });
  const stamp = now.toISOString();
  const statements: D1PreparedStatement[] = [];
  const insert = <T>(rows: T[], sql: string) => {
    for (let i = 0; i < rows.length; i += CHUNK) statements.push(db.prepare(sql).bind(JSON.stringify(rows.slice(i, i + CHUNK)), stamp));
  };
  insert(w.pools, "INSERT INTO work_pools (id, created, updated, name) SELECT value ->> 0, ?2, ?2, value ->> 1 FROM json_each(?1)");
  insert(w.flows, "INSERT INTO flows (id, created, updated, name) SELECT value ->> 0, ?2, ?2, value ->> 1 FROM json_each(?1)");
  insert(
    w.deployments,
    `INSERT INTO deployments (id, created, updated, flow_id, name, work_pool_id, parameters, tags, entrypoint)
     SELECT value ->> 0, ?2, ?2, value ->> 1, value ->> 2, value ->> 3, value ->> 4, '["bench"]', 'flows/bench.ts:benchFlow' FROM json_each(?1)`,
  );
  insert(
    schedules,
    `INSERT INTO deployment_schedules (id, created, updated, deployment_id, schedule, parameters)
     SELECT value ->> 0, ?2, ?2, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?1)`,
  );
  await db.batch(statements);
  return { schedules: schedules.length };
}
