import type { Db } from "./db/client";
import type { KeyOwner } from "./auth/keys";
import type { Env } from "./env";

/** Hono environment of every route: bindings plus the request's database handle. */
export type AppEnv = { Bindings: Env; Variables: { db: Db; keyOwner?: KeyOwner } };
