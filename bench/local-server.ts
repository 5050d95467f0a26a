/**
 * What the benchmark scripts share: a real local server (`baton server start`) on a random port with
 * its own BATON_HOME, a JSON caller for its API, and percentile summaries.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type BenchServer = {
  base: string;
  /** Environment for child processes (CLI, workers) pointed at this server, without a key. */
  env: NodeJS.ProcessEnv;
  call: (method: string, path: string, body?: unknown) => Promise<any>;
  stop: () => Promise<void>;
};

export async function startBenchServer(): Promise<BenchServer> {
  const port = 4300 + Math.floor(Math.random() * 500);
  const base = `http://127.0.0.1:${port}/api`;
  const { BATON_API_KEY: _key, ...inherited } = process.env;
  const env = { ...inherited, BATON_API_URL: base, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  const home = await mkdtemp(join(tmpdir(), "baton-bench-"));
  const server = spawn(process.execPath, ["sdk/bin/baton.js", "server", "start", "--port", String(port)], {
    env: { ...env, BATON_HOME: home },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stop = async () => {
    if (server.exitCode === null) {
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
    if (i > 600) {
      await stop();
      throw new Error("server did not start");
    }
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, env, call, stop };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function summary(xs: number[], digits = 1): string {
  const s = [...xs].sort((a, b) => a - b);
  const ms = (x: number) => `${x.toFixed(digits)} ms`;
  return `p50 ${ms(quantile(s, 0.5))} · p90 ${ms(quantile(s, 0.9))} · p99 ${ms(quantile(s, 0.99))} · min ${ms(s[0]!)} · max ${ms(s.at(-1)!)} (n=${s.length})`;
}
