import { env } from "cloudflare:test";
import { api } from "./http";

let counter = 0;
/** A name no other test of the run suites uses, so tests sharing storage stay apart. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function newFlow(prefix = "flow"): Promise<string> {
  const res = await api("POST", "/flows/", { name: unique(prefix) });
  return res.body.id;
}

export async function newFlowRun(body: Record<string, unknown> = {}): Promise<any> {
  const flow_id = body.flow_id ?? (await newFlow());
  const res = await api("POST", "/flow_runs/", { flow_id, ...body });
  if (res.status !== 201) throw new Error(`flow run not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export const setFlowRunState = (id: string, state: Record<string, unknown>, force?: boolean) =>
  api("POST", `/flow_runs/${id}/set_state`, force === undefined ? { state } : { state, force });

export const setTaskRunState = (id: string, state: Record<string, unknown>, force?: boolean) =>
  api("POST", `/task_runs/${id}/set_state`, force === undefined ? { state } : { state, force });

/** Raw SQL against the test database, for what no route does (claims, leases, checks of rows). */
export const sqlRun = (query: string, ...params: unknown[]) => env.DB.prepare(query).bind(...params).run();
export const sqlFirst = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  env.DB.prepare(query).bind(...params).first<T>();

/** A work pool and a deployment of `flowId` in it, inserted directly (the deployments API is tested elsewhere). */
export async function newDeployment(flowId: string, fields: Record<string, unknown> = {}): Promise<{ id: string; poolId: string; poolName: string }> {
  const now = new Date().toISOString();
  const poolId = crypto.randomUUID();
  const poolName = unique("pool");
  await sqlRun("INSERT INTO work_pools (id, created, updated, name) VALUES (?, ?, ?, ?)", poolId, now, now, poolName);
  const id = crypto.randomUUID();
  const row: Record<string, unknown> = { id, created: now, updated: now, flow_id: flowId, name: unique("dep"), work_pool_id: poolId, ...fields };
  for (const key of ["parameters", "parameter_openapi_schema", "tags"]) if (key in row) row[key] = JSON.stringify(row[key]);
  const keys = Object.keys(row);
  await sqlRun(`INSERT INTO deployments (${keys.join(", ")}) VALUES (${keys.map(() => "?").join(", ")})`, ...keys.map((k) => row[k]));
  return { id, poolId, poolName };
}
