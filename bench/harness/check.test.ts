import { describe, expect, it } from "vitest";
import { summarise, type FigureSummary } from "./aggregate";
import { checkAgainstBaseline, formatCheckReport, marginOf, parseBaseline, updatedBaseline, worsening, type Baseline } from "./check";
import type { Figure } from "./types";

const summary = (key: string, value: number, extra: Partial<Figure> = {}): FigureSummary =>
  summarise({ key, label: key, unit: "x", better: "higher", check: true, ...extra }, [value]);

const baseline = (figures: Record<string, { value: number; better?: "lower" | "higher"; unit?: string }>): Baseline => ({
  recorded: "2026-11-25T00:00:00.000Z",
  commit: "abc1234",
  figures: Object.fromEntries(Object.entries(figures).map(([k, f]) => [k, { value: f.value, better: f.better ?? "higher", unit: f.unit ?? "x", label: k }])),
});

describe("worsening", () => {
  it("is the factor by which a figure got worse in its bad direction, minus one", () => {
    expect(worsening(125, 100, "lower")).toBeCloseTo(0.25);
    expect(worsening(80, 100, "higher")).toBeCloseTo(0.25);
    expect(worsening(100, 100, "lower")).toBe(0);
    expect(worsening(90, 100, "lower")).toBeLessThan(0);
    expect(worsening(120, 100, "higher")).toBeLessThan(0);
  });

  it("is infinite for a count that grew from zero, and for a ratio that fell to zero", () => {
    expect(worsening(1, 0, "lower")).toBe(Infinity);
    expect(worsening(0, 5, "higher")).toBe(Infinity);
    expect(worsening(0, 0, "lower")).toBe(0);
  });
});

describe("marginOf", () => {
  it("is 25 % for ratios and 0 for counts, unless the figure states its own", () => {
    expect(marginOf({ unit: "x" })).toBe(0.25);
    expect(marginOf({ unit: "requests" })).toBe(0);
    expect(marginOf({ unit: "requests", margin: 0.5 })).toBe(0.5);
    expect(marginOf({ unit: "x", margin: 0 })).toBe(0);
  });
});

describe("checkAgainstBaseline", () => {
  it("fails a ratio that worsened by more than 25 %, passes one within it, in either direction of better", () => {
    const report = checkAgainstBaseline(
      [
        summary("poll_over_push", 74, { better: "higher" }), // 100 / 74 = 1.35: worse by 35 %
        summary("prefect_over_baton", 81, { better: "higher" }), // 100 / 81 = 1.23: within
        summary("orchestrated_over_plain", 1.3, { better: "lower" }), // 1.3 / 1 = 30 % worse
        summary("map_over_sequential", 1.2, { better: "lower" }), // within
        summary("improved", 500, { better: "higher" }),
      ],
      baseline({
        poll_over_push: { value: 100 },
        prefect_over_baton: { value: 100 },
        orchestrated_over_plain: { value: 1, better: "lower" },
        map_over_sequential: { value: 1, better: "lower" },
        improved: { value: 100 },
      }),
    );
    expect(report.regressions.map((r) => r.key)).toEqual(["poll_over_push", "orchestrated_over_plain"]);
    expect(report.passed.map((r) => r.key)).toEqual(["prefect_over_baton", "map_over_sequential", "improved"]);
    expect(report.regressions[0]).toMatchObject({ value: 74, baseline: 100, margin: 0.25 });
    expect(report.regressions[0]!.worsening).toBeCloseTo(100 / 74 - 1);
  });

  it("fails a count that grew at all, and passes one that stayed or fell", () => {
    const count = (key: string, value: number) => summary(key, value, { unit: "rows", better: "lower" });
    const report = checkAgainstBaseline(
      [count("rows_per_task", 3), count("same", 2), count("fewer", 1), count("twice", 1)],
      baseline({ rows_per_task: { value: 2, better: "lower" }, same: { value: 2, better: "lower" }, fewer: { value: 2, better: "lower" }, twice: { value: 0, better: "lower" } }),
    );
    expect(report.regressions.map((r) => r.key)).toEqual(["rows_per_task", "twice"]);
    expect(report.passed.map((r) => r.key)).toEqual(["same", "fewer"]);
  });

  it("uses a figure's own margin", () => {
    const requests = (value: number) => summary("requests", value, { unit: "requests", better: "lower", margin: 0.5 });
    const base = baseline({ requests: { value: 8, better: "lower" } });
    expect(checkAgainstBaseline([requests(12)], base).regressions).toEqual([]);
    expect(checkAgainstBaseline([requests(13)], base).regressions.map((r) => r.key)).toEqual(["requests"]);
  });

  it("ignores figures not marked check, lists checked ones without a baseline and baseline entries not measured", () => {
    const report = checkAgainstBaseline(
      [summary("latency", 500, { unit: "ms", better: "lower", check: false }), summary("new_ratio", 2)],
      baseline({ latency: { value: 1, better: "lower" }, old_ratio: { value: 3 } }),
    );
    expect(report).toEqual({ regressions: [], passed: [], noBaseline: ["new_ratio"], notMeasured: ["latency", "old_ratio"] });
  });
});

describe("formatCheckReport", () => {
  it("names each regression with its value, baseline, how much worse and the margin", () => {
    const report = checkAgainstBaseline([summary("dispatch.ratio", 50, { label: "poll ÷ push" })], baseline({ "dispatch.ratio": { value: 100 } }));
    const text = formatCheckReport(report, "bench/baseline.json");
    expect(text).toContain("Regression check FAILED: 1 figure(s) worse than bench/baseline.json");
    expect(text).toContain("✗ dispatch.ratio (poll ÷ push): 50 x, baseline 100 x, worse by 100 % (margin 25 %)");
  });

  it("says it passed, and what had no baseline", () => {
    const report = checkAgainstBaseline([summary("a", 10), summary("b", 1)], baseline({ a: { value: 10 } }));
    expect(formatCheckReport(report, "b.json")).toBe(
      "Regression check passed: 1 checked figure(s) within their margin of b.json.\n  No baseline yet (record with --update-baseline): b",
    );
  });
});

describe("updatedBaseline", () => {
  it("records this run's checked figures, keeps entries not measured, and leaves unchecked figures out", () => {
    const old = baseline({ kept: { value: 1 }, replaced: { value: 2 } });
    const next = updatedBaseline(old, [summary("replaced", 5), summary("added", 7, { unit: "rows", better: "lower" }), summary("time", 9, { unit: "ms", check: false })], {
      recorded: "2026-12-01T00:00:00.000Z",
      commit: "def5678",
    });
    expect(next).toEqual({
      recorded: "2026-12-01T00:00:00.000Z",
      commit: "def5678",
      figures: {
        added: { value: 7, unit: "rows", better: "lower", label: "added" },
        kept: { value: 1, unit: "x", better: "higher", label: "kept" },
        replaced: { value: 5, unit: "x", better: "higher", label: "replaced" },
      },
    });
  });

  it("starts one when there is none", () => {
    expect(updatedBaseline(undefined, [summary("a", 1)], { recorded: "t", commit: "c" }).figures).toEqual({ a: { value: 1, unit: "x", better: "higher", label: "a" } });
  });
});

describe("parseBaseline", () => {
  it("reads a baseline and refuses a file that is not one", () => {
    const text = JSON.stringify(baseline({ a: { value: 1 } }));
    expect(parseBaseline(text, "b.json").figures.a!.value).toBe(1);
    expect(() => parseBaseline("{}", "b.json")).toThrow('b.json is not a benchmark baseline (no "figures" object)');
    expect(() => parseBaseline(JSON.stringify({ figures: { a: { value: "1", better: "lower" } } }), "b.json")).toThrow("b.json: figure a needs a numeric");
    expect(() => parseBaseline("not json", "b.json")).toThrow();
  });
});
