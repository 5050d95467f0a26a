import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";

export interface ChildResult {
  code: number | null;
  /** stdout and stderr interleaved as they arrived, for error messages. */
  output: string;
}

/**
 * Runs a Node script (a package's CLI) with the same Node as the server, non-interactively: stdin closed
 * and CI=true, so tools that would ask a question take their default answer instead of waiting.
 */
export function runNodeScript(
  script: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; signal?: AbortSignal },
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: "true", FORCE_COLOR: "0", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/**
 * The last lines of a child's output: enough to see why it failed without flooding the terminal. Colour
 * codes are dropped (some tools colour errors whatever FORCE_COLOR says), as they end up inside our message.
 */
export function tail(output: string, lines = 20): string {
  return stripVTControlCharacters(output).trimEnd().split("\n").slice(-lines).join("\n");
}
