import type { PoolMessageOf } from "../../../protocol/worker-socket";
import type { ApiClient } from "../client/http";
import type { Output } from "../output";
import { PoolConnection, type ReportAnswer } from "./connection";
import type { Executor, OfferedRun, RunEnd, RunHandle } from "./executor";
import { finalReport, type Stopping } from "./final-report";
import { describeEnd, runLabel } from "./run-lines";

export interface AgentOptions {
  client: ApiClient;
  pool: string;
  name: string;
  /** Runs at once. */
  limit: number;
  executor: Executor;
  out: Output;
  labels?: Record<string, unknown>;
}

interface ActiveRun {
  offer: OfferedRun;
  handle: RunHandle;
  stopping?: Stopping;
}

/**
 * The worker agent: takes the runs its pool offers (up to `limit` at once), runs each through its
 * executor, and reports what the run could not report itself: CRASHED when its code died, CANCELLED when
 * it was stopped. A run stays listed as held until that last report is answered, so a reconnect in
 * between keeps its lease.
 */
export class WorkerAgent {
  readonly #runs = new Map<string, ActiveRun>();
  /** Offers that came while every slot was taken, acknowledged when one frees (see #wait). */
  readonly #waiting = new Map<string, { offer: OfferedRun; timer: NodeJS.Timeout }>();
  readonly #connection: PoolConnection;
  #draining = false;
  /** Why the last connection attempt failed, said once until the reason changes or a welcome comes. */
  #lastFailure: string | undefined;
  #idle: (() => void)[] = [];
  #welcomed!: (welcome: PoolMessageOf<"welcome">) => void;
  #fail!: (error: Error) => void;
  /** Resolves at the first welcome. */
  readonly ready: Promise<PoolMessageOf<"welcome">>;
  /** Rejects when the connection fails for good (pool deleted, replaced by another worker of the same name). */
  readonly failed: Promise<never>;

  constructor(private readonly options: AgentOptions) {
    this.ready = new Promise((resolve) => (this.#welcomed = resolve));
    this.failed = new Promise<never>((_, reject) => (this.#fail = reject));
    this.failed.catch(() => {});
    this.#connection = new PoolConnection({
      client: options.client,
      pool: options.pool,
      name: options.name,
      labels: options.labels,
      heldRuns: () => [...this.#runs.values()].map((r) => ({ run_id: r.offer.flow_run.id, lease_token: r.offer.lease_token })),
      capacity: () => (this.#draining ? 0 : options.limit),
      events: {
        offer: (offer) => this.#offer(offer),
        cancel: (message) => this.#cancel(message),
        revoke: (message) => this.#stop(message.run_id, "revoke", message.reason),
        welcome: (welcome, reconnected) => this.#welcome(welcome, reconnected),
        disconnected: (reason) => {
          // Offers not acknowledged go back to the pool when the socket closes.
          this.#forgetWaiting();
          options.out.warn(`Lost the connection to the server (${reason}); reconnecting…`);
        },
        retrying: (reason) => {
          if (reason === this.#lastFailure) return;
          this.#lastFailure = reason;
          options.out.warn(`Cannot connect to pool ${options.pool}: ${reason}; trying again…`);
        },
        fatal: (error) => {
          this.#forgetWaiting();
          for (const run of this.#runs.values()) void this.#stop(run.offer.flow_run.id, "lost", error.message);
          this.#fail(error);
        },
      },
    });
  }

  /** Connects; resolves at the first welcome. */
  start(): Promise<PoolMessageOf<"welcome">> {
    this.#connection.connect();
    return Promise.race([this.ready, this.failed]);
  }

  get running(): number {
    return this.#runs.size;
  }

  /** Stops taking work (capacity 0), waits for the runs to finish and be reported, then disconnects. */
  async drain(): Promise<void> {
    this.#draining = true;
    this.#connection.heartbeat();
    this.#releaseWaiting("the worker is stopping");
    await this.#untilIdle();
    this.#connection.close();
  }

  /** Stops every run and reports it CANCELLED; answers how many runs were still unreported after `timeoutMs`. */
  async cancelAll(reason: string, timeoutMs = 15_000): Promise<number> {
    this.#draining = true;
    this.#connection.heartbeat();
    this.#releaseWaiting("the worker is stopping");
    for (const id of [...this.#runs.keys()]) void this.#stop(id, "shutdown", reason);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#untilIdle(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.#connection.close();
    return this.#runs.size;
  }

  #untilIdle(): Promise<void> {
    return this.#runs.size === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  #welcome(welcome: PoolMessageOf<"welcome">, reconnected: boolean): void {
    this.#lastFailure = undefined;
    if (reconnected) this.options.out.success(`Reconnected to pool ${welcome.pool.name}.`);
    for (const id of welcome.runs_lost) this.#stop(id, "lost", "the server took the run back while this worker was away");
    this.#welcomed(welcome);
  }

  #offer(offer: OfferedRun): void {
    const id = offer.flow_run.id;
    if (this.#runs.has(id)) return this.#connection.ack(id, offer.lease_token);
    if (this.#draining) return this.#connection.release(id, offer.lease_token, "the worker is stopping");
    if (this.#runs.size >= this.options.limit) return this.#wait(offer);
    this.#begin(offer);
  }

  /**
   * The pool offers a slot as soon as a run's final state frees it, while the run's process may still be
   * exiting here. Releasing would make the pool offer the run again at once; waiting for the slot, up to
   * the offer's deadline, does not.
   */
  #wait(offer: OfferedRun): void {
    const { id } = offer.flow_run;
    const ms = Math.max(0, Date.parse(offer.ack_by) - Date.now() - 1_000);
    const timer = setTimeout(() => {
      this.#waiting.delete(id);
      this.#connection.release(id, offer.lease_token, "the worker stayed full");
    }, ms);
    this.#waiting.set(id, { offer, timer });
  }

  #releaseWaiting(reason: string): void {
    for (const { offer } of this.#waiting.values()) this.#connection.release(offer.flow_run.id, offer.lease_token, reason);
    this.#forgetWaiting();
  }

  #forgetWaiting(): void {
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
  }

  #begin(offer: OfferedRun): void {
    const id = offer.flow_run.id;
    this.#connection.ack(id, offer.lease_token);
    const handle = this.options.executor.start(offer);
    const run: ActiveRun = { offer, handle };
    this.#runs.set(id, run);
    this.options.out.step(`Started ${runLabel(offer)}${handle.pid ? ` (pid ${handle.pid})` : ""}`);
    void handle.done.then((end) => this.#finish(run, end));
  }

  #cancel(message: PoolMessageOf<"cancel">): void {
    if (this.#runs.has(message.run_id)) return void this.#stop(message.run_id, "cancel", message.reason);
    // Not running here (any more): confirm, so the run does not wait out the cancellation timeout.
    void this.#connection.report(message.run_id, message.lease_token, { type: "CANCELLED", message: message.reason, state_details: {} });
  }

  #stop(runId: string, kind: Stopping["kind"], reason: string): Promise<void> | undefined {
    const run = this.#runs.get(runId);
    if (!run) return;
    run.stopping ??= { kind, reason };
    const verb = kind === "cancel" || kind === "shutdown" ? "Cancelling" : "Stopping";
    this.options.out.warn(`${verb} ${runLabel(run.offer)}: ${reason}`);
    return run.handle.stop();
  }

  async #finish(run: ActiveRun, end: RunEnd): Promise<void> {
    const { offer } = run;
    const state = await finalReport(this.options.client, offer.flow_run.id, run.stopping, end);
    let answer: ReportAnswer | undefined;
    if (state) answer = await this.#connection.report(offer.flow_run.id, offer.lease_token, state);
    const line = describeEnd(offer, end, state, answer);
    this.options.out[line.level](line.text);
    this.#runs.delete(offer.flow_run.id);
    const [next] = this.#waiting.values();
    if (next && !this.#draining) {
      clearTimeout(next.timer);
      this.#waiting.delete(next.offer.flow_run.id);
      this.#begin(next.offer);
    }
    if (this.#runs.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}
