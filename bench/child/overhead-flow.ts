/**
 * The orchestration-overhead workload, run as a user's script is (`node --import tsx`, the `baton`
 * package, BATON_API_URL set): 1,000 calls of a trivial function with no orchestration, then as task runs
 * of a recorded flow, in sequence and with task.map at concurrency 16. HTTP requests are counted by
 * wrapping this process's fetch, which the SDK's client calls for every request.
 */
import { flow, task } from "baton";
import { answer } from "./ipc";

const N = Number(process.env.BENCH_TASKS ?? 1000);
const CONCURRENCY = 16;

let requests: Record<string, number> = {};
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const key = `${init?.method ?? "GET"} ${url.pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")}`;
  requests[key] = (requests[key] ?? 0) + 1;
  return realFetch(input, init);
};

const double = (i: number) => i * 2;
const trivial = task("trivial", double);
const items = Array.from({ length: N }, (_, i) => i);

/** When the sequential flow's body started and ended: before it, the flow run is created; after, reports are flushed. */
let body = { start: 0, end: 0 };
const sequentialFlow = flow("bench-overhead-sequential", async () => {
  body.start = performance.now();
  for (const i of items) await trivial(i);
  body.end = performance.now();
});
const mapFlow = flow("bench-overhead-map", async () => {
  await trivial.map(items, { concurrency: CONCURRENCY });
});
const emptyFlow = flow("bench-overhead-empty", async () => {});

/** The same calls with no orchestration: awaited one by one, or CONCURRENCY at a time. */
async function plainSequential(): Promise<void> {
  for (const i of items) await double(i);
}
async function plainMap(): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < N) await double(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

type Timed = { ms: number; cpuMs: number; requests: Record<string, number>; startMs: number; bodyMs: number; endMs: number };

/** Wall and CPU time of one variant, its requests, and (for the sequential flow) where the time went. */
async function timed(fn: () => Promise<unknown>): Promise<Timed> {
  requests = {};
  body = { start: 0, end: 0 };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const t1 = performance.now();
  const used = process.cpuUsage(cpu);
  const phases = body.end ? { startMs: body.start - t0, bodyMs: body.end - body.start, endMs: t1 - body.end } : { startMs: 0, bodyMs: 0, endMs: 0 };
  return { ms: t1 - t0, cpuMs: (used.user + used.system) / 1000, requests, ...phases };
}

await answer(async () => {
  // Warm-up, not counted: module loading, the server's isolate and D1 caches, JIT.
  await mapFlow();
  await plainSequential();
  await plainMap();
  return {
    n: N,
    concurrency: CONCURRENCY,
    empty: await timed(() => emptyFlow()),
    plainSequential: await timed(plainSequential),
    sequential: await timed(() => sequentialFlow()),
    plainMap: await timed(plainMap),
    map: await timed(() => mapFlow()),
  };
});
