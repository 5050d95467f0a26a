/**
 * Bench-only Worker entry for the cost benchmark (bench/cost.ts), never deployed: the real Baton Worker
 * (worker/index.ts: its fetch and scheduled handlers and its Durable Object classes, subclassed only so
 * that their env is wrapped too) behind the MEASUREMENT INSTRUMENTATION of bench/cost/meter.ts, which
 * counts D1 rows, Durable Object requests and Worker requests. Its routes are under /api/__bench/: the
 * meter's, and a SQL route for setting up (bench/cost/sql-route.ts).
 */
import worker, * as real from "../../worker/index";
import type { Env } from "../../worker/env";
import { BENCH_PATH, countScheduled, countWorkerRequest, meterEnv, metered, meterRoute } from "./meter";
import { sqlRoute } from "./sql-route";

// Every class wrangler.toml binds must be here (bench/cost.ts checks it), or its requests go uncounted.
export const WorkPool = metered(real.WorkPool);
export const EventHub = metered(real.EventHub);
export const TriggerEngine = metered(real.TriggerEngine);

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (new URL(request.url).pathname.startsWith(BENCH_PATH)) {
      meterEnv(env);
      return (await meterRoute(request)) ?? (await sqlRoute(request, env.DB)) ?? new Response("unknown bench route", { status: 404 });
    }
    countWorkerRequest();
    return worker.fetch(request, meterEnv(env), ctx);
  },
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    countScheduled();
    return worker.scheduled(controller, meterEnv(env), ctx);
  },
} satisfies ExportedHandler<Env>;
