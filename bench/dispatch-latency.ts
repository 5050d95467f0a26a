/**
 * Dispatch latency against the real local server (workerd, D1, Durable Objects): a worker holds the
 * pool's socket; each round creates a deployment run over REST and times
 *   created → offered   (the HTTP call starts → the offer arrives on the socket), and
 *   created → RUNNING   (… → the worker's RUNNING report is accepted).
 * Usage: node_modules/.bin/tsx bench/dispatch-latency.ts [rounds=200]
 * Issue 8 folds this into `npm run bench`; until then it prints its figures.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const rounds = Number(process.argv[2] ?? 200);
const port = 4300 + Math.floor(Math.random() * 500);
const base = `http://127.0.0.1:${port}/api`;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${quantile(s, 0.5).toFixed(1)} ms · p90 ${quantile(s, 0.9).toFixed(1)} ms · p99 ${quantile(s, 0.99).toFixed(1)} ms · max ${s.at(-1)!.toFixed(1)} ms (n=${s.length})`;
};

const home = await mkdtemp(join(tmpdir(), "baton-bench-"));
const server = spawn(process.execPath, ["sdk/bin/baton.js", "server", "start", "--port", String(port)], {
  env: { ...process.env, BATON_HOME: home, WRANGLER_SEND_METRICS: "false" },
  stdio: ["ignore", "ignore", "inherit"],
});
try {
  for (let i = 0; ; i++) {
    if (i > 600) throw new Error("server did not start");
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const flow = await call("POST", "/flows/", { name: "bench-flow" });
  await call("POST", "/work_pools/", { name: "bench-pool" });
  const dep = await call("POST", "/deployments/", { flow_id: flow.id, name: "bench", work_pool_name: "bench-pool" });

  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/work_pools/bench-pool/connect`);
  const waiting = new Map<string, (msg: any) => void>();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data));
    const key = msg.type === "offer" ? "offer" : msg.type === "state_result" ? msg.request_id : msg.type;
    waiting.get(key)?.(msg);
  });
  const next = (key: string) => new Promise<any>((resolve) => waiting.set(key, resolve));
  await new Promise((r) => ws.addEventListener("open", r));
  const welcomed = next("welcome");
  ws.send(JSON.stringify({ type: "hello", protocol: 1, name: "bench-worker", capacity: 1 }));
  await welcomed;

  const offered: number[] = [];
  const running: number[] = [];
  const responded: number[] = [];
  for (let i = 0; i < rounds + 10; i++) {
    const offer = next("offer");
    const t0 = performance.now();
    await call("POST", `/deployments/${dep.id}/create_flow_run`, {});
    const tr = performance.now();
    const o = await offer;
    const t1 = performance.now();
    const lease = { run_id: o.flow_run.id, lease_token: o.lease_token };
    const result = next(`r${i}`);
    ws.send(JSON.stringify({ type: "ack", ...lease }));
    ws.send(JSON.stringify({ type: "state", request_id: `r${i}`, ...lease, state: { type: "RUNNING" } }));
    const r = await result;
    const t2 = performance.now();
    if (r.result.status !== "ACCEPT") throw new Error(`RUNNING refused: ${JSON.stringify(r)}`);
    ws.send(JSON.stringify({ type: "state", request_id: `c${i}`, ...lease, state: { type: "COMPLETED" } }));
    await next(`c${i}`);
    // The first rounds warm up workerd's isolates and D1's caches.
    if (i >= 10) {
      offered.push(t1 - t0);
      responded.push(tr - t0);
      running.push(t2 - t0);
    }
  }
  ws.close();
  console.log(`create_flow_run answered: ${summary(responded)}`);
  console.log(`created → offered: ${summary(offered)}`);
  console.log(`created → RUNNING: ${summary(running)}`);
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  await rm(home, { recursive: true, force: true });
}
