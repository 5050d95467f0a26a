import { randomUUID } from "node:crypto";
import * as v from "valibot";
import type { OrchestrationResult, StateCreate } from "../../../protocol/states";
import {
  CLOSE_CODES,
  PoolMessage,
  WORKER_PROTOCOL_VERSION,
  type HeldRun,
  type PoolMessageOf,
  type WorkerMessage,
} from "../../../protocol/worker-socket";
import { backoffMs, HttpError, NotBatonApiError, type ApiClient, type RetryPolicy } from "../client/http";
import { VERSION } from "../version";

/** What the server said to a state report: its orchestration result, or that this worker no longer holds the run. */
export type ReportAnswer = OrchestrationResult | { status: "LEASE_LOST"; reason: string };

export interface ConnectionEvents {
  offer(message: PoolMessageOf<"offer">): void;
  cancel(message: PoolMessageOf<"cancel">): void;
  revoke(message: PoolMessageOf<"revoke">): void;
  /** After every hello: runs_lost are runs this worker listed but must stop. */
  welcome(message: PoolMessageOf<"welcome">, reconnected: boolean): void;
  /** The socket closed; the connection is trying again. */
  disconnected(reason: string): void;
  /** A connection attempt failed for a reason that may pass (no server, a 5xx); the next one follows. */
  retrying(reason: string): void;
  /** The connection gave up for good (pool deleted, worker replaced, key refused, no Baton API at the URL). */
  fatal(error: Error): void;
}

export interface ConnectionOptions {
  client: ApiClient;
  pool: string;
  name: string;
  labels?: Record<string, unknown>;
  heartbeatSeconds?: number;
  /** Runs this worker holds, listed in each hello so that a reconnect keeps them. */
  heldRuns(): HeldRun[];
  capacity(): number;
  events: ConnectionEvents;
}

/**
 * Kept under the pool's 10 s reconnect grace (worker/pool/timing.ts) even with jitter, so that a worker
 * that comes back after a server restart still finds its runs.
 */
const RECONNECT: RetryPolicy = { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5_000 };

type PendingReport = { run_id: string; lease_token: string; state: StateCreate; resolve: (answer: ReportAnswer) => void };

/**
 * The worker's socket to its pool: hello, heartbeats, offers, cancellations and state reports. It
 * reconnects with backoff whenever the socket goes away; state reports made meanwhile wait and are sent
 * after the next welcome, so a run's reports survive a server restart.
 */
export class PoolConnection {
  #ws: WebSocket | undefined;
  #open = false;
  #closed = false;
  #attempt = 0;
  #welcomed = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** Reports sent and not yet answered, by request id; resent after a reconnect. */
  #reports = new Map<string, PendingReport>();

  constructor(private readonly options: ConnectionOptions) {}

  get connected(): boolean {
    return this.#open;
  }

  connect(): void {
    void this.#dial();
  }

  async #dial(): Promise<void> {
    if (this.#closed) return;
    let url: string;
    try {
      url = await this.#url();
    } catch (error) {
      return this.#failedToDial(error);
    }
    if (this.#closed) return;
    const ws = new WebSocket(url);
    this.#ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      opened = true;
      this.#open = true;
      this.#send({
        type: "hello",
        protocol: WORKER_PROTOCOL_VERSION,
        name: this.options.name,
        capacity: this.options.capacity(),
        labels: this.options.labels ?? {},
        sdk_version: VERSION,
        heartbeat_interval_seconds: this.options.heartbeatSeconds ?? 10,
        runs: this.options.heldRuns(),
      });
    });
    ws.addEventListener("message", (event) => this.#receive(event.data));
    ws.addEventListener("close", (event) => {
      if (this.#ws !== ws) return;
      this.#open = false;
      this.#ws = undefined;
      clearInterval(this.#heartbeat);
      if (this.#closed) return;
      if (event.code === CLOSE_CODES.poolGone) return this.#giveUp(new Error(`work pool ${this.options.pool} was deleted`));
      if (event.code === CLOSE_CODES.replaced) {
        return this.#giveUp(new Error(`another worker named ${this.options.name} connected to pool ${this.options.pool} and took over`));
      }
      if (!opened) return void this.#failedToDial();
      this.options.events.disconnected(event.reason || `socket closed (${event.code})`);
      this.#scheduleRetry();
    });
  }

  /** Browsers' and Node's WebSocket cannot send headers: with a key, the socket carries a one-minute ticket. */
  async #url(): Promise<string> {
    const url = new URL(this.options.client.socketUrl(this.options.pool));
    if (this.options.client.config.apiKey) {
      const { ticket } = await this.options.client.post<{ ticket: string | null }>("/auth/ticket", {}, { timeoutMs: 5_000 });
      if (ticket) url.searchParams.set("ticket", ticket);
    }
    return url.toString();
  }

  /**
   * A dial that failed (`error` when asking for a ticket did; none when the socket closed unopened, which
   * says nothing, so the pool's own route is asked why). Tries again while the cause may pass: no server,
   * a 5xx. A missing pool, a refused key or no Baton API at the URL would fail forever: it gives up.
   */
  async #failedToDial(error?: unknown): Promise<void> {
    if (this.#closed) return;
    const why =
      error ??
      (await this.options.client.get(`/work_pools/${encodeURIComponent(this.options.pool)}`, { timeoutMs: 5_000 }).then(
        () => undefined,
        (e: unknown) => e,
      ));
    if (this.#closed) return;
    if (why !== undefined && !mayPass(why)) return this.#giveUp(new Error(failure(why)));
    this.options.events.retrying(why === undefined ? `the socket to ${this.options.client.socketUrl(this.options.pool)} did not open` : failure(why));
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#dial(), backoffMs(RECONNECT, this.#attempt++));
  }

  #giveUp(error: Error): void {
    this.close();
    this.options.events.fatal(error);
  }

  #receive(data: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return;
    }
    // A message this version does not know (a newer server) is skipped rather than fatal.
    const parsed = v.safeParse(PoolMessage, json);
    if (!parsed.success) return;
    const message = parsed.output;
    switch (message.type) {
      case "welcome":
        return this.#welcome(message);
      case "offer":
        return this.options.events.offer(message);
      case "cancel":
        return this.options.events.cancel(message);
      case "revoke":
        return this.options.events.revoke(message);
      case "state_result":
        return this.#answer(message.request_id, message.result);
      case "error":
        if (message.request_id && (message.code === "lease_lost" || message.code === "unknown_run")) {
          this.#answer(message.request_id, { status: "LEASE_LOST", reason: message.message });
        }
        return;
    }
  }

  #welcome(message: PoolMessageOf<"welcome">): void {
    this.#attempt = 0;
    clearInterval(this.#heartbeat);
    const seconds = message.heartbeat_interval_seconds;
    this.#heartbeat = setInterval(() => this.#send({ type: "heartbeat", capacity: this.options.capacity() }), seconds * 1000);
    const lost = new Set(message.runs_lost);
    for (const [id, report] of this.#reports) {
      if (lost.has(report.run_id)) this.#answer(id, { status: "LEASE_LOST", reason: "the run was taken back while this worker was away" });
    }
    this.options.events.welcome(message, this.#welcomed++ > 0);
    for (const [id, report] of this.#reports) this.#sendReport(id, report);
  }

  #answer(requestId: string, answer: ReportAnswer): void {
    const report = this.#reports.get(requestId);
    if (!report) return;
    this.#reports.delete(requestId);
    report.resolve(answer);
  }

  #send(message: WorkerMessage): boolean {
    if (!this.#open || !this.#ws) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  #sendReport(requestId: string, report: PendingReport): void {
    this.#send({ type: "state", request_id: requestId, run_id: report.run_id, lease_token: report.lease_token, state: report.state });
  }

  /** Reports a state of a held run; waits through disconnections until the server answers. */
  report(runId: string, leaseToken: string, state: StateCreate): Promise<ReportAnswer> {
    return new Promise((resolve) => {
      const requestId = randomUUID();
      const report = { run_id: runId, lease_token: leaseToken, state, resolve };
      this.#reports.set(requestId, report);
      // Before the first welcome the hello is still on its way; reports go out after it.
      if (this.#open && this.#welcomed > 0) this.#sendReport(requestId, report);
    });
  }

  ack(runId: string, leaseToken: string): void {
    this.#send({ type: "ack", run_id: runId, lease_token: leaseToken });
  }

  release(runId: string, leaseToken: string, reason: string): void {
    this.#send({ type: "release", run_id: runId, lease_token: leaseToken, reason });
  }

  /** Tells the pool the capacity changed (0 when the worker stops taking work). */
  heartbeat(): void {
    this.#send({ type: "heartbeat", capacity: this.options.capacity() });
  }

  /** Closes the socket for good; reports still unanswered then stay so (see `unanswered`). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    this.#open = false;
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.close(1000, "worker stopping");
  }

  /** Reports still waiting for an answer (the server was away). */
  get unanswered(): number {
    return this.#reports.size;
  }
}

/** Whether a failed connection attempt may succeed later: the server is away or failing, not refusing. */
function mayPass(error: unknown): boolean {
  if (error instanceof NotBatonApiError) return false;
  if (error instanceof HttpError) return error.status >= 500 || error.status === 408 || error.status === 429;
  return true;
}

/** Why an attempt failed, in a sentence: refusals and wrong URLs in their own words (client/problems.ts). */
function failure(error: unknown): string {
  if (error instanceof HttpError && !error.explanation) {
    return error.status === 404 ? error.detail : `the server answered ${error.status}${error.detail ? `: ${error.detail}` : ""} (${error.method} ${error.url})`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
