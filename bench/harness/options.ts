/** The command line of `npm run bench`, parsed and checked against the registry's names. */
import { parseArgs } from "node:util";

export type Options = {
  quick: boolean;
  /** Benchmark names asked for with --only, or null for all. */
  only: string[] | null;
  check: boolean;
  updateBaseline: boolean;
  write: boolean;
  help: boolean;
  list: boolean;
};

export const USAGE = `Usage: npm run bench -- [options]

  --quick             a short pass: fewer rounds, one repeat (results to bench/RESULTS.quick.md)
  --only a,b          run only these benchmarks (results to bench/RESULTS.partial.md unless --quick)
  --check             fail (exit 1) when a checked ratio or count is worse than bench/baseline.json
                      by more than its margin
  --update-baseline   record this run's checked figures in bench/baseline.json
  --no-write          write no results files (print the tables only)
  --list              list the benchmarks and exit
  --help              this text`;

export function parseOptions(argv: string[], known: readonly string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      check: { type: "boolean", default: false },
      "update-baseline": { type: "boolean", default: false },
      "no-write": { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${USAGE}`);
  let only: string[] | null = null;
  if (values.only) {
    only = [...new Set(values.only.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean))];
    const unknown = only.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(", ")}; there are: ${known.join(", ")}`);
    if (only.length === 0) throw new Error(`--only needs benchmark names; there are: ${known.join(", ")}`);
  }
  return {
    quick: values.quick,
    only,
    check: values.check,
    updateBaseline: values["update-baseline"],
    write: !values["no-write"],
    help: values.help,
    list: values.list,
  };
}

/**
 * Where results go: only a full pass of every benchmark writes the recorded bench/RESULTS.md and
 * results.json (kept in git); a quick or partial pass writes git-ignored files beside them, so it never
 * replaces the recorded results with figures measured differently or with some benchmarks missing.
 */
export function resultFiles(options: Pick<Options, "quick" | "only">): { markdown: string; json: string } {
  const suffix = options.quick ? ".quick" : options.only ? ".partial" : "";
  return { markdown: `RESULTS${suffix}.md`, json: `results${suffix}.json` };
}
