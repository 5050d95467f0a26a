import type { D1Migration } from "cloudflare:test";
import type { Env as BatonEnv } from "../env";

// Tests see the Worker's bindings plus the migrations that vitest.config.ts passes in.
declare global {
  namespace Cloudflare {
    interface Env extends BatonEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
