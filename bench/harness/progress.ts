/** Progress lines on stderr while `npm run bench` runs: which benchmark, which repeat, what it is doing. */
import { formatNumber } from "./report";
import type { FigureSummary } from "./aggregate";

export type Progress = {
  /** A benchmark's repeat starts. */
  start(name: string, repeat: number, of: number): void;
  /** A line of the running benchmark. */
  line(message: string): void;
  /** A benchmark ended: its figures, or why it failed. */
  finish(name: string, seconds: number, figures: readonly FigureSummary[], error?: string): void;
  say(message: string): void;
};

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = performance.now();
  let current = "";
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    start(name, repeat, of) {
      current = `${name} ${repeat}/${of}`;
      write(`${stamp()}  ▶ ${name}: repeat ${repeat} of ${of}`);
    },
    line(message) {
      write(`${stamp()}    ${current} · ${message}`);
    },
    finish(name, seconds, figures, error) {
      if (error) {
        write(`${stamp()}  ✗ ${name} failed after ${seconds.toFixed(0)} s: ${error.split("\n")[0]}`);
        return;
      }
      write(`${stamp()}  ✓ ${name} (${seconds.toFixed(0)} s)`);
      for (const f of figures) {
        const target = f.target ? ` · target ${f.target.text}: ${f.met ? "met" : "NOT MET"}` : "";
        const spread = f.values.length > 1 ? ` (${formatNumber(f.min)}–${formatNumber(f.max)})` : "";
        write(`          ${f.label}: ${formatNumber(f.median)}${spread} ${f.unit}${target}`);
      }
    },
    say(message) {
      write(`${stamp()}  ${message}`);
    },
  };
}
