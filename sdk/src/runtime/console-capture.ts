import { format } from "node:util";
import { LOG_LEVELS } from "../../../protocol/logs";
import { capturesPrints, currentRun } from "./context";
import { emit } from "./emit";

type Method = "debug" | "log" | "info" | "warn" | "error";

const LEVELS: Record<Method, number> = {
  debug: LOG_LEVELS.DEBUG,
  log: LOG_LEVELS.INFO,
  info: LOG_LEVELS.INFO,
  warn: LOG_LEVELS.WARNING,
  error: LOG_LEVELS.ERROR,
};
const METHODS = Object.keys(LEVELS) as Method[];

let installed: Partial<Record<Method, (...args: unknown[]) => void>> | undefined;
let users = 0;

/**
 * While flows run, console.debug/log/info/warn/error called from their code (and their tasks') become log
 * lines of the run, with the task run and the level. Code outside any run (the AsyncLocalStorage has no
 * context for it) prints as usual. The console is patched once for all runs in progress and restored when
 * the last one ends; each call returns its release.
 */
export function captureConsole(): () => void {
  if (users++ === 0) {
    const originals: typeof installed = {};
    for (const method of METHODS) {
      const original = console[method];
      originals[method] = original;
      console[method] = (...args: unknown[]) => {
        const run = currentRun();
        if (!run || !capturesPrints(run)) return original.apply(console, args);
        const { echo } = run.flowRun.session;
        emit(run, LEVELS[method], format(...args), "baton.print");
        if (echo) original.apply(console, args);
      };
    }
    installed = originals;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users === 0 && installed) {
      for (const method of METHODS) console[method] = installed[method] as (typeof console)[Method];
      installed = undefined;
    }
  };
}

/** Prints as the console did before it was captured, so the SDK's own lines are never captured. */
export function printLocal(level: number, text: string): void {
  const method: Method = level >= LOG_LEVELS.WARNING ? "error" : "log";
  (installed?.[method] ?? console[method]).call(console, text);
}
