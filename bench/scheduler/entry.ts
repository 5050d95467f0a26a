/**
 * Bench-only Worker entry for the scheduler benchmark (bench/scheduler.ts), never deployed. It is the
 * real Worker (worker/index.ts's fetch and Durable Object classes) with one difference in `scheduled`:
 * the tick's clock is the Cron event's `scheduledTime` rather than `new Date()`. That lets the benchmark
 * fire two ticks at the same clock (the second must create nothing) and keeps the workload the same on
 * every run. The handler otherwise does what worker/index.ts does: runScheduler and tickAllPools under
 * waitUntil; it also times each of them and keeps the scheduler's report for GET /api/__bench/tick.
 * D1 calls and Durable Object requests are counted by bench/cost/meter.ts (measurement instrumentation).
 *
 * Routes (under /api/, where the Worker runs before static assets):
 *   POST /api/__bench/seed   { now, workload } writes the workload (bench/scheduler/seed.ts)
 *   POST /api/__bench/sql    { statements: [{ sql, params }] } run as one D1 batch: the benchmark's checks
 *   GET  /api/__bench/tick   the last tick's times and report
 *   and the meter's routes (bench/cost/meter.ts).
 */
import worker from "../../worker/index";
import type { Env } from "../../worker/env";
import { tickAllPools } from "../../worker/pool/notify";
import { runScheduler, type SchedulerReport } from "../../worker/scheduler/tick";
import { BENCH_PATH, inScope, meterEnv, meterRoute } from "../cost/meter";
import { sqlRoute } from "../cost/sql-route";
import { seedWorkload } from "./seed";
import type { Workload } from "./workload";

export * from "../../worker/index";

type TickTimes = { scheduler_ms: number; pools_ms: number; report: SchedulerReport | null; error: string | null };
let lastTick: TickTimes | null = null;

const timed = async <T>(work: Promise<T>, start: number): Promise<{ value: T; ms: number }> => {
  const value = await work;
  return { value, ms: performance.now() - start };
};

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith(BENCH_PATH)) return worker.fetch(request, env, ctx);
    meterEnv(env);
    const sql = await sqlRoute(request, env.DB);
    if (sql) return sql;
    if (pathname === `${BENCH_PATH}seed` && request.method === "POST") {
      const { now, workload } = (await request.json()) as { now: string; workload: Workload };
      return Response.json(await seedWorkload(env.DB, workload, new Date(now)));
    }
    if (pathname === `${BENCH_PATH}tick` && request.method === "GET") return Response.json(lastTick);
    return (await meterRoute(request)) ?? new Response("unknown bench route", { status: 404 });
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const now = new Date(controller.scheduledTime);
    const metered = meterEnv(env);
    const start = performance.now();
    lastTick = null;
    const tick = Promise.all([
      timed(inScope("scheduler", () => runScheduler(metered, now)), start),
      timed(inScope("pools", () => tickAllPools(metered)), start),
    ]).then(
      ([scheduler, pools]) => void (lastTick = { scheduler_ms: scheduler.ms, pools_ms: pools.ms, report: scheduler.value, error: null }),
      (e: unknown) => void (lastTick = { scheduler_ms: NaN, pools_ms: NaN, report: null, error: String(e) }),
    );
    ctx.waitUntil(tick);
  },
} satisfies ExportedHandler<Env>;
