import type { FlowRunLabels } from "./baton-events";
import { TtlCache } from "./ttl-cache";

/*
 * What Baton's state events say about their runs beyond the stream message: names, flow, deployment,
 * pool, tags. Read for a whole publish batch in ONE D1 round trip (a batch of at most three selects,
 * each taking its ids as one JSON parameter), and remembered for a short while: a run changes state a
 * few times and its task runs many times within seconds, and each read would cost a D1 call per change.
 * The price is that a renamed run, deployment or pool, or a run's edited tags, show in its events up to
 * LABELS_TTL_MS late.
 */

export const LABELS_TTL_MS = 10_000;
const MAX_CACHED = 5_000;

export type RunLabels = {
  flowRuns: Map<string, FlowRunLabels>;
  taskRuns: Map<string, { name: string }>;
  pools: Map<string, string>;
};
type Ids = { flowRuns: string[]; taskRuns: string[]; pools: string[] };

type FlowRunRow = Omit<FlowRunLabels, "tags"> & { id: string; tags: string | null };

const FLOW_RUNS = `SELECT r.id, r.name, r.tags, r.flow_id, f.name AS flow_name, r.deployment_id, d.name AS deployment_name,
    r.work_pool_id, p.name AS work_pool_name
  FROM json_each(?1) AS j JOIN flow_runs AS r ON r.id = j.value
  LEFT JOIN flows AS f ON f.id = r.flow_id LEFT JOIN deployments AS d ON d.id = r.deployment_id LEFT JOIN work_pools AS p ON p.id = r.work_pool_id`;
const TASK_RUNS = "SELECT t.id, t.name FROM json_each(?1) AS j JOIN task_runs AS t ON t.id = j.value";
const POOLS = "SELECT p.id, p.name FROM json_each(?1) AS j JOIN work_pools AS p ON p.id = j.value";

function parseTags(text: string | null): string[] {
  try {
    const tags: unknown = JSON.parse(text ?? "[]");
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

/** Reads the labels of these runs and pools (rows that are gone are simply absent). */
export async function readRunLabels(d1: D1Database, ids: Ids): Promise<RunLabels> {
  const queries: [keyof Ids, string][] = [
    ["flowRuns", FLOW_RUNS],
    ["taskRuns", TASK_RUNS],
    ["pools", POOLS],
  ];
  const wanted = queries.filter(([key]) => ids[key].length > 0);
  const labels: RunLabels = { flowRuns: new Map(), taskRuns: new Map(), pools: new Map() };
  if (wanted.length === 0) return labels;
  const results = await d1.batch(wanted.map(([key, query]) => d1.prepare(query).bind(JSON.stringify([...new Set(ids[key])]))));
  wanted.forEach(([key], i) => {
    const rows = results[i]!.results as Record<string, unknown>[];
    for (const row of rows) {
      if (key === "flowRuns") {
        const { id, tags, ...rest } = row as FlowRunRow;
        labels.flowRuns.set(id, { ...rest, tags: parseTags(tags) });
      } else if (key === "taskRuns") labels.taskRuns.set(String(row.id), { name: String(row.name) });
      else labels.pools.set(String(row.id), String(row.name));
    }
  });
  return labels;
}

const cache = {
  flowRuns: new TtlCache<FlowRunLabels>(LABELS_TTL_MS, MAX_CACHED),
  taskRuns: new TtlCache<{ name: string }>(LABELS_TTL_MS, MAX_CACHED),
  pools: new TtlCache<string>(LABELS_TTL_MS, MAX_CACHED),
};

/** readRunLabels through this isolate's short-lived cache: only what it does not hold is read. */
export async function runLabels(d1: D1Database, ids: Ids, now = Date.now()): Promise<RunLabels> {
  const labels: RunLabels = { flowRuns: new Map(), taskRuns: new Map(), pools: new Map() };
  const missing: Ids = { flowRuns: [], taskRuns: [], pools: [] };
  for (const key of ["flowRuns", "taskRuns", "pools"] as const) {
    for (const id of ids[key]) {
      const hit = cache[key].get(id, now);
      if (hit === undefined) missing[key].push(id);
      else (labels[key] as Map<string, unknown>).set(id, hit);
    }
  }
  const read = await readRunLabels(d1, missing);
  for (const key of ["flowRuns", "taskRuns", "pools"] as const) {
    for (const [id, value] of read[key] as Map<string, never>) {
      (labels[key] as Map<string, unknown>).set(id, value);
      cache[key].set(id, value, now);
    }
  }
  return labels;
}

/** Names the caller already has (task runs just created): later lookups need no read. */
export function rememberTaskRunNames(names: readonly (readonly [id: string, name: string])[], now = Date.now()): void {
  for (const [id, name] of names) cache.taskRuns.set(id, { name }, now);
}
