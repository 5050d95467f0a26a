/**
 * Dispatch latency against the real local server (workerd, D1, Durable Objects): a worker holds the
 * pool's socket; each round creates a deployment run over REST and times
 *   created → offered   (the HTTP call starts → the offer arrives on the socket; it usually arrives
 *                        before the call's own answer, which is timed too), and
 *   created → RUNNING   (… → the worker's RUNNING report is accepted).
 * Usage: node_modules/.bin/tsx bench/dispatch-latency.ts [rounds=200]
 * Issue 8 folds this into `npm run bench`; until then it prints its figures.
 */
import { startBenchServer, summary } from "./local-server";

const rounds = Number(process.argv[2] ?? 200);
const server = await startBenchServer();
const { call } = server;
const port = new URL(server.base).port;
try {
  const flow = await call("POST", "/flows/", { name: "bench-flow" });
  await call("POST", "/work_pools/", { name: "bench-pool" });
  const dep = await call("POST", "/deployments/", { flow_id: flow.id, name: "bench", work_pool_name: "bench-pool" });

  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/work_pools/bench-pool/connect`);
  const waiting = new Map<string, (msg: any) => void>();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data));
    const key = msg.type === "offer" ? "offer" : msg.type === "state_result" ? msg.request_id : msg.type;
    // The arrival time is taken here: the offer usually arrives before create_flow_run's answer does.
    msg.arrived_at = performance.now();
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
    const t1 = o.arrived_at as number;
    const lease = { run_id: o.flow_run.id, lease_token: o.lease_token };
    const result = next(`r${i}`);
    ws.send(JSON.stringify({ type: "ack", ...lease }));
    ws.send(JSON.stringify({ type: "state", request_id: `r${i}`, ...lease, state: { type: "RUNNING" } }));
    const r = await result;
    const t2 = r.arrived_at as number;
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
  await server.stop();
}
