/**
 * The Baton Worker in workerd for the benchmarks that must look inside it (cost, scheduler): started the
 * way `baton server start` starts it (wrangler's unstable_startWorker with the real wrangler.toml, its D1
 * and Durable Object bindings, migrations applied by wrangler's own command, state in a fresh directory),
 * but with a bench-only entry module that wraps the real Worker (see bench/cost/entry.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../../sdk/src/server/migrations";
import { freePort } from "../../sdk/src/testing/free-port";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const SERVER = { root: ROOT, wranglerConfig: join(ROOT, "wrangler.toml") };
const START_TIMEOUT_MS = 90_000;

export type BenchWorker = {
  url: URL;
  /** Runs the entry's `scheduled` handler through wrangler's dev route; resolves when it (and its waitUntil work) ended. */
  fireScheduled: (scheduledTime: Date, cron?: string) => Promise<void>;
  /** JSON call to the entry, e.g. `/api/flows/` or a bench-only `/__bench/...` route. */
  call: <T = any>(method: string, path: string, body?: unknown) => Promise<T>;
  /** CPU time (user + system, ms) workerd has used so far: the Worker, its Durable Objects and local D1. */
  workerdCpuMs: () => number;
  dispose: () => Promise<void>;
};

/** Durable Object classes wrangler.toml binds: a bench entry must export (and meter) each of them. */
export function durableObjectClasses(): string[] {
  const toml = readFileSync(SERVER.wranglerConfig, "utf8");
  return [...toml.matchAll(/class_name\s*=\s*"([^"]+)"/g)].map((m) => m[1]!);
}

export type BenchWorkerOptions = {
  progress?: (message: string) => void;
  /** Opens wrangler's inspector (Chrome DevTools protocol) on this port, for CPU profiles. */
  inspectorPort?: number;
};

export async function startBenchWorker(entrypoint: string, { progress = () => {}, inspectorPort }: BenchWorkerOptions = {}): Promise<BenchWorker> {
  process.env.WRANGLER_LOG ??= "warn";
  process.env.WRANGLER_SEND_METRICS ??= "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  const state = await mkdtemp(join(tmpdir(), "baton-bench-workerd-"));
  const cleanup = () => rm(state, { recursive: true, force: true });
  let worker: Awaited<ReturnType<typeof import("wrangler").unstable_startWorker>> | undefined;
  try {
    progress("applying migrations, starting workerd");
    const [, { unstable_startWorker }, port] = await Promise.all([applyMigrations(SERVER, state), import("wrangler"), freePort()]);
    const before = new Set(workerdPids());
    const listeners = { SIGINT: process.listeners("SIGINT"), SIGTERM: process.listeners("SIGTERM") };
    worker = await unstable_startWorker({
      config: SERVER.wranglerConfig,
      entrypoint: join(ROOT, entrypoint),
      dev: {
        server: { hostname: "127.0.0.1", port },
        persist: state,
        watch: false,
        inspector: inspectorPort ? { hostname: "127.0.0.1", port: inspectorPort } : false,
        remote: false,
        structuredLogsHandler: ({ level, message }: { level: string; message: string }) => {
          if (level === "error" || level === "warn") console.error(message);
        },
      },
    });
    // miniflare's own SIGINT/SIGTERM handlers would exit the harness mid-run; the harness disposes instead.
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      for (const l of process.listeners(name)) if (!listeners[name].includes(l)) process.off(name, l);
    }
    const url = await untilReady(worker);
    const pid = workerdPids().find((p) => !before.has(p));
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(new URL(path, url), {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
      return text ? JSON.parse(text) : undefined;
    };
    const started = worker;
    return {
      url,
      call,
      async fireScheduled(scheduledTime, cron = "* * * * *") {
        const target = new URL("cdn-cgi/local/scheduled", url);
        target.search = new URLSearchParams({ format: "json", cron, time: String(scheduledTime.getTime()) }).toString();
        const res = await fetch(target, { signal: AbortSignal.timeout(5 * 60_000) });
        const result = (await res.json().catch(() => undefined)) as { outcome?: string } | undefined;
        if (!res.ok || result?.outcome !== "ok") throw new Error(`the scheduled handler ended with outcome ${result?.outcome ?? `HTTP ${res.status}`}`);
      },
      workerdCpuMs: () => (pid === undefined ? NaN : cpuMs(pid)),
      async dispose() {
        await started.dispose();
        await cleanup();
      },
    };
  } catch (e) {
    await worker?.raw.teardown().catch(() => undefined);
    await cleanup();
    throw e;
  }
}

type Started = Awaited<ReturnType<typeof import("wrangler").unstable_startWorker>>;

/** wrangler reports a Worker that does not build as an error event, not as a rejection of `url`. */
function untilReady(worker: Started): Promise<URL> {
  return new Promise<URL>((resolve, reject) => {
    const fail = (event: unknown) => {
      clearTimeout(timer);
      const { reason, cause } = (event ?? {}) as { reason?: string; cause?: { message?: string } };
      reject(event instanceof Error ? event : new Error(`the bench Worker did not start: ${[reason, cause?.message].filter(Boolean).join(": ")}`));
    };
    const timer = setTimeout(() => fail(new Error(`the bench Worker did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.raw.once("error", fail);
    worker.url.then(
      (url) => {
        clearTimeout(timer);
        worker.raw.off("error", fail);
        resolve(url);
      },
      fail,
    );
  });
}

/** workerd processes started by this process (miniflare spawns them as children). */
function workerdPids(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.comm === "workerd" && stat.ppid === process.pid) out.push(Number(entry));
  }
  return out;
}

function readStat(pid: number): { comm: string; ppid: number; utime: number; stime: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces; the fields after it are space separated.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const rest = text.slice(close + 2).split(" ");
    return { comm, ppid: Number(rest[1]), utime: Number(rest[11]), stime: Number(rest[12]) };
  } catch {
    return undefined;
  }
}

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node supports. */
const TICK_MS = 10;

function cpuMs(pid: number): number {
  const stat = readStat(pid);
  return stat ? (stat.utime + stat.stime) * TICK_MS : NaN;
}
