import { app } from "./app";
import type { Env } from "./env";
import { pruneExpiredEvents } from "./events/retention";
import { tickAllPools } from "./pool/notify";
import { runScheduler } from "./scheduler/tick";

export { WorkPool } from "./pool/work-pool";
export { EventHub } from "./stream/hub";
export { TriggerEngine } from "./triggers/engine";

export default {
  fetch: app.fetch,
  /** Each minute: create upcoming runs of every schedule, visit every pool (its safety net), prune old events. */
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    const now = new Date();
    const prune = pruneExpiredEvents(env, now).catch((e) => console.error("events: pruning failed", e));
    ctx.waitUntil(Promise.all([runScheduler(env, now), tickAllPools(env), prune]));
  },
} satisfies ExportedHandler<Env>;
