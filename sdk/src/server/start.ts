import { mkdir } from "node:fs/promises";
import type { Output } from "../output";
import { readyMessage, serverUrls, type ServerUrls } from "./banner";
import { everyMinute } from "./cron";
import { ensureDashboard } from "./dashboard";
import { waitForHealth } from "./health";
import { applyMigrations } from "./migrations";
import type { ServerOptions } from "./options";
import { assertPortFree } from "./port";
import { locateServerDir } from "./server-dir";
import { loadWrangler, startLocalWorker } from "./worker";

export interface RunningServer {
  urls: ServerUrls;
  stop(): Promise<void>;
}

/**
 * Starts the local server: migrations, dashboard build, the Worker in workerd, then the minute timer that
 * stands in for Cron Triggers (workerd does not fire them). Resolves once GET /api/health answers 200.
 */
export async function startServer(options: ServerOptions, out: Output, signal?: AbortSignal): Promise<RunningServer> {
  const startedAt = performance.now();
  useQuietWranglerDefaults();
  const server = locateServerDir(process.env);
  await assertPortFree(options.host, options.port);
  await mkdir(options.stateDir, { recursive: true });

  out.step(`Applying database migrations (state in ${options.stateDir})…`);
  // Migrations and the dashboard build run in child processes while wrangler loads here; when one of them
  // fails, the other child is stopped rather than left running.
  const preparing = new AbortController();
  const prepareSignal = signal ? AbortSignal.any([signal, preparing.signal]) : preparing.signal;
  const [applied] = await Promise.all([
    applyMigrations(server, options.stateDir, prepareSignal),
    ensureDashboard(server, out, prepareSignal),
    loadWrangler(),
  ]).catch((error: unknown) => {
    preparing.abort();
    throw error;
  });
  out.success(applied.length > 0 ? `Applied migrations: ${applied.join(", ")}` : "Database schema is up to date");

  out.step(`Starting the Worker on ${options.host}:${options.port}…`);
  const worker = await startLocalWorker(server, options, out, signal);
  try {
    await waitForHealth(worker.url, { signal });
  } catch (error) {
    await worker.dispose();
    throw error;
  }

  const timer =
    worker.crons.length > 0
      ? everyMinute(async (scheduledTime, tickSignal) => {
          for (const cron of worker.crons) await worker.fireScheduled(cron, scheduledTime, tickSignal);
        }, out)
      : undefined;

  const urls = serverUrls(options.host, options.port);
  out.info(
    readyMessage({ urls, stateDir: options.stateDir, auth: worker.authRequired, startupMs: performance.now() - startedAt }),
  );
  return {
    urls,
    async stop() {
      await timer?.stop();
      await worker.dispose();
    },
  };
}

/**
 * Defaults for wrangler, which runs in this process and in the migrations child (environment wins):
 * its own chatter (bindings table, request lines) hidden, while warnings and the Worker's console still show;
 * no telemetry on behalf of Baton users; and no download of the `Request.cf` sample, so start works offline.
 */
function useQuietWranglerDefaults(): void {
  process.env.WRANGLER_LOG ??= "warn";
  process.env.WRANGLER_SEND_METRICS ??= "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
}
