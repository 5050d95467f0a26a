import { describe, expect, it } from "vitest";
import type { FlowRun } from "../../../protocol/flow-runs";
import { bucketRuns, loadCounts, loadRuns } from "./Dashboard.data";
import { parseConcurrency, poolSummary, type PoolHealth } from "./WorkPools.data";

const run = (state_type: FlowRun["state_type"], at: string) => ({ state_type, expected_start_time: at, created: at }) as FlowRun;

describe("bucketRuns", () => {
  it("counts runs per state type per bucket by expected start, ignoring runs outside the window", () => {
    const since = Date.parse("2026-01-01T00:00:00Z");
    const until = since + 4 * 3_600_000;
    const b = bucketRuns(
      [run("COMPLETED", "2026-01-01T00:10:00Z"), run("FAILED", "2026-01-01T00:20:00Z"), run("COMPLETED", "2026-01-01T03:59:00Z"), run("COMPLETED", "2025-12-31T23:00:00Z")],
      since,
      until,
      4,
    );
    expect(b.starts).toEqual([0, 1, 2, 3].map((i) => since / 1000 + i * 3600));
    expect(b.counts.COMPLETED).toEqual([1, 0, 0, 1]);
    expect(b.counts.FAILED).toEqual([1, 0, 0, 0]);
  });
});

describe("loaders", () => {
  it("asks one count per state type within the period", async () => {
    const bodies: unknown[] = [];
    const counts = await loadCounts({ post: async <T,>(_p: string, body?: unknown) => (bodies.push(body), 2 as T) }, { since: "2026-01-01T00:00:00.000Z", until: "2026-01-01T01:00:00.000Z" });
    expect(counts.FAILED).toBe(2);
    expect(bodies[0]).toEqual({ flow_runs: { expected_start_time: { after_: "2026-01-01T00:00:00.000Z", before_: "2026-01-01T01:00:00.000Z" }, state: { type: { any_: ["SCHEDULED"] } } } });
  });

  it("pages through runs until a short page", async () => {
    const offsets: number[] = [];
    const client = {
      post: async <T,>(_p: string, body?: unknown) => {
        const offset = (body as { offset: number }).offset;
        offsets.push(offset);
        return new Array(offset === 0 ? 200 : 5).fill(run("COMPLETED", "2026-01-01T00:00:00Z")) as T;
      },
    };
    const result = await loadRuns(client, { since: "2026-01-01T00:00:00Z", until: "2026-01-01T01:00:00Z" });
    expect(offsets).toEqual([0, 200]);
    expect(result).toMatchObject({ capped: false });
    expect(result.runs).toHaveLength(205);
  });
});

describe("work pool helpers", () => {
  const health = (is_paused: boolean, online: number) => ({ pool: { is_paused }, online }) as PoolHealth;
  it("summarises a pool's health", () => {
    expect(poolSummary(health(true, 1))).toEqual({ tone: "muted", text: "Paused" });
    expect(poolSummary(health(false, 2))).toEqual({ tone: "ok", text: "2 workers online" });
    expect(poolSummary(health(false, 0))).toEqual({ tone: "warn", text: "No worker online" });
  });
  it("reads a concurrency limit, empty meaning none", () => {
    expect(parseConcurrency(" ")).toEqual({ ok: true, value: null });
    expect(parseConcurrency("3")).toEqual({ ok: true, value: 3 });
    expect(parseConcurrency("-1").ok).toBe(false);
  });
});
