import type { ApiClient } from "../api/client";
import type { WorkPool, WorkPoolCreate, Worker } from "../../../protocol/work-pools";

/** A pool with what its page and the dashboard show about it. */
export interface PoolHealth {
  pool: WorkPool;
  workers: Worker[];
  online: number;
  /** Runs SCHEDULED for the pool: waiting for a worker, or for their time. */
  waiting: number;
}

const path = (pool: string) => `/work_pools/${encodeURIComponent(pool)}`;

export async function loadPools(client: Pick<ApiClient, "post">): Promise<PoolHealth[]> {
  const pools = await client.post<WorkPool[]>("/work_pools/filter", { limit: 200 });
  return Promise.all(
    pools.map(async (pool) => {
      const [workers, waiting] = await Promise.all([
        client.post<Worker[]>(`${path(pool.name)}/workers/filter`, { limit: 200 }),
        client.post<number>("/flow_runs/count", {
          work_pools: { name: { any_: [pool.name] } },
          flow_runs: { state: { type: { any_: ["SCHEDULED"] } } },
        }),
      ]);
      return { pool, workers: sortWorkers(workers), online: workers.filter((w) => w.status === "ONLINE").length, waiting };
    }),
  );
}

/** Online first, then the most recent heartbeat: the workers someone is looking for are at the top. */
export function sortWorkers(workers: Worker[]): Worker[] {
  return [...workers].sort(
    (a, b) => Number(b.status === "ONLINE") - Number(a.status === "ONLINE") || b.last_heartbeat_time.localeCompare(a.last_heartbeat_time),
  );
}

/** A pool's health in a few words, for the status column. */
export function poolSummary(h: PoolHealth): { tone: "ok" | "warn" | "muted"; text: string } {
  if (h.pool.is_paused) return { tone: "muted", text: "Paused" };
  if (h.online > 0) return { tone: "ok", text: `${h.online} worker${h.online === 1 ? "" : "s"} online` };
  return { tone: "warn", text: "No worker online" };
}

export const setPoolPaused = (client: Pick<ApiClient, "post">, name: string, paused: boolean) =>
  client.post<unknown>(`${path(name)}/${paused ? "pause" : "resume"}`);

export const setPoolConcurrency = (client: Pick<ApiClient, "patch">, name: string, limit: number | null) =>
  client.patch<unknown>(path(name), { concurrency_limit: limit });

export const createPool = (client: Pick<ApiClient, "post">, body: WorkPoolCreate) => client.post<WorkPool>("/work_pools/", body);

/** "" means no limit; anything else must be a whole number ≥ 0. */
export function parseConcurrency(text: string): { ok: true; value: number | null } | { ok: false; error: string } {
  const t = text.trim();
  if (t === "") return { ok: true, value: null };
  const n = Number(t);
  return Number.isInteger(n) && n >= 0 ? { ok: true, value: n } : { ok: false, error: "Must be a whole number, 0 or more (empty for no limit)" };
}
