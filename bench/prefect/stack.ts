/**
 * A Prefect 3 server of the bench's own (`prefect server start`, SQLite, on a free port, PREFECT_HOME in a
 * temp dir, analytics off), a process work pool with bench/prefect/flows.py:hello deployed from this
 * directory (no image, no Docker), and a process worker at its default poll interval.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../sdk/src/testing/free-port";
import { runCommand, startService, type Service } from "./processes";
import type { PrefectVenv } from "./venv";

const HERE = new URL(".", import.meta.url).pathname;
export const POOL = "bench-pool";
const SERVER_START_TIMEOUT_MS = 180_000;
const RETRIED = new Set([429, 502, 503]);
/** Prefect's client gives up after 5 retries; on a loaded 2-core machine SQLite stays locked longer than that. */
const MAX_RETRIES = 8;

export type PrefectStack = {
  api: string;
  /** Environment for Prefect clients (scripts, CLI) pointed at this server. */
  env: NodeJS.ProcessEnv;
  deploymentId: string;
  call: (method: string, path: string, body?: unknown) => Promise<any>;
  /** Starts the process worker on the pool (once). */
  startWorker: () => Promise<void>;
  /** The end of the worker's and the server's logs, for error messages. */
  logTails: () => string;
  /** Ends the worker, then the server (each with its process group), and removes PREFECT_HOME. */
  stop: () => Promise<void>;
};

/** Everything Prefect-related from the caller's environment is left out, so a user's profile cannot leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PREFECT_")));
}

export async function startPrefectStack(venv: PrefectVenv, progress: (message: string) => void): Promise<PrefectStack> {
  const home = await mkdtemp(join(tmpdir(), "prefect-bench-"));
  const port = await freePort();
  const api = `http://127.0.0.1:${port}/api`;
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PREFECT_HOME: home,
    PREFECT_API_URL: api,
    PREFECT_API_DATABASE_CONNECTION_URL: `sqlite+aiosqlite:///${home}/prefect.db`,
    PREFECT_SERVER_API_HOST: "127.0.0.1",
    PREFECT_SERVER_API_PORT: String(port),
    // No analytics from the server, nor from the SDK (Prefect's client honours DO_NOT_TRACK).
    PREFECT_SERVER_ANALYTICS_ENABLED: "false",
    DO_NOT_TRACK: "1",
    // The dashboard is not measured; serving it changes nothing on the API's path.
    PREFECT_SERVER_UI_ENABLED: "false",
    PREFECT_CLI_COLORS: "false",
    // Why the server answered 503 (SQLite locked, a timeout) goes to its log, for the error message.
    PREFECT_API_LOG_RETRYABLE_ERRORS: "true",
    // Flow runs import flows.py from the repository: no __pycache__ left in it.
    PYTHONDONTWRITEBYTECODE: "1",
  };
  const services: Service[] = [];
  const logTails = () => services.map((s) => `--- ${s.name} (${s.logFile}):\n${s.logTail()}`).join("\n");
  const stop = async () => {
    for (const service of services.reverse()) await service.stop();
    services.length = 0;
    await rm(home, { recursive: true, force: true });
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** attempt) * (0.5 + Math.random())));
    for (let attempt = 0; ; attempt++) {
      // Prefect's server answers 503 when SQLite is locked by another writer, and drops connections when
      // overloaded; its own client retries both (PREFECT_CLIENT_MAX_RETRIES, 5 by default, with backoff), and
      // so does the bench. Run times are taken on the server, so a retry does not count against Prefect.
      let res: Response;
      let text: string;
      try {
        res = await fetch(api + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
        text = await res.text();
      } catch (e) {
        if (attempt >= MAX_RETRIES) throw new Error(`Prefect ${method} ${path}: ${(e as Error).message} ${String((e as Error).cause ?? "")}\n${logTails()}`);
        await backoff(attempt);
        continue;
      }
      if (RETRIED.has(res.status) && attempt < MAX_RETRIES) {
        await backoff(attempt);
        continue;
      }
      if (!res.ok) throw new Error(`Prefect ${method} ${path}: ${res.status} ${text.slice(0, 500)}${res.status >= 500 ? `\n${logTails()}` : ""}`);
      return text ? JSON.parse(text) : undefined;
    }
  };

  try {
    progress(`starting Prefect's server on 127.0.0.1:${port} (SQLite in a temp dir)`);
    const started = performance.now();
    const server = await startService("prefect server", venv.prefect, ["server", "start", "--host", "127.0.0.1", "--port", String(port), "--analytics-off", "--no-ui"], { env, cwd: home, logFile: join(home, "server.log") });
    services.push(server);
    for (;;) {
      if (server.exited()) throw new Error(`Prefect's server exited while starting:\n${server.logTail()}`);
      if (performance.now() - started > SERVER_START_TIMEOUT_MS) throw new Error(`Prefect's server did not answer /api/health within ${SERVER_START_TIMEOUT_MS / 1000} s:\n${server.logTail()}`);
      try {
        if ((await fetch(`${api}/health`)).ok) break;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    progress(`Prefect's server answered /api/health after ${((performance.now() - started) / 1000).toFixed(1)} s; deploying the hello flow`);

    const { output } = await runCommand(venv.python, [join(HERE, "deploy.py"), POOL], { env, cwd: HERE, timeoutMs: 120_000 });
    const deploymentId = JSON.parse(output.trim().split("\n").at(-1)!).deployment_id as string;

    let worker: Service | undefined;
    const startWorker = async () => {
      if (worker) return;
      worker = await startService("prefect worker", venv.prefect, ["worker", "start", "--pool", POOL, "--type", "process", "--name", "bench-worker"], { env, cwd: home, logFile: join(home, "worker.log") });
      services.push(worker);
    };
    return { api, env, deploymentId, call, startWorker, logTails, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
