/**
 * Events against one local server:
 *   webhook → offered   POST /hooks/{slug} (a webhook whose event a deployment trigger matches) until the
 *                       triggered run is offered on the socket of a worker holding the pool; measured
 *                       alternately with POST /deployments/{id}/create_flow_run → offered on the same
 *                       pool and worker, so the trigger's own cost is seen next to plain dispatch;
 *   ingest              events stored per second: several clients post batches to POST /api/events at
 *                       once; the rate counts what the server stored (read back through /events/filter).
 * All times are taken in this process (one clock).
 */
import { ProtocolWorker, type Offer } from "./protocol-worker";
import { describeLatency, latencyFigures, percentiles } from "./harness/stats";
import type { BenchContext, Benchmark, Figure } from "./harness/types";
import { withBenchServer, type BenchServer } from "./local-server";

const WARM_UP = 10;
const POOL = "bench-events";

type Config = { rounds: number; clients: number; batches: number; batchSize: number };
const FULL: Config = { rounds: 200, clients: 4, batches: 50, batchSize: 100 };
const QUICK: Config = { rounds: 30, clients: 4, batches: 15, batchSize: 100 };

type Timings = { offered: number[]; answered: number[] };

/** One run at a time through a capacity-1 worker: `start` makes a run, timed until its offer arrives. */
async function offeredAfter(worker: ProtocolWorker, start: () => Promise<void>): Promise<{ offered: number; answered: number }> {
  let arrived!: (offer: Offer) => void;
  const offer = new Promise<Offer>((resolve) => (arrived = resolve));
  worker.onOffer((o) => arrived(o));
  const t0 = performance.now();
  await start();
  const tAnswered = performance.now();
  const o = await offer;
  worker.ack(o);
  const running = await worker.state(o, "RUNNING");
  if (running.result.status !== "ACCEPT") throw new Error(`RUNNING refused: ${JSON.stringify(running.result)}`);
  await worker.state(o, "COMPLETED");
  return { offered: o.arrived_at - t0, answered: tAnswered - t0 };
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 202 && res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${text}`);
}

async function latency(server: BenchServer, rounds: number, ctx: BenchContext) {
  const flow = await server.call("POST", "/flows/", { name: "bench-events" });
  await server.call("POST", "/work_pools/", { name: POOL });
  const webhook = await server.call("POST", "/webhooks", { name: "bench-hook", template: { event: "bench.hook" } });
  const deployment = await server.call("POST", "/deployments/", {
    flow_id: flow.id,
    name: "on-hook",
    work_pool_name: POOL,
    triggers: [{ expect: ["bench.hook"], parameters: { n: "{{ event.payload.body.n }}" } }],
  });
  const hookUrl = `${server.base.replace(/\/api$/, "")}${webhook.url_path}`;
  const worker = await ProtocolWorker.connect(server.base, POOL, "bench-events-worker", 1);
  const hook: Timings = { offered: [], answered: [] };
  const rest: Timings = { offered: [], answered: [] };
  try {
    for (let i = 0; i < rounds + WARM_UP; i++) {
      const viaHook = await offeredAfter(worker, () => post(hookUrl, { n: i }));
      const viaRest = await offeredAfter(worker, () => post(`${server.base}/deployments/${deployment.id}/create_flow_run`, {}));
      // The first rounds warm up workerd's isolates, the objects and D1's caches.
      if (i < WARM_UP) continue;
      hook.offered.push(viaHook.offered);
      hook.answered.push(viaHook.answered);
      rest.offered.push(viaRest.offered);
      rest.answered.push(viaRest.answered);
      if ((i + 1 - WARM_UP) % 50 === 0) ctx.progress(`webhook → offered: ${i + 1 - WARM_UP}/${rounds}, ${describeLatency(hook.offered)}`);
    }
  } finally {
    await worker.close();
  }
  const triggered = await server.call("POST", "/flow_runs/count", { deployments: { id: { any_: [deployment.id] } } });
  // Every webhook request and every REST call made exactly one run.
  if (triggered !== 2 * (rounds + WARM_UP)) throw new Error(`${triggered} runs for ${2 * (rounds + WARM_UP)} requests`);
  return { hook, rest };
}

/** Every stored event whose name starts with `prefix`, counted a page (the API's largest) at a time. */
async function countEvents(server: BenchServer, prefix: string): Promise<number> {
  let total = 0;
  let next_page: string | undefined;
  do {
    const page = await server.call("POST", "/events/filter", { event: { prefix: [prefix] }, limit: 500, ...(next_page ? { next_page } : {}) });
    total += page.events.length;
    next_page = page.next_page ?? undefined;
  } while (next_page);
  return total;
}

async function ingest(server: BenchServer, config: Config, ctx: BenchContext) {
  const batch = (client: number, n: number) =>
    Array.from({ length: config.batchSize }, (_, i) => ({
      event: `bench.ingest.c${client}`,
      resource: { "baton.resource.id": `bench.item.${client}.${n}.${i}`, "baton.resource.name": `item ${i}` },
      payload: { client, batch: n, index: i, note: "a payload of a typical size for an application event" },
    }));
  // One batch first, so that the clock does not count the first request's cold start.
  await post(`${server.base}/events`, batch(-1, 0));
  ctx.progress(`ingest: ${config.clients} clients × ${config.batches} batches of ${config.batchSize} events`);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: config.clients }, async (_, client) => {
      for (let n = 0; n < config.batches; n++) await post(`${server.base}/events`, batch(client, n));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const expected = config.clients * config.batches * config.batchSize;
  const stored = (await countEvents(server, "bench.ingest.c")) - config.batchSize;
  if (stored !== expected) throw new Error(`the server stored ${stored} of the ${expected} events posted`);
  ctx.progress(`ingest: ${stored} events stored in ${seconds.toFixed(1)} s`);
  return { rate: stored / seconds, requestsPerSecond: (config.clients * config.batches) / seconds };
}

export const events: Benchmark = {
  name: "events",
  title: "Events: webhook → run offered, event ingest",
  description:
    "**Webhook → offered**: a webhook (no secret) whose event `bench.hook` matches a deployment trigger with a templated parameter; each round POSTs `/hooks/{slug}` and times until the triggered run is offered on the socket of a protocol-level worker holding the pool (capacity 1; it then reports RUNNING and COMPLETED). Each round also creates a run of the same deployment over REST (`create_flow_run`), so the trigger path is measured next to plain dispatch on the same pool, worker and server. Ten warm-up rounds are not counted. **Ingest**: several clients post batches of events to `POST /api/events` at once (each waits for its previous answer); the rate is what the server stored, counted back through `/api/events/filter`, over the wall time.",
  repeats: { full: 2, quick: 1 },
  run: (ctx) =>
    withBenchServer(async (server) => {
      const config = ctx.quick ? QUICK : FULL;
      const { hook, rest } = await latency(server, config.rounds, ctx);
      ctx.progress(`create_flow_run → offered: ${describeLatency(rest.offered)}`);
      const ingested = await ingest(server, config, ctx);
      const figures: Figure[] = [
        ...latencyFigures("events.webhook.offered", "webhook request → run offered to the worker", hook.offered),
        ...latencyFigures("events.webhook.answered", "webhook request answered (202)", hook.answered, { only: ["p50"] }),
        ...latencyFigures("events.rest.offered", "create_flow_run → offered, same pool (for comparison)", rest.offered, { only: ["p50", "p99"] }),
        {
          key: "events.ratio.webhook_over_rest.p50",
          label: "webhook → offered ÷ create_flow_run → offered (p50)",
          unit: "x",
          value: percentiles(hook.offered).p50 / percentiles(rest.offered).p50,
          better: "lower",
          check: true,
          note: "What the webhook and trigger path (store the event, evaluate triggers, render parameters) costs on top of creating the run directly.",
        },
        {
          key: "events.ingest.events_per_s",
          label: `events stored per second (${config.clients} concurrent clients, batches of ${config.batchSize})`,
          unit: "events/s",
          value: ingested.rate,
          better: "higher",
          note: `${ingested.requestsPerSecond.toFixed(0)} batch requests/s. Each event is one D1 row; every batch is also handed to the trigger engine.`,
        },
      ];
      return figures;
    }),
};
