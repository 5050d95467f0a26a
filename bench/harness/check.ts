/**
 * The regression check (`npm run bench -- --check`): checked figures of this run against bench/baseline.json.
 * Only ratios measured within one run and counts are checked (harness/aggregate.ts refuses checked times).
 * A figure regresses when it is worse than its baseline by more than its margin, worse measured as a factor
 * in the figure's bad direction: with margin 0.25, a lower-is-better ratio fails above 1.25 × the baseline,
 * a higher-is-better one below baseline ÷ 1.25. Counts have margin 0 unless the figure says otherwise: they
 * may not grow at all.
 */
import type { FigureSummary } from "./aggregate";

export const DEFAULT_RATIO_MARGIN = 0.25;
export const DEFAULT_COUNT_MARGIN = 0;

export type BaselineEntry = { value: number; unit: string; better: "lower" | "higher"; label: string };
export type Baseline = {
  /** When, and at which commit, the baseline was last updated (entries not measured then are older). */
  recorded: string;
  commit: string;
  figures: Record<string, BaselineEntry>;
};

export function marginOf(figure: Pick<FigureSummary, "unit" | "margin">): number {
  return figure.margin ?? (figure.unit === "x" ? DEFAULT_RATIO_MARGIN : DEFAULT_COUNT_MARGIN);
}

/**
 * How much worse `value` is than `baseline` as a fraction (0.3: 30 % worse); 0 or less when it is not worse.
 * Infinity when the baseline is 0 and the value is worse (a count that appeared).
 */
export function worsening(value: number, baseline: number, better: "lower" | "higher"): number {
  const [bad, good] = better === "lower" ? [value, baseline] : [baseline, value];
  if (bad <= good) return bad === good ? 0 : -1;
  if (good <= 0) return Infinity;
  return bad / good - 1;
}

export type CheckOutcome = {
  key: string;
  label: string;
  unit: string;
  value: number;
  baseline: number;
  margin: number;
  worsening: number;
};

export type CheckReport = {
  regressions: CheckOutcome[];
  passed: CheckOutcome[];
  /** In the baseline but not measured this run (a benchmark left out with --only, or one that failed). */
  notMeasured: string[];
  /** Checked figures without a baseline yet (`--update-baseline` records them). */
  noBaseline: string[];
};

export function checkAgainstBaseline(figures: readonly FigureSummary[], baseline: Baseline): CheckReport {
  const report: CheckReport = { regressions: [], passed: [], notMeasured: [], noBaseline: [] };
  const checked = figures.filter((f) => f.check);
  const measured = new Set(checked.map((f) => f.key));
  for (const f of checked) {
    const base = baseline.figures[f.key];
    if (!base) {
      report.noBaseline.push(f.key);
      continue;
    }
    const margin = marginOf(f);
    const outcome: CheckOutcome = { key: f.key, label: f.label, unit: f.unit, value: f.median, baseline: base.value, margin, worsening: worsening(f.median, base.value, f.better) };
    (outcome.worsening > margin ? report.regressions : report.passed).push(outcome);
  }
  report.notMeasured = Object.keys(baseline.figures).filter((k) => !measured.has(k));
  return report;
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(3));
const pct = (x: number) => (x === Infinity ? "from zero" : `${Math.round(x * 100)} %`);

export function formatCheckReport(report: CheckReport, baselinePath: string): string {
  const lines: string[] = [];
  if (report.regressions.length > 0) {
    lines.push(`Regression check FAILED: ${report.regressions.length} figure(s) worse than ${baselinePath} by more than their margin:`);
    for (const r of report.regressions) {
      lines.push(`  ✗ ${r.key} (${r.label}): ${num(r.value)} ${r.unit}, baseline ${num(r.baseline)} ${r.unit}, worse by ${pct(r.worsening)} (margin ${pct(r.margin)})`);
    }
  } else {
    lines.push(`Regression check passed: ${report.passed.length} checked figure(s) within their margin of ${baselinePath}.`);
  }
  if (report.noBaseline.length > 0) lines.push(`  No baseline yet (record with --update-baseline): ${report.noBaseline.join(", ")}`);
  if (report.notMeasured.length > 0) lines.push(`  In the baseline but not measured in this run: ${report.notMeasured.join(", ")}`);
  return lines.join("\n");
}

/** The baseline with this run's checked figures recorded (figures not measured this run are kept). */
export function updatedBaseline(old: Baseline | undefined, figures: readonly FigureSummary[], meta: { recorded: string; commit: string }): Baseline {
  const entries: Record<string, BaselineEntry> = { ...(old?.figures ?? {}) };
  for (const f of figures) {
    if (f.check) entries[f.key] = { value: f.median, unit: f.unit, better: f.better, label: f.label };
  }
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
  return { recorded: meta.recorded, commit: meta.commit, figures: sorted };
}

/** Reads a baseline file's JSON, refusing one that is not shaped like a baseline. */
export function parseBaseline(text: string, path: string): Baseline {
  const data = JSON.parse(text) as Partial<Baseline>;
  if (!data || typeof data !== "object" || typeof data.figures !== "object" || data.figures === null) {
    throw new Error(`${path} is not a benchmark baseline (no "figures" object)`);
  }
  for (const [key, entry] of Object.entries(data.figures)) {
    if (typeof entry?.value !== "number" || (entry.better !== "lower" && entry.better !== "higher")) {
      throw new Error(`${path}: figure ${key} needs a numeric "value" and "better": "lower" | "higher"`);
    }
  }
  return { recorded: String(data.recorded ?? ""), commit: String(data.commit ?? ""), figures: data.figures };
}
