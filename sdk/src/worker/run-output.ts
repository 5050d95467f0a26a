import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import pc from "picocolors";
import { LOG_LEVELS } from "../../../protocol/logs";
import type { LogShipper } from "../client/log-shipper";

/** The server keeps at most this much of one line. */
const MAX_LINE = 100_000;
/** Lines of error output kept to explain a crash. */
const TAIL_LINES = 20;

export interface Echo {
  stdout: Writable;
  stderr: Writable;
}

/**
 * A child's stdout and stderr, line by line: sent as logs of its run (INFO and ERROR) and echoed on the
 * worker's terminal after a `[run name]` prefix. The last lines of stderr are kept to explain a crash.
 */
export class RunOutput {
  constructor(
    private readonly shipper: LogShipper,
    private readonly echo: Echo = { stdout: process.stdout, stderr: process.stderr },
  ) {}

  /** Follows both streams of a run's process; resolves with stderr's last lines once both have ended. */
  follow(run: { id: string; name: string }, stdout: Readable, stderr: Readable): { ended: Promise<string[]> } {
    const tail: string[] = [];
    const prefix = pc.dim(`[${run.name}]`);
    const lines = (stream: Readable, level: number, to: Writable, onLine?: (line: string) => void) =>
      new Promise<void>((resolve) => {
        const reader = createInterface({ input: stream, crlfDelay: Infinity });
        reader.on("line", (line) => {
          this.shipper.push({ flow_run_id: run.id, level, message: line.slice(0, MAX_LINE), timestamp: new Date().toISOString() });
          to.write(`${prefix} ${line}\n`);
          onLine?.(line);
        });
        reader.on("close", resolve);
      });
    const ended = Promise.all([
      lines(stdout, LOG_LEVELS.INFO, this.echo.stdout),
      lines(stderr, LOG_LEVELS.ERROR, this.echo.stderr, (line) => {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }),
    ]).then(() => tail);
    return { ended };
  }

  /** A line of the worker's own about a run, sent as a log of the run (the worker prints its own summary). */
  note(runId: string, level: number, message: string): void {
    this.shipper.push({ flow_run_id: runId, level, message: message.slice(0, MAX_LINE), timestamp: new Date().toISOString() });
  }

  /** Waits until the lines pushed so far reached the server. */
  flush(): Promise<void> {
    return this.shipper.flush();
  }
}
