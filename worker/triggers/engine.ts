import { DurableObject } from "cloudflare:workers";
import type { Event } from "../../protocol/events";
import type { Env } from "../env";

/**
 * Deployment triggers' evaluator: one object (named "triggers"), so that counting events towards a
 * threshold is never raced. Publishers hand it every event once stored (worker/events/emit.ts).
 */
export class TriggerEngine extends DurableObject<Env> {
  /** RPC: evaluate stored events against the enabled triggers; starts the runs they call for. */
  async evaluate(_events: Event[]): Promise<void> {
    // Filled in by issue 9's trigger work.
  }

  /** RPC: a deployment's triggers changed; drop any cached copy. */
  async invalidate(): Promise<void> {}
}

export const triggerEngine = (env: Env) => env.TRIGGERS.get(env.TRIGGERS.idFromName("triggers"));
