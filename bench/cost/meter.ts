/**
 * MEASUREMENT INSTRUMENTATION: counters for the cost and scheduler benchmarks. It runs only inside the
 * bench-only Worker entries (bench/cost/entry.ts, bench/scheduler/entry.ts), never in the deployed Worker.
 *
 * What it counts, in the Worker's isolate (workerd runs a Worker and its Durable Objects in one):
 * - D1: every statement's `meta.rows_read` / `meta.rows_written` / `meta.duration`, as D1 answers them.
 *   D1's public API hides the metadata of `first()` and `raw()` (drizzle's selects use `raw()`), so the
 *   counting sits at the one place every D1 call passes through with its results: the session's `_send`
 *   (workerd's cloudflare-internal:d1-api), patched once per isolate. A workerd without it fails loudly.
 * - Durable Object requests as billed: each fetch or RPC call on a stub (counted on the caller's side,
 *   through a wrapped env), each alarm, and each incoming WebSocket message (billed 20:1).
 * - Durable Object SQLite rows (`cursor.rowsRead` / `rowsWritten`), billed like D1 rows.
 * - Worker requests (fetch, excluding these bench routes) and Cron invocations.
 */
import { AsyncLocalStorage } from "node:async_hooks";

type Counters = {
  worker_requests: number;
  scheduled_invocations: number;
  d1_calls: number;
  d1_statements: number;
  d1_rows_read: number;
  d1_rows_written: number;
  /** Sum of D1's `meta.duration` (SQL execution time as the database reports it), ms. */
  d1_sql_ms: number;
  /** Wall time of the D1 calls as the Worker waits for them, ms. */
  d1_wait_ms: number;
  do_requests: number;
  do_alarms: number;
  do_ws_messages_in: number;
  do_sql_statements: number;
  do_sql_rows_read: number;
  do_sql_rows_written: number;
  /** Requests per "BINDING.method". */
  do_calls: Record<string, number>;
};

/**
 * One D1 call or Durable Object request, for a timeline of where a tick's time goes. `scope` is the
 * name given to `inScope` by the code that made the call (undefined: a Durable Object's own work).
 */
type Span = { kind: "d1" | "do"; label: string; scope?: string; start: number; end: number; statements?: number; rows_read?: number; rows_written?: number; sql_ms?: number };

const scopes = new AsyncLocalStorage<string>();

/** Runs `work` with its D1 calls and Durable Object requests marked as `scope`'s in the timeline. */
export const inScope = <T>(scope: string, work: () => Promise<T>): Promise<T> => scopes.run(scope, work);

const zero = (): Counters => ({
  worker_requests: 0,
  scheduled_invocations: 0,
  d1_calls: 0,
  d1_statements: 0,
  d1_rows_read: 0,
  d1_rows_written: 0,
  d1_sql_ms: 0,
  d1_wait_ms: 0,
  do_requests: 0,
  do_alarms: 0,
  do_ws_messages_in: 0,
  do_sql_statements: 0,
  do_sql_rows_read: 0,
  do_sql_rows_written: 0,
  do_calls: {},
});

let counters = zero();
let timeline: Span[] | null = null;
const MAX_SPANS = 20_000;
const meteredClasses: string[] = [];

export const countWorkerRequest = () => void counters.worker_requests++;
export const countScheduled = () => void counters.scheduled_invocations++;

function record(span: Span): void {
  if (timeline && timeline.length < MAX_SPANS) timeline.push(span);
}

const scopeNow = () => scopes.getStore();

type D1Meta = { rows_read?: number; rows_written?: number; duration?: number };
type D1Answer = { meta?: D1Meta } | undefined;

let d1Patched = false;

/** Patches the D1 session class of this isolate so that every statement's metadata is counted. */
function patchD1(db: D1Database): void {
  if (d1Patched) return;
  const session = (db as unknown as { withSession?: () => object }).withSession?.();
  const proto = session && (Object.getPrototypeOf(session) as { _send?: (...args: unknown[]) => Promise<D1Answer | D1Answer[]> });
  const send = proto?._send;
  if (!proto || typeof send !== "function") {
    throw new Error("bench meter: this workerd's D1 binding has no session _send to count rows through; update bench/cost/meter.ts");
  }
  proto._send = async function (this: unknown, ...args: unknown[]) {
    const scope = scopeNow();
    const start = performance.now();
    const answer = await send.apply(this, args);
    const end = performance.now();
    const results = Array.isArray(answer) ? answer : [answer];
    let read = 0;
    let written = 0;
    let sqlMs = 0;
    for (const r of results) {
      read += r?.meta?.rows_read ?? 0;
      written += r?.meta?.rows_written ?? 0;
      sqlMs += r?.meta?.duration ?? 0;
    }
    counters.d1_calls++;
    counters.d1_statements += results.length;
    counters.d1_rows_read += read;
    counters.d1_rows_written += written;
    counters.d1_sql_ms += sqlMs;
    counters.d1_wait_ms += end - start;
    const query = Array.isArray(args[1]) ? `batch of ${args[1].length}: ${String(args[1][0]).slice(0, 60)}` : String(args[1]).slice(0, 80);
    record({ kind: "d1", label: query.replace(/\s+/g, " "), scope, start, end, statements: results.length, rows_read: read, rows_written: written, sql_ms: sqlMs });
    return answer;
  };
  d1Patched = true;
}

let sqlPatched = false;
let cursors: { rowsRead: number; rowsWritten: number }[] = [];

/**
 * Patches the isolate's SqlStorage so that Durable Object SQLite rows are counted. A cursor's counts are
 * final once it is consumed; the pool's store consumes every cursor at once (toArray, or a write), so they
 * are read a microtask later.
 */
function patchSql(sql: SqlStorage): void {
  if (sqlPatched) return;
  const proto = Object.getPrototypeOf(sql) as { exec: (...args: unknown[]) => { rowsRead: number; rowsWritten: number } };
  const exec = proto.exec;
  proto.exec = function (this: unknown, ...args: unknown[]) {
    const cursor = exec.apply(this, args);
    counters.do_sql_statements++;
    if (cursors.push(cursor) === 1) {
      queueMicrotask(() => {
        for (const c of cursors) {
          counters.do_sql_rows_read += c.rowsRead;
          counters.do_sql_rows_written += c.rowsWritten;
        }
        cursors = [];
      });
    }
    return cursor;
  };
  sqlPatched = true;
}

function meterStub<T extends object>(binding: string, stub: T): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof prop !== "string" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const label = `${binding}.${prop}`;
        counters.do_requests++;
        counters.do_calls[label] = (counters.do_calls[label] ?? 0) + 1;
        const scope = scopeNow();
        const start = performance.now();
        // Reflect.apply, not value.apply: on an RPC stub every property, `apply` too, is a remote method.
        const out = Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        if (timeline) Promise.resolve(out).then(() => record({ kind: "do", label, scope, start, end: performance.now() }), () => {});
        return out;
      };
    },
  });
}

function meterNamespace<T extends object>(binding: string, ns: T): T {
  return new Proxy(ns, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getByName") return (...args: unknown[]) => meterStub(binding, Reflect.apply(value as (...a: unknown[]) => object, target, args));
      return (...args: unknown[]) => Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
    },
  });
}

const wrapped = new WeakMap<object, object>();

/** The env with its Durable Object namespaces counting requests (and D1 patched); the same object each time. */
export function meterEnv<E extends object>(env: E): E {
  const known = wrapped.get(env);
  if (known) return known as E;
  const out: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [name, value] of Object.entries(env)) {
    if (value && typeof (value as { idFromName?: unknown }).idFromName === "function") out[name] = meterNamespace(name, value as object);
    else if (value && typeof (value as { prepare?: unknown }).prepare === "function" && typeof (value as { batch?: unknown }).batch === "function") {
      patchD1(value as D1Database);
    }
  }
  wrapped.set(env, out);
  return out as E;
}

type DurableObjectClass = abstract new (ctx: DurableObjectState, env: any) => object;

/**
 * A subclass of a Durable Object class whose env counts its own requests to other objects, and whose
 * alarms and incoming WebSocket messages are counted.
 */
export function metered<C extends DurableObjectClass>(Base: C): C {
  meteredClasses.push(Base.name);
  const base = Base as unknown as new (ctx: DurableObjectState, env: any) => Record<string, unknown>;
  class Metered extends base {
    constructor(ctx: DurableObjectState, env: object) {
      patchSql(ctx.storage.sql);
      super(ctx, meterEnv(env));
    }
  }
  const proto = Base.prototype as Record<string, unknown>;
  const count = (method: string, counter: "do_alarms" | "do_ws_messages_in") => {
    const original = proto[method];
    if (typeof original !== "function") return;
    Object.defineProperty(Metered.prototype, method, {
      value: function (this: unknown, ...args: unknown[]) {
        counters[counter]++;
        return original.apply(this, args);
      },
      writable: true,
      configurable: true,
    });
  };
  count("alarm", "do_alarms");
  count("webSocketMessage", "do_ws_messages_in");
  return Metered as unknown as C;
}

export const BENCH_PATH = "/api/__bench/";

/**
 * The meter's routes (under /api/, where the Worker runs before static assets):
 *   GET  /api/__bench/meter            the counters (and the timeline, when one was asked for)
 *   POST /api/__bench/meter/reset      zeroes them; `{ "timeline": true }` also starts a timeline
 */
export async function meterRoute(request: Request): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  if (pathname === `${BENCH_PATH}meter` && request.method === "GET") {
    return Response.json({ ...counters, metered_classes: meteredClasses, d1_patched: d1Patched, timeline });
  }
  if (pathname === `${BENCH_PATH}meter/reset` && request.method === "POST") {
    const body = (await request.json().catch(() => ({}))) as { timeline?: boolean };
    counters = zero();
    timeline = body.timeline ? [] : null;
    return Response.json({ ok: true });
  }
  return undefined;
}
