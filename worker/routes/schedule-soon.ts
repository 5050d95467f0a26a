import type { Context } from "hono";
import { runScheduler } from "../scheduler/tick";
import type { AppEnv } from "../types";

/**
 * Runs the scheduler for one deployment after the response, so that a new or changed schedule has its
 * upcoming runs at once rather than at the next cron tick, up to a minute later.
 */
export function scheduleSoon(c: Context<AppEnv>, deploymentId: string): void {
  const tick = runScheduler(c.env, new Date(), { deploymentIds: [deploymentId] });
  c.executionCtx.waitUntil(tick.catch((err) => console.error(`scheduler for deployment ${deploymentId}:`, err)));
}
