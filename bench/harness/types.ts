/**
 * The contract between `npm run bench` (bench/run.ts, the harness) and each benchmark module.
 *
 * A benchmark is run `repeats` times; the harness gathers every figure by `key` across the repeats and
 * reports the median and the spread (min–max), compares the median with the DESIGN.md target, and, for
 * `--check`, compares figures marked `check` with bench/baseline.json.
 */

/** A DESIGN.md (or issue) target for a figure: "value op limit", e.g. { op: "<=", limit: 20 }. */
export type Target = { op: "<=" | ">="; limit: number; text: string };

export type Figure = {
  /** Stable id, e.g. "dispatch.push.running.p50"; the baseline and the JSON are keyed by it. */
  key: string;
  /** What a reader sees in the table, e.g. "created → RUNNING, push (p50)". */
  label: string;
  /** "ms", "runs/s", "requests", "rows", "KB", "x" (a ratio), "USD", … */
  unit: string;
  value: number;
  /** Which way is better; the regression check uses it. */
  better: "lower" | "higher";
  target?: Target;
  /**
   * Only figures that do not depend on how fast or busy the machine is take part in `--check`:
   * ratios measured within one run (push vs poll, orchestrated vs plain, Baton vs Prefect) and counts
   * (HTTP requests, D1 rows). Absolute times never do.
   */
  check?: boolean;
  /**
   * How much worse than the baseline a checked figure may get before `--check` fails, as a fraction
   * (0.25: 25 % worse). Default: 0.25 for ratios (unit "x"), 0 for counts (see harness/check.ts).
   */
  margin?: number;
  /** A short note shown under the table (what was measured, what limits it). */
  note?: string;
};

export type BenchContext = {
  /** `--quick`: fewer rounds and repeats, for a short pass. */
  quick: boolean;
  /** Progress for the person watching ("dispatch: round 120/200"). */
  progress: (message: string) => void;
};

export type Benchmark = {
  /** Short id used by `--only`, e.g. "dispatch". */
  name: string;
  title: string;
  /** What is measured and how, shown under the title in RESULTS.md. */
  description?: string;
  /** How many times the harness runs it (quick mode: 1). Heavy ones may say 1 or 2. */
  repeats?: { full: number; quick: number };
  run: (ctx: BenchContext) => Promise<Figure[]>;
};
