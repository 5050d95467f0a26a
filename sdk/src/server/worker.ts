import type { unstable_startWorker } from "wrangler";
import { CliError } from "../cli/errors";
import type { Output } from "../output";
import type { ServerOptions } from "./options";
import { portInUse } from "./port";
import type { ServerDir } from "./server-dir";

/** Bundling the Worker and starting workerd takes a few seconds; far longer means something is stuck. */
const START_TIMEOUT_MS = 60_000;
/** Cloudflare's wall-time limit for a Cron Trigger invocation. */
const SCHEDULED_TIMEOUT_MS = 15 * 60_000;

export interface LocalWorker {
  /** Where the Worker answers, e.g. http://127.0.0.1:4200/. */
  url: URL;
  /** The Cron Triggers of wrangler.toml, which workerd does not fire by itself. */
  crons: string[];
  /**
   * Whether the Worker got a BATON_API_KEY: from the environment, or from a .dev.vars or .env file next to
   * wrangler.toml, which wrangler reads too (and lets win).
   */
  authRequired: boolean;
  /** Runs the Worker's `scheduled` handler once; rejects when the handler did not succeed. */
  fireScheduled(cron: string, scheduledTime: Date, signal?: AbortSignal): Promise<void>;
  dispose(): Promise<void>;
}

let wrangler: Promise<typeof import("wrangler")> | undefined;

/**
 * Loads wrangler (seconds: it is one very large module). Called early by startServer so that this overlaps
 * with the migrations, which run in a child process.
 */
export function loadWrangler(): Promise<typeof import("wrangler")> {
  return (wrangler ??= import("wrangler"));
}

/** Server settings a user may set in the environment of `baton server start`, as `wrangler deploy` takes them as vars. */
const ENVIRONMENT_SETTINGS = ["BATON_CORS_ORIGINS", "BATON_EVENT_RETENTION_DAYS", "BATON_EVENTS_STORE_TASK_RUNS"] as const;

function settingsFromEnvironment(): Record<string, { type: "plain_text"; value: string }> {
  return Object.fromEntries(ENVIRONMENT_SETTINGS.flatMap((name) => (process.env[name] ? [[name, { type: "plain_text" as const, value: process.env[name]! }]] : [])));
}

/** Starts the server's Worker in workerd with wrangler's programmatic dev API. */
export async function startLocalWorker(
  server: ServerDir,
  options: ServerOptions,
  out: Output,
  signal?: AbortSignal,
): Promise<LocalWorker> {
  const { unstable_startWorker } = await loadWrangler();
  const listenersBefore = signalListeners();
  const worker = await unstable_startWorker({
    config: server.wranglerConfig,
    bindings: { ...settingsFromEnvironment(), ...(options.apiKey ? { BATON_API_KEY: { type: "secret_text", value: options.apiKey } } : {}) },
    dev: {
      server: { hostname: options.host, port: options.port },
      persist: options.stateDir,
      // Durable Object alarms stop firing after a code reload, so the server never reloads itself.
      watch: false,
      inspector: false,
      remote: false,
      structuredLogsHandler: ({ level, message }: { level: string; message: string }) =>
        (level === "error" || level === "warn" ? console.error : console.log)(message),
    },
  });

  let url: URL;
  try {
    url = await untilReady(worker, signal);
  } catch (error) {
    // Not dispose(): it waits for a ready state that a failed start never reaches.
    await worker.raw.teardown().catch(() => undefined);
    throw error;
  } finally {
    removeSignalListenersAddedSince(listenersBefore);
  }
  worker.raw.on("error", (event: unknown) => out.error(`Worker: ${describeEvent(event)}`));

  const crons = ((worker.config.triggers ?? []) as { type: string; cron?: string }[])
    .filter((trigger) => trigger.type === "cron" && trigger.cron)
    .map((trigger) => trigger.cron!);

  return {
    url,
    crons,
    authRequired: "BATON_API_KEY" in (worker.config.bindings ?? {}),
    async fireScheduled(cron, scheduledTime, signal) {
      // wrangler's dev server exposes the Worker's scheduled handler on this route (its test harness uses it).
      const target = new URL("cdn-cgi/local/scheduled", url);
      target.search = new URLSearchParams({ format: "json", cron, time: String(scheduledTime.getTime()) }).toString();
      const timeout = AbortSignal.timeout(SCHEDULED_TIMEOUT_MS);
      const response = await fetch(target, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      const result = (await response.json().catch(() => undefined)) as { outcome?: string } | undefined;
      if (!response.ok || result?.outcome !== "ok") {
        throw new Error(`the scheduled handler ended with outcome ${result?.outcome ?? `HTTP ${response.status}`}`);
      }
    },
    dispose: () => worker.dispose(),
  };
}

type StartedWorker = Awaited<ReturnType<typeof unstable_startWorker>>;

/** wrangler reports startup failures (a taken port, a Worker that does not build) as events, not rejections. */
function untilReady(worker: StartedWorker, signal?: AbortSignal): Promise<URL> {
  return new Promise<URL>((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const settle = (action: () => void) => {
      for (const cleanup of cleanups) cleanup();
      action();
    };
    const onError = (event: unknown) => settle(() => reject(startError(event)));
    worker.raw.on("error", onError);
    cleanups.push(() => worker.raw.off("error", onError));
    const timer = setTimeout(
      () => settle(() => reject(new CliError("E_WORKER_START", `The Worker did not start within ${START_TIMEOUT_MS / 1000} s.`))),
      START_TIMEOUT_MS,
    );
    cleanups.push(() => clearTimeout(timer));
    if (signal) {
      const onAbort = () => settle(() => reject(signal.reason));
      signal.addEventListener("abort", onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener("abort", onAbort));
    }
    worker.url.then(
      (url) => settle(() => resolve(url)),
      (error: unknown) => settle(() => reject(startError(error))),
    );
  });
}

function startError(event: unknown): CliError {
  const message = describeEvent(event);
  const address = /Address already in use \((.+):(\d+)\)/.exec(message);
  if (address) return portInUse(address[1]!, Number(address[2]));
  return new CliError("E_WORKER_START", `The Worker failed to start: ${message}`, { cause: event });
}

/** DevEnv errors are either Errors or `{ reason, cause }` events. */
function describeEvent(event: unknown): string {
  if (event instanceof Error) return event.message;
  const { reason, cause } = (event ?? {}) as { reason?: string; cause?: { message?: string } };
  return [reason, cause?.message].filter(Boolean).join(": ") || String(event);
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function signalListeners(): Map<string, Set<Function>> {
  return new Map(SIGNALS.map((name) => [name, new Set(process.listeners(name))]));
}

/**
 * miniflare answers SIGINT/SIGTERM by killing workerd and exiting at once with 130/143. The CLI stops the
 * server itself (dispose() runs the same cleanup) and exits 0, so miniflare's listeners are taken off.
 */
function removeSignalListenersAddedSince(before: Map<string, Set<Function>>): void {
  for (const name of SIGNALS) {
    for (const listener of process.listeners(name)) {
      if (!before.get(name)?.has(listener)) process.off(name, listener as (...args: unknown[]) => void);
    }
  }
}
