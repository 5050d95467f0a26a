import { app } from "./app";
import type { Env } from "./env";
import { tickAllPools } from "./pool/notify";
import { runScheduler } from "./scheduler/tick";

export { WorkPool } from "./pool/work-pool";
export { EventHub } from "./stream/hub";
export { TriggerEngine } from "./triggers/engine";

export default {
  fetch: app.fetch,
  /** Each minute: create upcoming runs of every schedule, and visit every pool (its safety net). */
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    const now = new Date();
    ctx.waitUntil(Promise.all([runScheduler(env, now), tickAllPools(env)]));
  },
} satisfies ExportedHandler<Env>;
