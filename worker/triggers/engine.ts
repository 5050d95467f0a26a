import { DurableObject } from "cloudflare:workers";
import type { Event } from "../../protocol/events";
import { armedTriggers, type ArmedTrigger } from "../db/armed-triggers";
import { createDb, type Db } from "../db/client";
import type { Env } from "../env";
import { emitEvents } from "../events/emit";
import { createDeploymentRun } from "../runs/deployment-run";
import { TRIGGER_FAILED, triggerFailedEvent } from "./failure";
import { failureOf, triggeredRunRequest } from "./fire";
import { TriggerIndex } from "./match";
import { OwnRuns } from "./own-runs";
import { ThresholdWindows } from "./window";

/** The cache of triggers is reloaded at least this often, in case an invalidation was lost. */
const TRIGGER_CACHE_MS = 60_000;
/** Old window rows are pruned at most this often. */
const PRUNE_EVERY_MS = 60_000;

type Loaded = { index: TriggerIndex<ArmedTrigger>; byId: Map<string, ArmedTrigger>; at: number };

/**
 * Deployment triggers' evaluator: one object (named "triggers"), so that counting events towards a
 * threshold is never raced. Publishers hand it every event once stored (worker/events/emit.ts).
 *
 * On the path from a webhook to a run: the enabled triggers and what firing needs of their
 * deployments are kept in memory, so an event that fires costs one D1 batch (the run's insert), then
 * the pool's nudge.
 */
export class TriggerEngine extends DurableObject<Env> {
  private readonly windows: ThresholdWindows;
  private readonly db: Db;
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  /** Bumped by invalidate(), so that a load that began before it is not kept. */
  private generation = 0;
  private prunedAt = 0;
  private readonly ownRuns = new OwnRuns();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.windows = new ThresholdWindows(ctx.storage.sql);
    this.db = createDb(env.DB);
  }

  /**
   * RPC: evaluate stored events against the enabled triggers, in order, and start the runs they call
   * for. Answers once those runs exist; never throws for a run that could not be created (that is
   * reported as a `baton.trigger.failed` event).
   */
  async evaluate(events: Event[]): Promise<void> {
    const { index } = await this.triggers();
    if (index.size === 0) return;
    const now = Date.now();
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.windows.prune(now);
      this.prunedAt = now;
    }
    // Matching and counting are synchronous, so another evaluation cannot interleave with them.
    const firings: [ArmedTrigger, Event][] = [];
    for (const event of events) {
      for (const trigger of index.matching(event)) {
        if (!this.ownRuns.isOwnUnfinished(trigger.id, event) && this.windows.fires(trigger, event)) firings.push([trigger, event]);
      }
    }
    for (const [trigger, event] of firings) await this.fire(trigger, event);
  }

  /** RPC: a deployment or its triggers changed; drop the cached copy. */
  async invalidate(): Promise<void> {
    this.generation++;
    this.loaded = null;
    this.loading = null;
  }

  /**
   * Creates the trigger's run. When the cached deployment turns out stale (deleted, or its pool deleted
   * behind the engine's back), the triggers are reloaded and the run tried once more with what D1 now
   * says; a trigger that is gone by then reports its deployment as deleted.
   */
  private async fire(trigger: ArmedTrigger, event: Event, retried = false): Promise<void> {
    const missing: string[] = [];
    try {
      const request = triggeredRunRequest(trigger, event, missing);
      const { run } = await createDeploymentRun(this.env, this.db, trigger.deployment, request, (work) => this.ctx.waitUntil(work));
      this.ownRuns.started(run.id, trigger.id);
    } catch (error) {
      const { reason, stale } = failureOf(error, missing);
      if (stale && !retried) {
        await this.invalidate();
        const fresh = (await this.triggers()).byId.get(trigger.id);
        if (fresh) return this.fire(fresh, event, true);
        return this.failed(trigger, event, "the deployment or the trigger was deleted");
      }
      this.failed(trigger, event, reason);
    }
  }

  private failed(trigger: ArmedTrigger, event: Event, reason: string): void {
    // A failure to react to a failure is only logged: two triggers that fail on each other's failure
    // events would otherwise loop.
    if (event.event === TRIGGER_FAILED) {
      console.error(`triggers: trigger ${trigger.id} could not start a run for ${event.event} ${event.id}: ${reason}`);
      return;
    }
    this.ctx.waitUntil(
      emitEvents(this.env, [triggerFailedEvent(trigger, event, reason)]).catch((e: unknown) => console.error("triggers: could not emit trigger.failed", e)),
    );
  }

  private async triggers(): Promise<Loaded> {
    if (this.loaded && Date.now() - this.loaded.at < TRIGGER_CACHE_MS) return this.loaded;
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading = (async () => {
      const at = Date.now();
      const triggers = await armedTriggers(this.db);
      const loaded = { index: new TriggerIndex(triggers), byId: new Map(triggers.map((t) => [t.id, t])), at };
      if (generation === this.generation) this.loaded = loaded;
      return loaded;
    })();
    this.loading = loading;
    try {
      return await loading;
    } finally {
      if (this.loading === loading) this.loading = null;
    }
  }
}

export const triggerEngine = (env: Env) => env.TRIGGERS.get(env.TRIGGERS.idFromName("triggers"));
