import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/**
 * One object per work pool (SQLite-backed, see wrangler.toml). It will hold the pool's worker sockets,
 * claims and leases and push due runs (issue 5); the class exists now so that the binding, its migration
 * tag and deploys are real from the start.
 */
export class WorkPool extends DurableObject<Env> {}
