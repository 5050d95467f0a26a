import { describe, expect, it } from "vitest";
import { aggregate, isTimeUnit, validateFigures } from "./aggregate";
import type { Figure } from "./types";

const fig = (key: string, value: number, extra: Partial<Figure> = {}): Figure => ({ key, label: key, unit: "ms", value, better: "lower", ...extra });

describe("aggregate", () => {
  it("gathers each key's values across repeats: median, min and max, in the order keys first appear", () => {
    const summaries = aggregate([
      [fig("a", 10), fig("b", 1)],
      [fig("a", 30), fig("b", 3)],
      [fig("a", 20), fig("b", 2)],
    ]);
    expect(summaries.map((s) => [s.key, s.values, s.median, s.min, s.max])).toEqual([
      ["a", [10, 30, 20], 20, 10, 30],
      ["b", [1, 3, 2], 2, 1, 3],
    ]);
    expect(summaries[0]).not.toHaveProperty("value");
  });

  it("says whether the median meets the target, in the target's direction", () => {
    const under = { op: "<=" as const, limit: 20, text: "≤ 20" };
    const over = { op: ">=" as const, limit: 2000, text: "≥ 2000" };
    const [fast, slow, many, few] = aggregate([
      [fig("fast", 15, { target: under }), fig("slow", 25, { target: under }), fig("many", 2500, { target: over }), fig("few", 1999, { target: over })],
      [fig("fast", 30, { target: under }), fig("slow", 19, { target: under }), fig("many", 2000, { target: over }), fig("few", 1500, { target: over })],
      [fig("fast", 18, { target: under }), fig("slow", 40, { target: under }), fig("many", 1000, { target: over }), fig("few", 2100, { target: over })],
    ]);
    expect([fast!.met, slow!.met, many!.met, few!.met]).toEqual([true, false, true, false]);
    expect(aggregate([[fig("none", 1)]])[0]).not.toHaveProperty("met");
  });

  it("takes label and note from the last repeat that had the figure, and keeps figures only some repeats made", () => {
    const [a, b] = aggregate([[fig("a", 1, { note: "first" })], [fig("a", 2, { note: "second" }), fig("b", 5)]]);
    expect(a).toMatchObject({ note: "second", values: [1, 2], median: 1.5 });
    expect(b).toMatchObject({ values: [5], median: 5 });
  });
});

describe("validateFigures", () => {
  it("refuses duplicate keys, values that are not numbers and negative margins", () => {
    expect(() => validateFigures("x", [fig("a", 1), fig("a", 2)])).toThrow("x: figure a appears twice");
    expect(() => validateFigures("x", [fig("a", NaN)])).toThrow("not a number");
    expect(() => validateFigures("x", [fig("a", Infinity)])).toThrow("not a number");
    expect(() => validateFigures("x", [fig("a", 1, { unit: "x", check: true, margin: -0.1 })])).toThrow("negative margin");
  });

  it("refuses a checked figure that is an absolute time or rate: those depend on the machine", () => {
    expect(() => validateFigures("x", [fig("a", 1, { check: true })])).toThrow("absolute time or rate (ms)");
    expect(() => validateFigures("x", [fig("a", 1, { unit: "runs/s", check: true })])).toThrow("(runs/s)");
    expect(() => validateFigures("x", [fig("r", 3, { unit: "x", check: true }), fig("c", 7, { unit: "requests", check: true }), fig("t", 5)])).not.toThrow();
  });

  it("knows times and rates from counts and ratios", () => {
    expect(["ms", "s", "µs", "task runs/s", "lines/s"].every(isTimeUnit)).toBe(true);
    expect(["x", "requests", "rows", "KB", "USD", "runs"].some(isTimeUnit)).toBe(false);
  });
});
