import { app } from "./app";
import type { Env } from "./env";

export { WorkPool } from "./pool/work-pool";

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, _env: Env, _ctx: ExecutionContext) {
    // The scheduler (creating upcoming runs, marking Late, nudging pools) is issue 5.
  },
} satisfies ExportedHandler<Env>;
