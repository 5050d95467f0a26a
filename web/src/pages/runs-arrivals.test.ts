import { describe, expect, it } from "vitest";
import type { FlowRun } from "../../../protocol/flow-runs";
import { createArrivals } from "./runs-arrivals";

/** Only the id matters here: the batcher hands runs on as they came. */
const fakeRun = (_i: number, over: { id: string }) => over as unknown as FlowRun;

function setup(found: (ids: string[]) => FlowRun[]) {
  const timers: (() => void)[] = [];
  const asked: string[][] = [];
  const merged: FlowRun[][] = [];
  let many = 0;
  const arrivals = createArrivals(
    {
      fetch: async (ids) => (asked.push(ids), found(ids)),
      onRuns: (runs) => merged.push(runs),
      onMany: () => many++,
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
    },
    300,
    3,
  );
  const fire = async () => {
    timers.splice(0).forEach((fn) => fn());
    await new Promise((r) => setTimeout(r, 0));
  };
  return { arrivals, timers, asked, merged, many: () => many, fire };
}

describe("createArrivals", () => {
  it("asks for a burst's runs in one request, and hands on what matched", async () => {
    const s = setup((ids) => [fakeRun(1, { id: ids[0]! })]);
    s.arrivals.add("a");
    s.arrivals.add("b");
    s.arrivals.add("a");
    expect(s.timers).toHaveLength(1);
    await s.fire();
    expect(s.asked).toEqual([["a", "b"]]);
    expect(s.merged.map((r) => r.map((x) => x.id))).toEqual([["a"]]);
  });

  it("asks the list again instead for a burst larger than it would show", async () => {
    const s = setup(() => []);
    for (const id of ["a", "b", "c", "d"]) s.arrivals.add(id);
    await s.fire();
    expect(s.asked).toEqual([]);
    expect(s.many()).toBe(1);
  });

  it("drops an answer asked before the list was loaded anew", async () => {
    const s = setup((ids) => ids.map((id, i) => fakeRun(i, { id })));
    s.arrivals.add("a");
    const pending = s.timers.splice(0);
    pending.forEach((fn) => fn());
    s.arrivals.clear();
    await new Promise((r) => setTimeout(r, 0));
    expect(s.asked).toEqual([["a"]]);
    expect(s.merged).toEqual([]);
  });
});
