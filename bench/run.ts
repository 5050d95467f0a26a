/**
 * `npm run bench`: runs the benchmarks against the real local server, each its number of repeats, and
 * writes the median and spread of every figure with the machine and versions into bench/RESULTS.md and
 * bench/results.json. `--check` compares the checked ratios and counts with bench/baseline.json.
 * See `npm run bench -- --help` and the README's Benchmarks section.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { aggregate, validateFigures, type FigureSummary } from "./harness/aggregate";
import { checkAgainstBaseline, formatCheckReport, parseBaseline, updatedBaseline, type Baseline } from "./harness/check";
import { compare } from "./harness/comparisons";
import { environment } from "./harness/environment";
import { parseOptions, resultFiles, USAGE } from "./harness/options";
import { stderrProgress } from "./harness/progress";
import { renderMarkdown, toJson, type BenchmarkResult, type RunResults } from "./harness/report";
import type { Benchmark, Figure } from "./harness/types";

/**
 * Every benchmark, in the order they run: bench/{name}.ts exports a Benchmark named {name}. Modules load
 * only when selected, so `--only` works while another module is missing or broken, and by a computed
 * specifier, so that type-checking the harness does not pull in every module's own dependencies (some run
 * inside workerd or the browser and are checked with their own types). Prefect's comes last: the
 * comparisons use the others' figures.
 */
const NAMES = ["dispatch", "firstlog", "overhead", "ingest", "fanin", "events", "scheduler", "cost", "dashboard", "prefect"];
const REGISTRY = NAMES.map((name) => ({ name, load: async () => ((await import(`./${name}.ts`)) as Record<string, Benchmark | undefined>)[name] }));

const DEFAULT_REPEATS = { full: 3, quick: 1 };
const here = (file: string) => new URL(file, import.meta.url).pathname;
const BASELINE = "bench/baseline.json";
const BASELINE_PATH = here("baseline.json");

async function runBenchmark(entry: (typeof REGISTRY)[number], quick: boolean, progress: ReturnType<typeof stderrProgress>): Promise<BenchmarkResult> {
  const t0 = performance.now();
  let bench: Benchmark | undefined;
  let repeats = 0;
  const figures: Figure[][] = [];
  try {
    bench = await entry.load();
    if (typeof bench?.run !== "function") throw new Error(`bench/${entry.name}.ts does not export a benchmark named \`${entry.name}\``);
    if (bench.name !== entry.name) throw new Error(`bench/${entry.name}.ts exports a benchmark named ${JSON.stringify(bench.name)}`);
    repeats = (bench.repeats ?? DEFAULT_REPEATS)[quick ? "quick" : "full"];
    for (let i = 1; i <= repeats; i++) {
      progress.start(entry.name, i, repeats);
      const measured = await bench.run({ quick, progress: (m) => progress.line(m) });
      validateFigures(entry.name, measured);
      figures.push(measured);
    }
    const summaries = aggregate(figures);
    const seconds = (performance.now() - t0) / 1000;
    progress.finish(entry.name, seconds, summaries);
    return { name: entry.name, title: bench.title, ...(bench.description ? { description: bench.description } : {}), repeats, seconds, figures: summaries };
  } catch (e) {
    const missing = (e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes(`bench/${entry.name}`);
    const error = missing ? `bench/${entry.name}.ts does not exist yet` : e instanceof Error ? (e.stack ?? e.message) : String(e);
    const seconds = (performance.now() - t0) / 1000;
    progress.finish(entry.name, seconds, [], error);
    return { name: entry.name, title: bench?.title ?? entry.name, repeats, seconds, figures: [], error };
  }
}

async function readBaseline(): Promise<Baseline | undefined> {
  if (!existsSync(BASELINE_PATH)) return undefined;
  return parseBaseline(await readFile(BASELINE_PATH, "utf8"), BASELINE);
}

async function main(): Promise<number> {
  const names = REGISTRY.map((e) => e.name);
  const options = parseOptions(process.argv.slice(2), names);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.list) {
    console.log(names.join("\n"));
    return 0;
  }
  // Read first: a broken baseline should not be found out after minutes of measuring.
  const baseline = options.check || options.updateBaseline ? await readBaseline() : undefined;
  if (options.check && !baseline) throw new Error(`--check needs ${BASELINE}; record one with \`npm run bench -- --update-baseline\``);

  const env = environment();
  const progress = stderrProgress();
  const selected = REGISTRY.filter((e) => !options.only || options.only.includes(e.name));
  progress.say(`Benchmarks (${options.quick ? "quick" : "full"} pass): ${selected.map((e) => e.name).join(", ")} · load average ${env.machine.load_average.map((x) => x.toFixed(2)).join(" ")}`);
  const t0 = performance.now();
  const benchmarks: BenchmarkResult[] = [];
  for (const entry of selected) benchmarks.push(await runBenchmark(entry, options.quick, progress));

  env.machine.load_average_end = loadavg();
  const all: FigureSummary[] = benchmarks.flatMap((b) => b.figures);
  const { rows, skipped } = compare(all);
  // A comparison left out is worth a line only when both its benchmarks ran (a key starts with its benchmark's name).
  const ran = new Set(selected.map((e) => e.name));
  const relevant = skipped.filter((s) => [s.comparison.numerator, s.comparison.denominator].every((k) => ran.has(k.split(".")[0]!)));
  const results: RunResults = {
    mode: options.quick ? "quick" : "full",
    only: options.only,
    environment: env,
    seconds: (performance.now() - t0) / 1000,
    benchmarks,
    comparisons: rows,
    skippedComparisons: relevant.map((s) => ({ key: s.comparison.key, reason: s.reason })),
  };
  for (const r of rows) progress.say(`${r.ratio.label}: ${r.ratio.median.toFixed(1)} ×`);
  const figures = [...all, ...rows.map((r) => r.ratio)];

  let exitCode = benchmarks.some((b) => b.error) ? 1 : 0;
  if (options.check && baseline) {
    const report = checkAgainstBaseline(figures, baseline);
    results.check = { ...report, baseline: BASELINE };
    console.error(formatCheckReport(report, BASELINE));
    if (report.regressions.length > 0) exitCode = 1;
  }
  if (options.write) {
    const files = resultFiles(options);
    await writeFile(here(files.markdown), renderMarkdown(results));
    await writeFile(here(files.json), `${JSON.stringify(toJson(results), null, 2)}\n`);
    progress.say(`Results written to bench/${files.markdown} and bench/${files.json}`);
  } else {
    console.log(renderMarkdown(results));
  }
  if (options.updateBaseline) {
    const next = updatedBaseline(baseline, figures, { recorded: env.date, commit: env.commit });
    await writeFile(BASELINE_PATH, `${JSON.stringify(next, null, 2)}\n`);
    progress.say(`Baseline ${BASELINE} updated: ${figures.filter((f) => f.check).length} checked figures recorded`);
  }
  const failed = benchmarks.filter((b) => b.error).map((b) => b.name);
  if (failed.length > 0) console.error(`Failed: ${failed.join(", ")}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);
