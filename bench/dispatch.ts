/**
 * Dispatch latency: a deployment run is created over REST (POST /deployments/{id}/create_flow_run) and
 * timed until the worker has it, three ways, each on a pool of its own on one local server:
 *   push       a worker holds the pool's socket: created → offered, and → RUNNING accepted (its report
 *              answered over the socket);
 *   poll 10 s  a worker that polls POST /work_pools/{name}/get_scheduled_flow_runs every 10 s with
 *              wait_seconds 0, as polling orchestrators do by default; runs are created at random moments
 *              over a window, so their wait spreads over the poll interval; RUNNING is its set_state;
 *   long-poll  the same endpoint with wait_seconds 10 (Baton's fallback for workers without a socket).
 * All times are taken in this process (one clock). The 10-second poller runs while push and long-poll are
 * measured, so that the pass stays short; it adds one create a second or so to the server's load.
 */
import { withBenchServer, type BenchServer } from "./local-server";
import { ProtocolWorker, type Offer } from "./protocol-worker";
import { describeLatency, latencyFigures, percentiles } from "./harness/stats";
import type { BenchContext, Benchmark, Figure } from "./harness/types";

const POLL_INTERVAL_MS = 10_000;
const WARM_UP = 10;

type Config = { pushRounds: number; longPollRounds: number; pollWindowMs: number; pollRuns: number };
const FULL: Config = { pushRounds: 200, longPollRounds: 20, pollWindowMs: 20_000, pollRuns: 40 };
const QUICK: Config = { pushRounds: 50, longPollRounds: 10, pollWindowMs: 20_000, pollRuns: 30 };

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, Math.max(0, ms));
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

async function deploymentIn(server: BenchServer, flowId: string, pool: string): Promise<string> {
  await server.call("POST", "/work_pools/", { name: pool });
  return (await server.call("POST", "/deployments/", { flow_id: flowId, name: pool, work_pool_name: pool })).id;
}

type Claimed = { flow_run: { id: string }; lease_token: string };

/** A polling worker's RUNNING report (REST, with the claim's lease); answers when it was accepted. */
async function reportRunning(server: BenchServer, claim: Claimed): Promise<number> {
  const state_details = { lease_token: claim.lease_token };
  const result = await server.call("POST", `/flow_runs/${claim.flow_run.id}/set_state`, { state: { type: "RUNNING", state_details } });
  const at = performance.now();
  if (result.status !== "ACCEPT") throw new Error(`RUNNING refused for a polled run: ${JSON.stringify(result)}`);
  await server.call("POST", `/flow_runs/${claim.flow_run.id}/set_state`, { state: { type: "COMPLETED", state_details } });
  return at;
}

async function push(server: BenchServer, deploymentId: string, pool: string, rounds: number, ctx: BenchContext) {
  const worker = await ProtocolWorker.connect(server.base, pool, "bench-push-worker", 1);
  let nextOffer: (offer: Offer) => void = () => {};
  worker.onOffer((offer) => nextOffer(offer));
  const offered: number[] = [];
  const running: number[] = [];
  const answered: number[] = [];
  try {
    for (let i = 0; i < rounds + WARM_UP; i++) {
      const offer = new Promise<Offer>((resolve) => (nextOffer = resolve));
      const t0 = performance.now();
      await server.call("POST", `/deployments/${deploymentId}/create_flow_run`, {});
      const tAnswered = performance.now();
      const o = await offer;
      worker.ack(o);
      const r = await worker.state(o, "RUNNING");
      if (r.result.status !== "ACCEPT") throw new Error(`RUNNING refused: ${JSON.stringify(r.result)}`);
      await worker.state(o, "COMPLETED");
      // The first rounds warm up workerd's isolates and D1's caches.
      if (i >= WARM_UP) {
        offered.push(o.arrived_at - t0);
        running.push(r.arrived_at - t0);
        answered.push(tAnswered - t0);
      }
      if (i >= WARM_UP && (i + 1 - WARM_UP) % 50 === 0) ctx.progress(`push: ${i + 1 - WARM_UP}/${rounds} runs, → RUNNING ${describeLatency(running)}`);
    }
  } finally {
    await worker.close();
  }
  return { offered, running, answered };
}

async function longPoll(server: BenchServer, deploymentId: string, pool: string, rounds: number, ctx: BenchContext) {
  const running: number[] = [];
  for (let i = 0; i < rounds + 2; i++) {
    const poll: Promise<Claimed[]> = server.call("POST", `/work_pools/${pool}/get_scheduled_flow_runs`, { worker_name: "bench-long-poller", limit: 1, wait_seconds: 10 });
    // Time for the poll to be parked in the pool's object before the run exists.
    await sleep(30);
    const t0 = performance.now();
    await server.call("POST", `/deployments/${deploymentId}/create_flow_run`, {});
    const claimed = await poll;
    if (claimed.length !== 1) throw new Error(`the long-poll answered ${claimed.length} runs instead of the one created`);
    const at = await reportRunning(server, claimed[0]!);
    if (i >= 2) running.push(at - t0);
  }
  ctx.progress(`long-poll: → RUNNING ${describeLatency(running)}`);
  return running;
}

/** Runs created at random moments over the window, taken by a worker that polls every 10 s. */
async function poll10s(server: BenchServer, deploymentId: string, pool: string, config: Config, signal: AbortSignal) {
  const created = new Map<string, number>();
  const running = new Map<string, number>();
  const offsets = Array.from({ length: config.pollRuns }, () => Math.random() * config.pollWindowMs).sort((a, b) => a - b);
  const start = performance.now();
  const creating = (async () => {
    for (const offset of offsets) {
      await sleep(start + offset - performance.now(), signal);
      const t0 = performance.now();
      const run = await server.call("POST", `/deployments/${deploymentId}/create_flow_run`, {});
      created.set(run.id, t0);
    }
  })();
  // Awaited below; until then a failure must not count as unhandled.
  creating.catch(() => {});
  const lastTick = Math.ceil(config.pollWindowMs / POLL_INTERVAL_MS) + 2;
  for (let tick = 0; running.size < config.pollRuns; tick++) {
    if (tick > lastTick) throw new Error(`the 10-second poller got ${running.size} of ${config.pollRuns} runs`);
    await sleep(start + tick * POLL_INTERVAL_MS - performance.now(), signal);
    const claimed: Claimed[] = await server.call("POST", `/work_pools/${pool}/get_scheduled_flow_runs`, { worker_name: "bench-poller-10s", limit: 100, wait_seconds: 0 });
    // Runs a poll brings are started side by side, as a polling worker submits them.
    await Promise.all(claimed.map(async (c) => running.set(c.flow_run.id, await reportRunning(server, c))));
  }
  await creating;
  return [...running].map(([id, at]) => at - created.get(id)!);
}

export const dispatch: Benchmark = {
  name: "dispatch",
  title: "Dispatch latency",
  description:
    "A deployment run is created over REST and timed until its worker has it. **Push**: a worker holds the pool's WebSocket (protocol-level client in the harness process, no process per run): created → offer received, and → its RUNNING report accepted over the socket. **Poll 10 s**: a worker polls `get_scheduled_flow_runs` every 10 s (`wait_seconds` 0), as polling orchestrators do by default; runs are created at random moments over a window so the wait spreads over the interval; RUNNING is its `set_state` answer. **Long-poll**: the same endpoint with `wait_seconds` 10. Ten warm-up runs are not counted.",
  repeats: { full: 2, quick: 1 },
  run: (ctx) =>
    withBenchServer(async (server) => {
      const config = ctx.quick ? QUICK : FULL;
      const flow = await server.call("POST", "/flows/", { name: "bench-dispatch" });
      const pushDeployment = await deploymentIn(server, flow.id, "bench-push");
      const pollDeployment = await deploymentIn(server, flow.id, "bench-poll-10s");
      const longPollDeployment = await deploymentIn(server, flow.id, "bench-long-poll");

      const stopPolling = new AbortController();
      ctx.progress(`10-second poller: ${config.pollRuns} runs over ${config.pollWindowMs / 1000} s, in the background`);
      const polling = poll10s(server, pollDeployment, "bench-poll-10s", config, stopPolling.signal);
      polling.catch(() => {});
      let pushed, longPolled;
      try {
        pushed = await push(server, pushDeployment, "bench-push", config.pushRounds, ctx);
        longPolled = await longPoll(server, longPollDeployment, "bench-long-poll", config.longPollRounds, ctx);
        ctx.progress("waiting for the 10-second poller to take its last runs…");
      } catch (e) {
        stopPolling.abort(new Error("stopped"));
        throw e;
      }
      const polled = await polling;
      ctx.progress(`poll 10 s: → RUNNING ${describeLatency(polled)}`);

      const ratio = percentiles(polled).p50 / percentiles(pushed.running).p50;
      const figures: Figure[] = [
        ...latencyFigures("dispatch.push.running", "created → RUNNING, push", pushed.running, {
          targets: { p50: { op: "<=", limit: 20, text: "p50 ≤ 20 ms" }, p99: { op: "<=", limit: 100, text: "p99 ≤ 100 ms" } },
        }),
        ...latencyFigures("dispatch.push.offered", "created → offered, push", pushed.offered),
        ...latencyFigures("dispatch.push.create_answered", "create_flow_run answered", pushed.answered, {
          only: ["p50"],
          note: "The offer usually reaches the socket before create_flow_run's own answer reaches the caller: the pool's object is told of the run before the response is sent.",
        }),
        ...latencyFigures("dispatch.longpoll.running", "created → RUNNING, long-poll of up to 10 s", longPolled, { only: ["p50"] }),
        ...latencyFigures("dispatch.poll.running", "created → RUNNING, poll every 10 s", polled),
        {
          key: "dispatch.ratio.poll_over_push.p50",
          label: "poll every 10 s ÷ push, created → RUNNING (p50)",
          unit: "x",
          value: ratio,
          better: "higher",
          check: true,
          note: "The poll's latency is set by its 10 s interval (about half of it on average), so the ratio mostly follows the push latency: it falls when the machine is busy. Check it on a quiet machine.",
        },
      ];
      return figures;
    }),
};
