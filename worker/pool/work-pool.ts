import { DurableObject } from "cloudflare:workers";
import { createDb, type Db } from "../db/client";
import { leasesOf, nextDueTime, type ClaimedRun } from "../db/pool-runs";
import { upsertPoolWorker } from "../db/workers";
import { isTerminal } from "../../protocol/states";
import type { Env } from "../env";
import { nextAlarm } from "./alarm";
import type { Pool, PollWaiter } from "./context";
import { dispatchOnce } from "./dispatch";
import { handleMessage } from "./messages";
import { loseRun, reap } from "./reaper";
import { attachment, close, liveSockets, send } from "./sockets";
import { nudgePools } from "./notify";
import { afterStateChange, type RunChange } from "./state-changes";
import { workerStatus, type StreamEvent } from "../stream/events";
import { publish } from "../stream/publish";
import { PoolStore } from "./store";
import { MAX_POLL_WAIT_MS } from "./timing";

/** Header the Worker's connect route sets on the upgrade it forwards: which pool this object is. */
export const POOL_ID_HEADER = "x-baton-pool-id";

export type PollRequest = { worker_name: string; limit: number; wait_ms: number; heartbeat_interval_seconds: number };

/**
 * One object per work pool (named by the pool's id). It holds the pool's worker sockets with the
 * Hibernation API (an idle pool costs nothing), hands due runs out, and takes them back from workers
 * that go away. The class only wires events to the helpers beside it: dispatch.ts, messages.ts,
 * reaper.ts, state-changes.ts; what it remembers is in store.ts.
 */
export class WorkPool extends DurableObject<Env> implements Pool {
  readonly durable: DurableObjectState;
  readonly db: Db;
  readonly store: PoolStore;
  readonly waiters: PollWaiter[] = [];
  readonly slowUntil = new Map<string, number>();
  #pass: Promise<void> | null = null;
  #again = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.durable = ctx;
    this.db = createDb(env.DB);
    this.store = new PoolStore(ctx.storage.sql);
    this.#graceAfterRestart();
  }

  /**
   * After a restart (a deploy, a local server restart) every socket is gone without a close event.
   * Their workers get the reconnect grace from now, not from their last beat, so that a server
   * restart never crashes runs whose workers are still alive and about to reconnect.
   */
  #graceAfterRestart(): void {
    const live = liveSockets(this.ctx);
    const now = Date.now();
    for (const w of this.store.workers()) {
      if (w.kind === "socket" && w.lost_at === null && !live.has(w.worker_id)) this.store.saveWorker({ ...w, lost_at: now });
    }
  }

  poolId(): string | null {
    return this.store.getMeta("pool_id");
  }

  #adopt(poolId: string): void {
    if (this.poolId() !== poolId) this.store.setMeta("pool_id", poolId);
  }

  dispatch(): Promise<void> {
    if (this.#pass) {
      this.#again = true;
      return this.#pass;
    }
    this.#pass = (async () => {
      try {
        // A nudge during any await of the pass, reading the next due time included, runs it again:
        // a run created meanwhile is due now, so that read does not see it and no alarm would.
        do {
          this.#again = false;
          await dispatchOnce(this);
          if (this.#again) continue;
          const poolId = this.poolId();
          const next = poolId ? await nextDueTime(this.db, poolId, new Date().toISOString()) : null;
          this.store.setMeta("next_due", next === null ? null : String(next));
        } while (this.#again);
      } finally {
        this.#pass = null;
      }
      await this.rearm();
    })();
    return this.#pass;
  }

  stream(events: StreamEvent[]): void {
    if (events.length > 0) this.ctx.waitUntil(publish(this.env, events));
  }

  nudge(poolId: string): void {
    this.ctx.waitUntil(nudgePools(this.env, [poolId]));
  }

  async rearm(): Promise<void> {
    const sockets = liveSockets(this.ctx);
    const holders = new Set(this.store.heldRuns().map((h) => h.worker_id));
    const due = this.store.getMeta("next_due");
    const at = nextAlarm({
      heldDeadline: this.store.nextDeadline(),
      workers: this.store.workers().map((worker) => ({ worker, connected: sockets.has(worker.worker_id), holdsRuns: holders.has(worker.worker_id) })),
      nextDue: due === null ? null : Number(due),
    });
    const current = await this.ctx.storage.getAlarm();
    if (at === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current !== at) {
      await this.ctx.storage.setAlarm(at);
    }
  }

  /** The worker socket: the Worker's route checked the key and the pool, and names the pool in a header. */
  override async fetch(request: Request): Promise<Response> {
    const poolId = request.headers.get(POOL_ID_HEADER);
    if (!poolId || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    this.#adopt(poolId);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ worker_id: null, name: null });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    try {
      await handleMessage(this, ws, message);
    } catch (e) {
      console.error("work pool: message failed", e);
      send(ws, { type: "error", code: "internal", message: "the server failed to handle this message; try again" });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    close(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
    await this.#socketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.#socketGone(ws);
  }

  /** The worker has RECONNECT_GRACE_MS to come back; offers it never acknowledged go back at once. */
  async #socketGone(ws: WebSocket): Promise<void> {
    const { worker_id, name, replaced } = attachment(ws);
    if (!worker_id || replaced || liveSockets(this.ctx).has(worker_id)) return;
    const w = this.store.worker(worker_id);
    if (w) this.store.saveWorker({ ...w, lost_at: Date.now() });
    for (const held of this.store.heldBy(worker_id)) {
      if (held.phase === "offered") await loseRun(this, held, `worker ${name ?? worker_id} disconnected`);
    }
    await this.dispatch();
  }

  override async alarm(): Promise<void> {
    await reap(this, Date.now());
    await this.dispatch();
  }

  /** Runs of this pool were created or became due. */
  async poke(poolId: string): Promise<void> {
    this.#adopt(poolId);
    await this.dispatch();
  }

  /** A run of this pool changed state through the REST API. */
  async runChanged(poolId: string, change: RunChange): Promise<void> {
    this.#adopt(poolId);
    await afterStateChange(this, change.run_id, change);
  }

  /**
   * The cron's safety net: forgets runs that finished without the object hearing of it, takes back
   * what is overdue, and dispatches.
   */
  async tick(poolId: string): Promise<void> {
    this.#adopt(poolId);
    const held = this.store.heldRuns();
    const leases = await leasesOf(this.db, held.map((h) => h.run_id));
    for (const h of held) {
      const now = leases.get(h.run_id);
      if (!now || now.lease_token !== h.lease_token || isTerminal(now.state_type as never)) this.store.drop(h.run_id);
    }
    await reap(this, Date.now());
    await this.dispatch();
  }

  /** get_scheduled_flow_runs: claims up to `limit` due runs for a polling worker, waiting up to wait_ms for some. */
  async poll(poolId: string, req: PollRequest): Promise<ClaimedRun[] | null> {
    this.#adopt(poolId);
    const workerId = await upsertPoolWorker(this.db, poolId, req.worker_name, req.heartbeat_interval_seconds, {});
    if (!workerId) return null;
    const known = this.store.worker(workerId);
    if (!known) this.stream(workerStatus(poolId, workerId, req.worker_name, "ONLINE"));
    const kind = known?.kind === "socket" && liveSockets(this.ctx).has(workerId) ? "socket" : "poll";
    const heartbeat_ms = req.heartbeat_interval_seconds * 1000;
    this.store.saveWorker({ worker_id: workerId, name: req.worker_name, kind, capacity: known?.capacity ?? 0, heartbeat_ms, last_beat: Date.now(), lost_at: null });
    let wake = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const waiter: PollWaiter = { worker_id: workerId, limit: req.limit, claimed: [], wake };
    this.waiters.push(waiter);
    try {
      await this.dispatch();
      const wait = Math.min(req.wait_ms, MAX_POLL_WAIT_MS);
      if (waiter.claimed.length === 0 && wait > 0) await Promise.race([woken, new Promise((r) => setTimeout(r, wait))]);
    } finally {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
    }
    return waiter.claimed;
  }
}
