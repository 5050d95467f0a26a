import pc from "picocolors";

/** Console output of the CLI and the local server: one symbol per kind of line, colours only on a TTY. */
export const out = {
  info: (message: string) => console.log(message),
  step: (message: string) => console.log(`${pc.dim("•")} ${message}`),
  success: (message: string) => console.log(`${pc.green("✔")} ${message}`),
  warn: (message: string) => console.warn(`${pc.yellow("▲")} ${message}`),
  error: (message: string) => console.error(`${pc.red("✖")} ${message}`),
};

export type Output = typeof out;

/**
 * Output whose reader went away (`baton flow-run logs -f | head -2`) ends the CLI quietly with 0, as a pipe
 * ends other CLIs: without a listener, the line written after it is an EPIPE error with a stack.
 */
export function endQuietlyWhenOutputCloses(exit: (code: number) => void = (code) => process.exit(code)): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      exit(0);
    });
  }
}
