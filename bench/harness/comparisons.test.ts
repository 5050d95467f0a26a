import { describe, expect, it } from "vitest";
import { summarise } from "./aggregate";
import { compare, COMPARISONS, type Comparison } from "./comparisons";

const measured = (key: string, values: number[]) => summarise({ key, label: key, unit: "ms", better: "lower" }, values);

const triggerToRunning: Comparison = {
  key: "compare.t.prefect_over_baton",
  label: "trigger → RUNNING",
  numeratorName: "Prefect",
  denominatorName: "Baton",
  numerator: "prefect.t",
  denominator: "dispatch.t",
  better: "higher",
};

describe("compare", () => {
  it("divides the medians of two benchmarks' figures into a checked ratio, its spread from the extreme pairings", () => {
    const { rows, skipped } = compare([measured("dispatch.t", [10, 20, 15]), measured("prefect.t", [1500, 1800, 1200])], [triggerToRunning]);
    expect(skipped).toEqual([]);
    expect(rows).toHaveLength(1);
    const { ratio, numerator, denominator } = rows[0]!;
    expect(numerator.key).toBe("prefect.t");
    expect(denominator.key).toBe("dispatch.t");
    expect(ratio).toMatchObject({ key: "compare.t.prefect_over_baton", unit: "x", better: "higher", check: true, median: 100, min: 60, max: 180 });
    expect(ratio.label).toBe("trigger → RUNNING: Prefect ÷ Baton");
  });

  it("leaves out a comparison whose figures were not both measured, or whose ratio would mean nothing", () => {
    const onlyBaton = compare([measured("dispatch.t", [10])], [triggerToRunning]);
    expect(onlyBaton.rows).toEqual([]);
    expect(onlyBaton.skipped.map((s) => s.reason)).toEqual(["not measured in this run: prefect.t"]);
    const zero = compare([measured("dispatch.t", [0, 1]), measured("prefect.t", [100])], [triggerToRunning]);
    expect(zero.rows).toEqual([]);
    expect(zero.skipped[0]!.reason).toMatch(/zero or negative/);
  });

  it("pairs Prefect's figures with Baton's equivalents by key", () => {
    const pairs = COMPARISONS.map((c) => [c.numerator, c.denominator]);
    expect(pairs).toContainEqual(["prefect.trigger_running.p50", "dispatch.push.running.p50"]);
    expect(pairs).toContainEqual(["prefect.tasks_1000.ms_per_task", "overhead.sequential.ms_per_task"]);
    expect(new Set(COMPARISONS.map((c) => c.key)).size).toBe(COMPARISONS.length);
  });
});
