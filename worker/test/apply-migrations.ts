import { applyD1Migrations, env } from "cloudflare:test";
// Tests run against the same SQL that wrangler applies locally and remotely.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
