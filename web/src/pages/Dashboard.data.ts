import { STATE_TYPES, type StateType } from "../../../protocol/states";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { ApiClient } from "../api/client";

export interface Period {
  id: string;
  label: string;
  seconds: number;
  /** Bars in the chart. */
  buckets: number;
}

export const PERIODS: readonly Period[] = [
  { id: "1h", label: "Last hour", seconds: 3_600, buckets: 12 },
  { id: "24h", label: "Last 24 hours", seconds: 86_400, buckets: 24 },
  { id: "7d", label: "Last 7 days", seconds: 7 * 86_400, buckets: 28 },
  { id: "30d", label: "Last 30 days", seconds: 30 * 86_400, buckets: 30 },
];

/** Runs fetched for the chart at most; beyond it the chart says it shows only the latest ones. */
export const CHART_RUN_CAP = 2_000;
const PAGE = 200;

type Post = Pick<ApiClient, "post">;
/** A window of past time. Bounded at "now" too: the scheduler creates runs hours ahead, and those are not "the last hour". */
export interface Window {
  since: string;
  until: string;
}
const inPeriod = (w: Window) => ({ expected_start_time: { after_: w.since, before_: w.until } });

/** Runs by state type over the period: one count per type, asked in parallel. */
export async function loadCounts(client: Post, window: Window): Promise<Record<StateType, number>> {
  const counts = await Promise.all(
    STATE_TYPES.map((type) =>
      client.post<number>("/flow_runs/count", { flow_runs: { ...inPeriod(window), state: { type: { any_: [type] } } } }),
    ),
  );
  return Object.fromEntries(STATE_TYPES.map((t, i) => [t, counts[i] ?? 0])) as Record<StateType, number>;
}

/** The period's runs, newest first, up to CHART_RUN_CAP. */
export async function loadRuns(client: Post, window: Window): Promise<{ runs: FlowRun[]; capped: boolean }> {
  const runs: FlowRun[] = [];
  while (runs.length < CHART_RUN_CAP) {
    const page = await client.post<FlowRun[]>("/flow_runs/filter", {
      flow_runs: inPeriod(window),
      sort: "EXPECTED_START_TIME_DESC",
      limit: PAGE,
      offset: runs.length,
    });
    runs.push(...page);
    if (page.length < PAGE) return { runs, capped: false };
  }
  return { runs, capped: true };
}

export interface Buckets {
  /** Start of each bucket, in Unix seconds (uPlot's x unit). */
  starts: number[];
  counts: Record<StateType, number[]>;
}

/** Runs per state type per time bucket, by expected start time (when a run was due, whatever happened). */
export function bucketRuns(runs: FlowRun[], sinceMs: number, untilMs: number, buckets: number): Buckets {
  const width = (untilMs - sinceMs) / buckets;
  const starts = Array.from({ length: buckets }, (_, i) => Math.round((sinceMs + i * width) / 1000));
  const counts = Object.fromEntries(STATE_TYPES.map((t) => [t, new Array<number>(buckets).fill(0)])) as Record<StateType, number[]>;
  for (const run of runs) {
    const t = Date.parse(run.expected_start_time ?? run.created);
    if (!run.state_type || Number.isNaN(t) || t < sinceMs || t > untilMs) continue;
    const i = Math.min(buckets - 1, Math.floor((t - sinceMs) / width));
    counts[run.state_type][i]! += 1;
  }
  return { starts, counts };
}

/** Prefect marks a SCHEDULED run "Late" 15 s after it was due. */
const LATE_AFTER_MS = 15_000;

export const loadLate = (client: Post, nowMs: number) =>
  client.post<FlowRun[]>("/flow_runs/filter", {
    flow_runs: {
      state: { type: { any_: ["SCHEDULED"] } },
      expected_start_time: { before_: new Date(nowMs - LATE_AFTER_MS).toISOString() },
    },
    sort: "EXPECTED_START_TIME_ASC",
    limit: 10,
  });

export const loadFailed = (client: Post, window: Window) =>
  client.post<FlowRun[]>("/flow_runs/filter", {
    flow_runs: { ...inPeriod(window), state: { type: { any_: ["FAILED", "CRASHED"] } } },
    sort: "END_TIME_DESC",
    limit: 10,
  });
