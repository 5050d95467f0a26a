import { describe, expect, it } from "vitest";
import type { FlowRun } from "../../../protocol/flow-runs";
import { createRunsPager, PAGE_SIZE } from "./runs-pager";
import { filterBody, filtersFromParams, matchesFilters, NO_FILTERS, paramsFromFilters, stateChangeMovesRun } from "./runs-filter";

export function fakeRun(i: number, over: Partial<FlowRun> = {}): FlowRun {
  const t = new Date(Date.UTC(2026, 0, 1, 0, 0, 0) - i * 1000).toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    created: t,
    updated: t,
    name: `run-${i}`,
    flow_id: "f1",
    deployment_id: null,
    work_pool_name: null,
    parent_task_run_id: null,
    parameters: {},
    idempotency_key: null,
    auto_scheduled: false,
    state_type: "SCHEDULED",
    state_name: "Scheduled",
    state: { id: `s${i}`, type: "SCHEDULED", name: "Scheduled", timestamp: t, message: null, state_details: {} },
    run_count: 0,
    expected_start_time: t,
    start_time: null,
    end_time: null,
    total_run_time: 0,
    estimated_start_time_delta: 0,
    tags: [],
    empirical_policy: { retries: 0, retry_delay: 0 },
    ...over,
  };
}

function server(n: number) {
  let runs = Array.from({ length: n }, (_, i) => fakeRun(i));
  const offsets: number[] = [];
  let changes = 0;
  let errors: unknown[] = [];
  const pager = createRunsPager({
    count: async () => runs.length,
    page: async (offset, limit) => {
      offsets.push(offset);
      return runs.slice(offset, offset + limit);
    },
    onChange: () => changes++,
    onError: (e) => errors.push(e),
  });
  return {
    pager,
    offsets,
    prepend: (run: FlowRun) => (runs = [run, ...runs]),
    /** The server's list changes under the pager (runs entering or leaving a filter). */
    replace: (next: FlowRun[]) => (runs = next),
    all: () => runs,
    changes: () => changes,
    errors: () => errors,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("runs pager", () => {
  it("loads the count and the first page, then only the pages scrolled to", async () => {
    const s = server(100_000);
    await s.pager.reload();
    expect(s.pager.total()).toBe(100_000);
    expect(s.pager.row(0)?.name).toBe("run-0");
    expect(s.pager.row(PAGE_SIZE)).toBeUndefined();
    s.pager.ensure(50_000, 50_030);
    s.pager.ensure(50_010, 50_040);
    await flush();
    expect(s.offsets).toEqual([0, 50_000]);
    expect(s.pager.row(50_020)?.name).toBe("run-50020");
  });

  it("puts live-created runs on top and keeps later pages aligned with the server", async () => {
    const s = server(1_000);
    await s.pager.reload();
    const fresh = fakeRun(-1, { name: "fresh" });
    s.prepend(fresh);
    s.pager.created(fresh);
    s.pager.created(fresh);
    expect(s.pager.total()).toBe(1_001);
    expect(s.pager.row(0)?.name).toBe("fresh");
    expect(s.pager.row(1)?.name).toBe("run-0");
    s.pager.ensure(1 + PAGE_SIZE, 1 + PAGE_SIZE);
    await flush();
    expect(s.offsets.at(-1)).toBe(PAGE_SIZE + 1);
    expect(s.pager.row(1 + PAGE_SIZE)?.name).toBe(`run-${PAGE_SIZE}`);
  });

  it("applies state changes to shown rows, and to rows whose page arrives later", async () => {
    const s = server(500);
    await s.pager.reload();
    s.pager.stateChanged({ id: fakeRun(3).id, state_type: "RUNNING", state_name: "Running", timestamp: "2026-02-01T00:00:00Z" });
    expect(s.pager.row(3)?.state_type).toBe("RUNNING");
    expect(s.pager.row(3)?.state?.name).toBe("Running");
    s.pager.stateChanged({ id: fakeRun(300).id, state_type: "FAILED", state_name: "Failed", timestamp: "2026-02-01T00:00:00Z" });
    s.pager.ensure(300, 300);
    await flush();
    expect(s.pager.row(300)?.state_type).toBe("FAILED");
  });

  it("ignores a change older than the state shown", async () => {
    const s = server(10);
    await s.pager.reload();
    s.pager.stateChanged({ id: fakeRun(1).id, state_type: "PENDING", state_name: "Pending", timestamp: "2000-01-01T00:00:00Z" });
    expect(s.pager.row(1)?.state_type).toBe("SCHEDULED");
  });

  it("refresh takes in runs that entered (in their sorted place) and drops those that left, keeping rows until the answer", async () => {
    const s = server(250);
    await s.pager.reload();
    s.pager.ensure(100, 150);
    await flush();
    const [first, ...rest] = s.all();
    const entered = fakeRun(1000, { expected_start_time: fakeRun(50).expected_start_time });
    // Run 0 left the filter; a run that was not shown entered, due at the same time as run 50.
    s.replace([...rest.slice(0, 49), entered, ...rest.slice(49)]);
    s.pager.stateChanged({ id: first!.id, state_type: "COMPLETED", state_name: "Completed", timestamp: "2030-01-01T00:00:00Z" });
    expect(s.pager.shows(first!.id)).toBe(true);
    const refreshed = s.pager.refresh();
    expect(s.pager.row(0)?.id).toBe(first!.id); // still shown while the request is out
    await refreshed;
    expect(s.pager.total()).toBe(250);
    expect(s.pager.shows(first!.id)).toBe(false);
    expect(s.pager.row(0)?.name).toBe("run-1");
    expect(s.pager.row(49)?.id).toBe(entered.id);
    expect(s.pager.row(120)?.name).toBe("run-120"); // the second page was asked again too
    expect(s.offsets.slice(-2).sort((a, b) => a - b)).toEqual([0, PAGE_SIZE]);
  });

  it("reload starts over", async () => {
    const s = server(10);
    await s.pager.reload();
    s.pager.created(fakeRun(-5));
    await s.pager.reload();
    expect(s.pager.total()).toBe(10);
    expect(s.pager.row(0)?.name).toBe("run-0");
  });
});

describe("run filters", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  const f = { ...NO_FILTERS, states: ["FAILED" as const], tag: "etl", hours: 24, search: "Nightly", flowId: "f1" };

  it("round-trips through the URL", () => {
    expect(filtersFromParams(paramsFromFilters(f) as Record<string, string>)).toEqual(f);
    expect(filtersFromParams({ state: "BOGUS,RUNNING", hours: "x" })).toEqual({ ...NO_FILTERS, states: ["RUNNING"] });
  });

  it("becomes a Prefect filter body", () => {
    expect(filterBody(f, now)).toEqual({
      flow_runs: {
        state: { type: { any_: ["FAILED"] } },
        tags: { all_: ["etl"] },
        name: { like_: "Nightly" },
        expected_start_time: { after_: "2025-12-31T00:00:00.000Z", before_: "2026-01-01T00:00:00.000Z" },
      },
      flows: { id: { any_: ["f1"] } },
    });
    expect(filterBody(NO_FILTERS, now)).toEqual({ flow_runs: undefined, flows: undefined });
  });

  it("asks the list again only for a state change that can move a run into or out of it", () => {
    const completed = { ...NO_FILTERS, states: ["COMPLETED" as const] };
    expect(stateChangeMovesRun(completed, "COMPLETED", false)).toBe(true); // enters
    expect(stateChangeMovesRun(completed, "RUNNING", true)).toBe(true); // leaves
    expect(stateChangeMovesRun(completed, "COMPLETED", true)).toBe(false); // stays
    expect(stateChangeMovesRun(completed, "RUNNING", false)).toBe(false); // was never in it
    expect(stateChangeMovesRun(NO_FILTERS, "COMPLETED", false)).toBe(false); // no state filter: arrivals come as "created"
  });

  it("judges a live run as the server would", () => {
    const run = fakeRun(0, { state_type: "FAILED", tags: ["etl"], name: "nightly-etl" });
    expect(matchesFilters(run, f, now)).toBe(true);
    expect(matchesFilters({ ...run, tags: [] }, f, now)).toBe(false);
    expect(matchesFilters({ ...run, state_type: "RUNNING" }, f, now)).toBe(false);
    expect(matchesFilters(run, NO_FILTERS, now)).toBe(true);
  });

  it("bounds a time range at the moment it was applied: a run expected later stays out, live as on load", () => {
    const lastHour = { ...NO_FILTERS, hours: 1 };
    const at = (iso: string) => fakeRun(0, { expected_start_time: iso });
    expect(matchesFilters(at("2025-12-31T23:30:00Z"), lastHour, now)).toBe(true);
    expect(matchesFilters(at("2026-01-01T00:00:00Z"), lastHour, now)).toBe(true); // inclusive, as the API's before_
    expect(matchesFilters(at("2026-01-01T00:00:01Z"), lastHour, now)).toBe(false); // scheduled after the bound
    expect(matchesFilters(at("2025-12-31T22:59:59Z"), lastHour, now)).toBe(false);
  });
});

describe("a run arriving live (its record, or fetched by id)", () => {
  it("enters once, whether or not the load already had it", async () => {
    const loaded = [fakeRun(0), fakeRun(1)];
    const pager = createRunsPager({ count: async () => 2, page: async () => loaded, onChange: () => {}, onError: () => {} });
    await pager.reload();
    // Created after the load's snapshot: on top. Already in the load: nothing changes.
    pager.created(fakeRun(5, { id: "00000000-0000-4000-8000-000000000099", name: "new" }));
    pager.created(fakeRun(1));
    pager.created(fakeRun(5, { id: "00000000-0000-4000-8000-000000000099", name: "new" }));
    expect(pager.total()).toBe(3);
    expect([0, 1, 2].map((i) => pager.row(i)?.name)).toEqual(["new", "run-0", "run-1"]);
  });
});
