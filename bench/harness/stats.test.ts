import { describe, expect, it } from "vitest";
import { latencyFigures, median, percentiles, quantile } from "./stats";

describe("quantile", () => {
  it("answers a measured value by nearest rank", () => {
    const xs = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(100);
    expect(quantile(xs, 0.9)).toBe(180);
    expect(quantile(xs, 0.99)).toBe(198);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([1, 2, 3], 0)).toBe(1);
    expect(quantile([1, 2, 3], 1)).toBe(3);
  });

  it("refuses no values", () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones, whatever the order", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 2])).toBe(6);
    expect(median([5])).toBe(5);
  });
});

describe("latencyFigures", () => {
  it("makes p50, p90 and p99 figures in ms, lower is better, with the targets given", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    const target = { op: "<=" as const, limit: 20, text: "p50 ≤ 20 ms" };
    const figures = latencyFigures("d.push", "push", samples, { targets: { p50: target } });
    expect(figures.map((f) => [f.key, f.value, f.target])).toEqual([
      ["d.push.p50", 50, target],
      ["d.push.p90", 90, undefined],
      ["d.push.p99", 99, undefined],
    ]);
    expect(figures[0]).toMatchObject({ label: "push (p50, n=100)", unit: "ms", better: "lower" });
    expect(percentiles(samples)).toMatchObject({ min: 1, max: 100, n: 100 });
  });

  it("makes only the percentiles asked for", () => {
    expect(latencyFigures("k", "l", [1, 2], { only: ["p50"] }).map((f) => f.key)).toEqual(["k.p50"]);
  });
});
