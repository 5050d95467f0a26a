import { format } from "node:util";
import pc from "picocolors";
import { LOG_LEVELS } from "../../../protocol/logs";
import { currentRun, type RunContext } from "./context";
import { printLocal } from "./console-capture";
import { emit } from "./emit";

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  critical(...args: unknown[]): void;
}

const LABELS: Record<number, string> = {
  [LOG_LEVELS.DEBUG]: pc.dim("DEBUG   "),
  [LOG_LEVELS.INFO]: pc.cyan("INFO    "),
  [LOG_LEVELS.WARNING]: pc.yellow("WARNING "),
  [LOG_LEVELS.ERROR]: pc.red("ERROR   "),
  [LOG_LEVELS.CRITICAL]: pc.bold(pc.red("CRITICAL")),
};

const time = () => new Date().toTimeString().slice(0, 8);

function where(run: RunContext | undefined): string {
  if (!run) return "";
  return run.taskRun ? `Task run '${run.taskRun.name}' - ` : `Flow run '${run.flowRun.name}' - `;
}

/**
 * One line of the SDK's logger or of the runtime itself: to the run's logs, and printed in Prefect's layout
 * (DEBUG lines only go to the server, as Prefect's default level prints INFO and up).
 */
export function logLine(level: number, message: string, name = "baton", run = currentRun()): void {
  if (run) emit(run, level, message, name);
  const echo = !run || run.flowRun.session.echo;
  if (echo && level > LOG_LEVELS.DEBUG) printLocal(level, `${pc.dim(time())} | ${LABELS[level] ?? level} | ${where(run)}${message}`);
}

/**
 * The SDK's logger. Inside a flow or task its lines are logs of that run (with the task run and level);
 * outside any run they are only printed.
 */
export function getLogger(name = "baton"): Logger {
  const at = (level: number) => (...args: unknown[]) => logLine(level, format(...args), name);
  return {
    debug: at(LOG_LEVELS.DEBUG),
    info: at(LOG_LEVELS.INFO),
    warn: at(LOG_LEVELS.WARNING),
    error: at(LOG_LEVELS.ERROR),
    critical: at(LOG_LEVELS.CRITICAL),
  };
}

/** `log.info(...)`: the logger named "baton". */
export const log: Logger = getLogger();
