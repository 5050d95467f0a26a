/** Figures of several repeats of one benchmark → one summary per figure key (median, spread, target met). */
import { median } from "./stats";
import type { Figure, Target } from "./types";

export type FigureSummary = Omit<Figure, "value"> & {
  /** The value of each repeat that produced the figure, in order. */
  values: number[];
  median: number;
  min: number;
  max: number;
  /** Whether the median meets the target; absent without a target. */
  met?: boolean;
};

export function meets(target: Target, value: number): boolean {
  return target.op === "<=" ? value <= target.limit : value >= target.limit;
}

/**
 * Units of absolute time or of rates over time: they depend on the machine and its load, so a figure in
 * one of them can never take part in the regression check (DESIGN.md: speed is measured, not asserted).
 */
export function isTimeUnit(unit: string): boolean {
  return /^(ns|µs|us|ms|s|min)$/.test(unit) || unit.endsWith("/s");
}

/** Refuses what would make a misleading table: duplicate keys, values that are not numbers, checked times. */
export function validateFigures(benchmark: string, figures: readonly Figure[]): void {
  const seen = new Set<string>();
  for (const f of figures) {
    if (seen.has(f.key)) throw new Error(`${benchmark}: figure ${f.key} appears twice`);
    seen.add(f.key);
    if (!Number.isFinite(f.value)) throw new Error(`${benchmark}: figure ${f.key} is ${f.value}, not a number`);
    if (f.check && isTimeUnit(f.unit)) {
      throw new Error(`${benchmark}: figure ${f.key} is marked check but is an absolute time or rate (${f.unit}); only ratios and counts are checked`);
    }
    if (f.margin !== undefined && !(f.margin >= 0)) throw new Error(`${benchmark}: figure ${f.key} has a negative margin`);
  }
}

/**
 * One summary per key, in the order keys first appear. Label, unit, target and the rest come from the last
 * repeat that had the figure (its note may carry that repeat's counts); the values from every repeat.
 */
export function aggregate(repeats: readonly (readonly Figure[])[]): FigureSummary[] {
  const byKey = new Map<string, { last: Figure; values: number[] }>();
  for (const figures of repeats) {
    for (const f of figures) {
      const entry = byKey.get(f.key);
      if (entry) {
        entry.last = f;
        entry.values.push(f.value);
      } else byKey.set(f.key, { last: f, values: [f.value] });
    }
  }
  return [...byKey.values()].map(({ last, values }) => summarise(last, values));
}

export function summarise(figure: Omit<Figure, "value">, values: number[]): FigureSummary {
  const { value: _value, ...rest } = figure as Figure;
  const m = median(values);
  return {
    ...rest,
    values,
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    ...(figure.target ? { met: meets(figure.target, m) } : {}),
  };
}
