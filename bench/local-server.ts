/**
 * The real local server for benchmarks: `node sdk/bin/baton.js server start` (workerd, D1, Durable
 * Objects) on a free port with a state directory of its own, and a JSON caller for its API.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../sdk/src/testing/free-port";

export type BenchServer = {
  /** The API's base URL, ending in /api. */
  base: string;
  port: number;
  /** The server's process (`baton server start`; workerd runs under it). */
  pid: number;
  /** Its BATON_HOME (D1 and Durable Object state), removed by stop(). */
  home: string;
  /** Environment for child processes (CLI, workers, flows) pointed at this server, without a key. */
  env: NodeJS.ProcessEnv;
  call: (method: string, path: string, body?: unknown) => Promise<any>;
  stop: () => Promise<void>;
};

const repoRoot = new URL("..", import.meta.url).pathname;
/** What the server printed last, for the error when it does not start or dies. */
const KEEP_OUTPUT = 4000;

export async function startBenchServer(): Promise<BenchServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/api`;
  const { BATON_API_KEY: _key, ...inherited } = process.env;
  const env = { ...inherited, BATON_API_URL: base, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  const home = await mkdtemp(join(tmpdir(), "baton-bench-"));
  // Its output is kept, not shown: it would break the harness's progress lines.
  const server = spawn(process.execPath, ["sdk/bin/baton.js", "server", "start", "--port", String(port)], {
    cwd: repoRoot,
    env: { ...env, BATON_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-KEEP_OUTPUT));
  server.stdout!.on("data", keep);
  server.stderr!.on("data", keep);
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
    }
    await rm(home, { recursive: true, force: true });
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  for (let i = 0; ; i++) {
    if (i > 600 || server.exitCode !== null) {
      await stop();
      throw new Error(`the local server did not start (${server.exitCode !== null ? `exited ${server.exitCode}` : "no health after 60 s"}):\n${output}`);
    }
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, port, pid: server.pid!, home, env, call, stop };
}

/** Runs `body` with a fresh server, stopped afterwards whatever happens. */
export async function withBenchServer<T>(body: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer();
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
