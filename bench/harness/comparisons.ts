/**
 * Figures derived after every benchmark ran: one figure of one benchmark divided by one of another, measured
 * in the same run (Prefect's trigger → RUNNING over Baton's). They are ratios, so they take part in --check.
 */
import { summarise, type FigureSummary } from "./aggregate";
import type { Target } from "./types";

export type Comparison = {
  key: string;
  /** The row's label, e.g. "trigger → RUNNING (p50)". */
  label: string;
  /** Column headings of the two sides, e.g. "Prefect" and "Baton". */
  numeratorName: string;
  denominatorName: string;
  numerator: string;
  denominator: string;
  /** Which way the ratio is better (numerator ÷ denominator). */
  better: "lower" | "higher";
  target?: Target;
  margin?: number;
  note?: string;
};

/** Prefect ÷ Baton: how many times longer Prefect takes; higher is better for Baton. */
const prefectOverBaton = (key: string, label: string, prefect: string, baton: string): Comparison => ({
  key: `compare.${key}.prefect_over_baton`,
  label,
  numeratorName: "Prefect",
  denominatorName: "Baton",
  numerator: prefect,
  denominator: baton,
  better: "higher",
});

export const COMPARISONS: Comparison[] = [
  prefectOverBaton("trigger_running.p50", "deployment run created → RUNNING on a worker (p50, ms)", "prefect.trigger_running.p50", "dispatch.push.running.p50"),
  prefectOverBaton("tasks_1000.ms_per_task", "orchestration overhead per task run, 1,000 trivial tasks in sequence (ms)", "prefect.tasks_1000.ms_per_task", "overhead.sequential.ms_per_task"),
];

export type ComparisonRow = { comparison: Comparison; numerator: FigureSummary; denominator: FigureSummary; ratio: FigureSummary };

/**
 * The comparisons whose two figures were both measured. The ratio is that of the medians; its spread runs
 * from the lowest numerator over the highest denominator to the other extreme (the repeats of two
 * benchmarks are not paired). A side that is not positive gives no ratio: it would mean nothing.
 */
export function compare(figures: readonly FigureSummary[], comparisons: readonly Comparison[] = COMPARISONS): { rows: ComparisonRow[]; skipped: { comparison: Comparison; reason: string }[] } {
  const byKey = new Map(figures.map((f) => [f.key, f]));
  const rows: ComparisonRow[] = [];
  const skipped: { comparison: Comparison; reason: string }[] = [];
  for (const c of comparisons) {
    const numerator = byKey.get(c.numerator);
    const denominator = byKey.get(c.denominator);
    const missing = [numerator ? null : c.numerator, denominator ? null : c.denominator].filter(Boolean);
    if (missing.length > 0) {
      skipped.push({ comparison: c, reason: `not measured in this run: ${missing.join(", ")}` });
      continue;
    }
    if (!(numerator!.min > 0 && denominator!.min > 0)) {
      skipped.push({ comparison: c, reason: "a side is zero or negative, so the ratio means nothing" });
      continue;
    }
    const ratio = summarise(
      {
        key: c.key,
        label: `${c.label}: ${c.numeratorName} ÷ ${c.denominatorName}`,
        unit: "x",
        better: c.better,
        check: true,
        ...(c.target ? { target: c.target } : {}),
        ...(c.margin !== undefined ? { margin: c.margin } : {}),
        ...(c.note ? { note: c.note } : {}),
      },
      [numerator!.median / denominator!.median],
    );
    ratio.min = numerator!.min / denominator!.max;
    ratio.max = numerator!.max / denominator!.min;
    rows.push({ comparison: c, numerator: numerator!, denominator: denominator!, ratio });
  }
  return { rows, skipped };
}
