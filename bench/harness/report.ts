/** What a run of `npm run bench` produced, and its rendering as RESULTS.md (pure: no I/O here). */
import type { FigureSummary } from "./aggregate";
import { DEFAULT_COUNT_MARGIN, DEFAULT_RATIO_MARGIN, marginOf, type CheckReport } from "./check";
import type { ComparisonRow } from "./comparisons";

export type Environment = {
  /** ISO time the run started. */
  date: string;
  machine: { cpu: string; cores: number; memory_gb: number; load_average: number[]; load_average_end?: number[] };
  os: string;
  versions: { node: string; wrangler: string; workerd: string; vitest: string; baton: string };
  /** Short commit id, with "+ uncommitted changes" when the tree differs from it. */
  commit: string;
};

export type BenchmarkResult = {
  name: string;
  title: string;
  description?: string;
  repeats: number;
  seconds: number;
  figures: FigureSummary[];
  /** Set when a repeat threw: the benchmark's figures are then left out. */
  error?: string;
};

export type RunResults = {
  mode: "full" | "quick";
  /** Benchmarks asked for with --only, or null for all. */
  only: string[] | null;
  environment: Environment;
  seconds: number;
  benchmarks: BenchmarkResult[];
  comparisons: ComparisonRow[];
  skippedComparisons: { key: string; reason: string }[];
  check?: CheckReport & { baseline: string };
};

/** Enough digits to compare, not more: 2,345 · 123 · 12.3 · 1.23 · 0.123. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a >= 100 || Number.isInteger(x)) return String(Math.round(x));
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const targetText = (f: FigureSummary) => (f.target ? `${f.target.op === "<=" ? "≤" : "≥"} ${formatNumber(f.target.limit)}` : "");
const metText = (f: FigureSummary) => (f.met === undefined ? "" : f.met ? "met" : "**not met**");
const spreadText = (f: FigureSummary) => (f.values.length < 2 ? "—" : `${formatNumber(f.min)}–${formatNumber(f.max)}`);
const checkText = (f: FigureSummary) => (f.check ? `${Math.round(marginOf(f) * 100)} %` : "");

function figureTable(figures: readonly FigureSummary[]): string[] {
  const lines = ["| figure | median | spread | unit | target | | --check margin |", "| --- | ---: | ---: | --- | --- | --- | ---: |"];
  for (const f of figures) {
    lines.push(`| ${cell(f.label)} | ${formatNumber(f.median)} | ${spreadText(f)} | ${cell(f.unit)} | ${targetText(f)} | ${metText(f)} | ${checkText(f)} |`);
  }
  return lines;
}

function notes(figures: readonly FigureSummary[]): string[] {
  const seen = [...new Set(figures.map((f) => f.note).filter((n): n is string => !!n))];
  return seen.map((n) => `- ${n}`);
}

function environmentTable(env: Environment): string[] {
  const { machine, versions } = env;
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
  const end = machine.load_average_end ? `, at the end ${load(machine.load_average_end)}` : "";
  return [
    "| | |",
    "| --- | --- |",
    `| Machine | ${cell(machine.cpu)} · ${machine.cores} cores · ${machine.memory_gb.toFixed(1)} GB memory · load average (1, 5, 15 min) at start ${load(machine.load_average)}${end} |`,
    `| OS | ${cell(env.os)} |`,
    `| Node | ${versions.node} |`,
    `| wrangler · workerd · vitest | ${versions.wrangler} · ${versions.workerd} · ${versions.vitest} |`,
    `| Baton | ${versions.baton} · commit ${env.commit} |`,
  ];
}

/** A run on a machine that was busy with other work says so: its times are not what the code can do. */
function busyWarning(env: Environment): string[] {
  const { cores, load_average, load_average_end } = env.machine;
  const worst = Math.max(load_average[0] ?? 0, load_average_end?.[0] ?? 0);
  if (worst <= cores) return [];
  return [`> The machine was busy with other work (1-minute load average up to ${worst.toFixed(1)} on ${cores} cores): absolute times and rates below are slower than the code allows; ratios and counts are less affected.`, ""];
}

function targetSummary(results: RunResults): string[] {
  const withTarget = results.benchmarks.flatMap((b) => b.figures.filter((f) => f.met !== undefined).map((f) => ({ b, f })));
  const missed = withTarget.filter(({ f }) => !f.met);
  const failed = results.benchmarks.filter((b) => b.error);
  const lines = [`${withTarget.length - missed.length} of ${withTarget.length} targets met.`];
  if (missed.length > 0) {
    lines.push("", "Not met:");
    for (const { b, f } of missed) lines.push(`- ${cell(f.label)} (${b.name}): ${formatNumber(f.median)} ${f.unit}, target ${f.target!.text}`);
  }
  if (failed.length > 0) lines.push("", `Failed to run: ${failed.map((b) => `\`${b.name}\``).join(", ")} (see below).`);
  return lines;
}

function comparisonSection(results: RunResults): string[] {
  if (results.comparisons.length === 0 && results.skippedComparisons.length === 0) return [];
  const lines = ["## Baton and Prefect side by side", ""];
  if (results.comparisons.length > 0) {
    lines.push(
      "Measured in this run on this machine; each side is the median of its benchmark's repeats. The ratio's spread runs from the best to the worst pairing of the two benchmarks' repeats.",
      "",
      "| what | Baton | Prefect | ratio | spread | --check margin |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const { comparison: c, numerator, denominator, ratio } of results.comparisons) {
      const [baton, prefect] = c.denominatorName === "Baton" ? [denominator, numerator] : [numerator, denominator];
      lines.push(
        `| ${cell(c.label)} | ${formatNumber(baton.median)} | ${formatNumber(prefect.median)} | ${formatNumber(ratio.median)} × (${c.numeratorName} ÷ ${c.denominatorName}) | ${formatNumber(ratio.min)}–${formatNumber(ratio.max)} | ${checkText(ratio)} |`,
      );
    }
  }
  for (const s of results.skippedComparisons) lines.push("", `- \`${s.key}\`: ${s.reason}.`);
  return [...lines, ""];
}

function checkSection(results: RunResults): string[] {
  const lines = [
    "## Regression check",
    "",
    `\`npm run bench -- --check\` compares the figures marked with a margin above against bench/baseline.json (written by \`--update-baseline\`) and exits 1 when one is worse than its baseline by more than its margin: ${Math.round(DEFAULT_RATIO_MARGIN * 100)} % for ratios measured within one run (push vs poll, orchestrated vs plain, Prefect vs Baton) and ${Math.round(DEFAULT_COUNT_MARGIN * 100)} % for counts that must not grow (HTTP requests, D1 rows, runs handed out twice), unless the figure states its own. Absolute times and rates are never checked: they depend on the machine and its load.`,
  ];
  const c = results.check;
  if (c) {
    lines.push("", `In this run, against ${c.baseline}: ${c.regressions.length === 0 ? `passed (${c.passed.length} figures)` : `**${c.regressions.length} regression(s)**`}.`);
    for (const r of c.regressions) lines.push(`- ${r.key}: ${formatNumber(r.value)} ${r.unit}, baseline ${formatNumber(r.baseline)} ${r.unit}`);
    if (c.noBaseline.length > 0) lines.push(`- No baseline yet: ${c.noBaseline.join(", ")}`);
  }
  return [...lines, ""];
}

export function renderMarkdown(results: RunResults): string {
  const env = results.environment;
  const when = env.date.replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
  const pass = results.mode === "quick" ? "quick pass (`--quick`: fewer rounds, one repeat)" : "full pass";
  const only = results.only ? ` of ${results.only.map((n) => `\`${n}\``).join(", ")}` : "";
  const lines = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench\`: ${pass}${only} on ${when}, ${formatDuration(results.seconds)} in all. Every figure is measured against the real local server (\`baton server start\`: workerd, D1, Durable Objects) with real worker processes and sockets. Each benchmark ran its number of repeats; **median** is the median over the repeats and **spread** their lowest and highest value. Targets are those of DESIGN.md.`,
    "",
    ...environmentTable(env),
    "",
    ...busyWarning(env),
    "## Targets",
    "",
    ...targetSummary(results),
    "",
  ];
  for (const b of results.benchmarks) {
    lines.push(`## ${b.title} (\`${b.name}\`, ${b.repeats} repeat${b.repeats === 1 ? "" : "s"}, ${formatDuration(b.seconds)})`, "");
    if (b.description) lines.push(b.description, "");
    if (b.error) {
      lines.push(`**Failed:** ${cell(b.error.split("\n").slice(0, 5).join(" "))}`, "");
      continue;
    }
    lines.push(...figureTable(b.figures), "");
    const n = notes(b.figures);
    if (n.length > 0) lines.push(...n, "");
  }
  lines.push(...comparisonSection(results), ...checkSection(results));
  return lines.join("\n");
}

/** The same data for tooling: figures keyed by key, with the environment. */
export function toJson(results: RunResults): unknown {
  return {
    schema: 1,
    mode: results.mode,
    only: results.only,
    environment: results.environment,
    seconds: Math.round(results.seconds),
    benchmarks: results.benchmarks.map((b) => ({
      name: b.name,
      title: b.title,
      repeats: b.repeats,
      seconds: Math.round(b.seconds),
      ...(b.error ? { error: b.error } : {}),
      figures: Object.fromEntries(b.figures.map((f) => [f.key, f])),
    })),
    comparisons: Object.fromEntries(
      results.comparisons.map((r) => [r.ratio.key, { ...r.ratio, numerator: r.comparison.numerator, denominator: r.comparison.denominator }]),
    ),
    ...(results.check ? { check: results.check } : {}),
  };
}
