/**
 * Benchmark child processes: TypeScript scripts run as a user runs theirs (`node --import tsx`), talking
 * to the harness over Node's IPC channel (bench/child/ipc.ts is their side). A child loads and connects,
 * says it is ready, waits for "go" (so the clock does not include its start-up), and answers one result.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const KEEP_OUTPUT = 4000;

export type BenchChild<R> = {
  pid: number;
  /** Resolves when the child is loaded and ready to start. */
  ready: Promise<void>;
  /** Tells a ready child to start, with what it needs to know. */
  go: (message?: unknown) => void;
  /** The child's answer; rejects when it fails or exits without one. */
  result: Promise<R>;
  /** Ends the child (SIGTERM) when it still runs, and waits for it to exit. */
  stop: () => Promise<void>;
};

export function startChild<R>(script: string, env: NodeJS.ProcessEnv, args: string[] = []): BenchChild<R> {
  const url = new URL(script, import.meta.url);
  // stdout is dropped: flows print their log lines there, and reading them would cost the harness CPU.
  const child = spawn(process.execPath, ["--import", TSX, url.pathname, ...args], { env, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-KEEP_OUTPUT)));
  const name = `${script.split("/").pop()} (pid ${child.pid})`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let onReady: () => void = () => {};
  let answered = false;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<R>((resolve, reject) => {
    child.on("message", (msg: { type: string; result?: R; error?: string }) => {
      if (msg.type === "ready") onReady();
      else if (msg.type === "result") {
        answered = true;
        resolve(msg.result as R);
      } else if (msg.type === "error") {
        answered = true;
        reject(new Error(`${name}: ${msg.error}`));
      }
    });
    child.once("exit", (code, signal) => {
      if (!answered) reject(new Error(`${name} exited (${signal ?? code}) without a result:\n${stderr}`));
    });
    // Spawning failed, or a message could not be sent (the child is gone): no exit may follow.
    child.on("error", (error) => {
      if (!answered) reject(new Error(`${name}: ${error.message}\n${stderr}`));
    });
  });
  // A child that dies before it is ready must not leave the harness waiting on `ready`.
  const readyOrDead = Promise.race([ready, result.then(() => {})]);
  result.catch(() => {});
  return {
    pid: child.pid!,
    ready: readyOrDead,
    go: (message) => child.send({ type: "go", message }),
    result,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
