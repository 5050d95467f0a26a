import type { WorkPool } from "./pool/work-pool";
import type { EventHub } from "./stream/hub";
import type { TriggerEngine } from "./triggers/engine";

/** Bindings and secrets of the Baton Worker (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  WORK_POOL: DurableObjectNamespace<WorkPool>;
  /** The dashboard's live stream: one object, named "events". */
  EVENT_HUB: DurableObjectNamespace<EventHub>;
  /** Deployment triggers' evaluator: one object, named "triggers". */
  TRIGGERS: DurableObjectNamespace<TriggerEngine>;
  ASSETS: Fetcher;
  /** When set, every /api route but /api/health needs `Authorization: Bearer <key>`. */
  BATON_API_KEY?: string;
  /** Comma-separated origins allowed to call the API from a browser (CORS); none by default. */
  BATON_CORS_ORIGINS?: string;
  /** Days events are kept (default 7); older ones are pruned by the cron. */
  BATON_EVENT_RETENTION_DAYS?: string;
  /** `true` stores task-run state events too (always streamed and evaluated by triggers); off by default: a stored event is one more row write per state. */
  BATON_EVENTS_STORE_TASK_RUNS?: string;
}
