import type { WorkPool } from "./pool/work-pool";
import type { EventHub } from "./stream/hub";

/** Bindings and secrets of the Baton Worker (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  WORK_POOL: DurableObjectNamespace<WorkPool>;
  /** The dashboard's live stream: one object, named "events". */
  EVENT_HUB: DurableObjectNamespace<EventHub>;
  ASSETS: Fetcher;
  /** When set, every /api route but /api/health needs `Authorization: Bearer <key>`. */
  BATON_API_KEY?: string;
  /** Comma-separated origins allowed to call the API from a browser (CORS); none by default. */
  BATON_CORS_ORIGINS?: string;
}
