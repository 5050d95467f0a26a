/** Summaries of samples: what benchmark modules turn their measurements into figures with. */
import type { Figure, Target } from "./types";

/** The q-quantile of ascending `sorted` values by nearest rank (no interpolation): a value that was measured. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of no values");
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export type Percentiles = { p50: number; p90: number; p99: number; min: number; max: number; n: number };

export function percentiles(values: readonly number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), min: s[0]!, max: s.at(-1)!, n: s.length };
}

/** Latency figures p50, p90 and p99 of `samples` (ms): keys `${key}.p50` …, labels `${label} (p50)` …. */
export function latencyFigures(
  key: string,
  label: string,
  samples: readonly number[],
  extra: { targets?: Partial<Record<"p50" | "p90" | "p99", Target>>; note?: string; only?: ("p50" | "p90" | "p99")[] } = {},
): Figure[] {
  const p = percentiles(samples);
  return (extra.only ?? (["p50", "p90", "p99"] as const)).map((q) => ({
    key: `${key}.${q}`,
    label: `${label} (${q}, n=${p.n})`,
    unit: "ms",
    value: p[q],
    better: "lower" as const,
    ...(extra.targets?.[q] ? { target: extra.targets[q] } : {}),
    ...(extra.note ? { note: extra.note } : {}),
  }));
}

/** "p50 12.3 ms · p90 … (n=200)", for progress lines. */
export function describeLatency(samples: readonly number[]): string {
  const p = percentiles(samples);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  return `p50 ${ms(p.p50)} · p90 ${ms(p.p90)} · p99 ${ms(p.p99)} · max ${ms(p.max)} (n=${p.n})`;
}
