import { describe, expect, it } from "vitest";
import { summarise } from "./aggregate";
import { checkAgainstBaseline } from "./check";
import { compare, type Comparison } from "./comparisons";
import { formatDuration, formatNumber, renderMarkdown, toJson, type RunResults } from "./report";

const env = {
  date: "2026-11-25T17:40:12.345Z",
  machine: { cpu: "AMD EPYC", cores: 2, memory_gb: 23.5, load_average: [0.5, 0.25, 1] },
  os: "Linux 6.1 x64 (Debian GNU/Linux 12)",
  versions: { node: "v24.21.0", wrangler: "4.164.0", workerd: "1.20261117.1", vitest: "5.1.1", baton: "0.1.0" },
  commit: "3a69663 + uncommitted changes",
};

const under20 = { op: "<=" as const, limit: 20, text: "p50 ≤ 20 ms" };
const running = summarise({ key: "dispatch.push.running.p50", label: "created → RUNNING, push (p50)", unit: "ms", better: "lower", target: under20 }, [12, 14, 13]);
const slow = summarise({ key: "dispatch.push.running.p99", label: "created → RUNNING, push (p99)", unit: "ms", better: "lower", target: { op: "<=", limit: 100, text: "p99 ≤ 100 ms" }, note: "Measured under load." }, [150]);
const ratio = summarise({ key: "dispatch.ratio", label: "poll ÷ push", unit: "x", better: "higher", check: true }, [400, 380]);
const prefect = summarise({ key: "prefect.trigger_running.p50", label: "Prefect trigger → RUNNING", unit: "ms", better: "lower" }, [1300]);
const comparison: Comparison = { key: "compare.t", label: "trigger → RUNNING (p50, ms)", numeratorName: "Prefect", denominatorName: "Baton", numerator: "prefect.trigger_running.p50", denominator: "dispatch.push.running.p50", better: "higher" };

function results(): RunResults {
  const { rows } = compare([running, prefect], [comparison]);
  return {
    mode: "full",
    only: null,
    environment: env,
    seconds: 192,
    benchmarks: [
      { name: "dispatch", title: "Dispatch latency", description: "What is measured.", repeats: 3, seconds: 80, figures: [running, slow, ratio] },
      { name: "prefect", title: "Prefect side by side", repeats: 1, seconds: 100, figures: [prefect] },
      { name: "fanin", title: "Fan-in", repeats: 0, seconds: 1, figures: [], error: "Error: the local server did not start\n  at stack" },
    ],
    comparisons: rows,
    skippedComparisons: [{ key: "compare.other", reason: "not measured in this run: prefect.other" }],
  };
}

describe("renderMarkdown", () => {
  const md = renderMarkdown(results());

  it("heads the results with the date, machine, load, OS, versions and commit", () => {
    expect(md).toMatch(/^# Benchmark results\n/);
    expect(md).toContain("full pass on 2026-11-25 17:40 UTC, 3 min 12 s in all");
    expect(md).toContain("| Machine | AMD EPYC · 2 cores · 23.5 GB memory · load average (1, 5, 15 min) at start 0.50, 0.25, 1.00 |");
    expect(md).toContain("| OS | Linux 6.1 x64 (Debian GNU/Linux 12) |");
    expect(md).toContain("| Node | v24.21.0 |");
    expect(md).toContain("| wrangler · workerd · vitest | 4.164.0 · 1.20261117.1 · 5.1.1 |");
    expect(md).toContain("| Baton | 0.1.0 · commit 3a69663 + uncommitted changes |");
  });

  it("warns when the machine was busier than its cores, at the start or at the end", () => {
    expect(md).not.toContain("The machine was busy");
    const busy = (machine: Partial<RunResults["environment"]["machine"]>) => renderMarkdown({ ...results(), environment: { ...env, machine: { ...env.machine, ...machine } } });
    expect(busy({ load_average: [6.5, 3, 1] })).toContain("> The machine was busy with other work (1-minute load average up to 6.5 on 2 cores)");
    const ended = busy({ load_average_end: [3.25, 1, 1] });
    expect(ended).toContain("at start 0.50, 0.25, 1.00, at the end 3.25, 1.00, 1.00 |");
    expect(ended).toContain("load average up to 3.3 on 2 cores");
  });

  it("has one table per benchmark: median, spread, unit, target and met / not met, and the checked figures' margins", () => {
    expect(md).toContain("## Dispatch latency (`dispatch`, 3 repeats, 1 min 20 s)\n\nWhat is measured.\n");
    expect(md).toContain("| created → RUNNING, push (p50) | 13 | 12–14 | ms | ≤ 20 | met |  |");
    expect(md).toContain("| created → RUNNING, push (p99) | 150 | — | ms | ≤ 100 | **not met** |  |");
    expect(md).toContain("| poll ÷ push | 390 | 380–400 | x |  |  | 25 % |");
    expect(md).toContain("- Measured under load.");
  });

  it("sums up the targets, names those not met and the benchmarks that failed", () => {
    expect(md).toContain("1 of 2 targets met.");
    expect(md).toContain("- created → RUNNING, push (p99) (dispatch): 150 ms, target p99 ≤ 100 ms");
    expect(md).toContain("Failed to run: `fanin`");
    expect(md).toContain("**Failed:** Error: the local server did not start   at stack");
  });

  it("puts Baton and Prefect side by side with their ratio", () => {
    expect(md).toContain("## Baton and Prefect side by side");
    expect(md).toContain("| trigger → RUNNING (p50, ms) | 13 | 1,300 | 100 × (Prefect ÷ Baton) | 92.9–108 | 25 % |");
    expect(md).toContain("- `compare.other`: not measured in this run: prefect.other.");
  });

  it("explains the regression check, and its outcome when one ran", () => {
    expect(md).toContain("## Regression check");
    expect(md).toContain("25 % for ratios measured within one run");
    expect(md).toContain("0 % for counts that must not grow");
    const checked = { ...results(), check: { ...checkAgainstBaseline([ratio], { recorded: "", commit: "", figures: { "dispatch.ratio": { value: 600, unit: "x", better: "higher", label: "" } } }), baseline: "bench/baseline.json" } };
    const text = renderMarkdown(checked);
    expect(text).toContain("In this run, against bench/baseline.json: **1 regression(s)**.");
    expect(text).toContain("- dispatch.ratio: 390 x, baseline 600 x");
  });

  it("says when it is a quick or partial pass", () => {
    expect(renderMarkdown({ ...results(), mode: "quick", only: ["dispatch"] })).toContain("quick pass (`--quick`: fewer rounds, one repeat) of `dispatch` on");
  });
});

describe("toJson", () => {
  it("keys figures by their key under their benchmark, with the environment and the comparisons", () => {
    const json = toJson(results()) as any;
    expect(json.environment).toEqual(env);
    expect(json.benchmarks[0].figures["dispatch.push.running.p50"]).toMatchObject({ median: 13, min: 12, max: 14, values: [12, 14, 13], met: true });
    expect(json.benchmarks[2].error).toContain("did not start");
    expect(json.comparisons["compare.t"]).toMatchObject({ median: 100, numerator: "prefect.trigger_running.p50", denominator: "dispatch.push.running.p50" });
  });
});

describe("formatNumber and formatDuration", () => {
  it("give enough digits to compare", () => {
    expect([12345.6, 123.4, 12.34, 1.234, 0.1234, 7, 0].map(formatNumber)).toEqual(["12,346", "123", "12.3", "1.23", "0.123", "7", "0"]);
    expect([45, 192, 60].map(formatDuration)).toEqual(["45 s", "3 min 12 s", "1 min 0 s"]);
  });
});
