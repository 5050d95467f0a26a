import { describe, expect, it } from "vitest";
import { flowRunsHref, poolNotice, runDurationText, workPoolHref } from "./run-context";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const run = (over: Partial<Parameters<typeof runDurationText>[0]> = {}) => ({
  state_type: "SCHEDULED" as const,
  start_time: null,
  end_time: null,
  expected_start_time: "2026-03-01T11:57:55Z",
  total_run_time: 0,
  ...over,
});

describe("runDurationText", () => {
  it("says a run that has not started is waiting, not that it took 0 ms", () => {
    expect(runDurationText(run(), NOW)).toBe("— (waiting for 2m 05s)");
    expect(runDurationText(run({ state_type: "PENDING" as never }), NOW)).toBe("— (waiting for 2m 05s)");
  });

  it("says when a run due later is due, and nothing about a wait of a few seconds", () => {
    expect(runDurationText(run({ expected_start_time: "2026-03-01T13:00:00Z" }), NOW)).toBe("— (due in 1h 00m)");
    expect(runDurationText(run({ expected_start_time: "2026-03-01T11:59:58Z" }), NOW)).toBe("— (not started)");
    expect(runDurationText(run({ expected_start_time: null }), NOW)).toBe("— (not started)");
  });

  it("says a run that ended without starting never started", () => {
    expect(runDurationText(run({ state_type: "CANCELLED" as never, end_time: "2026-03-01T11:59:00Z" }), NOW)).toBe("— (never started)");
  });

  it("counts a running run up to now, and gives a finished one its run time", () => {
    expect(runDurationText(run({ state_type: "RUNNING" as never, start_time: "2026-03-01T11:59:30Z" }), NOW)).toBe("30 s");
    expect(runDurationText(run({ state_type: "COMPLETED" as never, start_time: "2026-03-01T11:59:30Z", total_run_time: 0.023 }), NOW)).toBe("23 ms");
  });
});

describe("poolNotice", () => {
  const waiting = { state_type: "SCHEDULED" as const, work_pool_name: "nightly" };

  it("says a paused pool keeps the run waiting, and points at the Work pools page", () => {
    const n = poolNotice(waiting, { name: "nightly", status: "PAUSED" });
    expect(n?.text).toBe("Work pool nightly is paused, so no worker picks this run up —");
    expect(n?.fix).toEqual({ kind: "link", text: "resume it on the Work pools page" });
  });

  it("says no worker is online, with the command that starts one", () => {
    const n = poolNotice(waiting, { name: "nightly", status: "NOT_READY" });
    expect(n?.text).toMatch(/^No worker of work pool nightly is online/);
    expect(n?.fix).toEqual({ kind: "command", text: "npx baton worker start --pool nightly" });
  });

  it("says nothing when a worker is there, the run is past waiting, or the pool is not the run's", () => {
    expect(poolNotice(waiting, { name: "nightly", status: "READY" })).toBeUndefined();
    expect(poolNotice({ ...waiting, state_type: "RUNNING" }, { name: "nightly", status: "PAUSED" })).toBeUndefined();
    expect(poolNotice(waiting, { name: "other", status: "PAUSED" })).toBeUndefined();
    expect(poolNotice(waiting, undefined)).toBeUndefined();
  });
});

describe("links", () => {
  it("point at the flow's runs and the pool's card", () => {
    expect(flowRunsHref("89a0ac34-d322-4c9e-ab30-2b90c55fee40")).toBe("/runs?flow=89a0ac34-d322-4c9e-ab30-2b90c55fee40");
    expect(workPoolHref({ id: "p1" })).toBe("/work-pools#pool-p1");
    expect(workPoolHref(undefined)).toBe("/work-pools");
  });
});
