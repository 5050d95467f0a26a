/**
 * A worker at the protocol level: it holds a pool's socket (GET /api/work_pools/{name}/connect), says
 * hello, and reports states over the socket, without starting a process per run. The benchmarks use it
 * where the agent's child-process start-up would hide what they measure (dispatch, fan-in).
 */
import type { PoolMessageOf } from "../protocol/worker-socket";

export type Offer = PoolMessageOf<"offer"> & { arrived_at: number };
type StateResult = PoolMessageOf<"state_result"> & { arrived_at: number };

export class ProtocolWorker {
  #pending = new Map<string, { resolve: (r: StateResult) => void; reject: (e: Error) => void }>();
  #requests = 0;
  #onOffer: (offer: Offer) => void = () => {};
  #closed: Promise<void>;

  private constructor(
    readonly ws: WebSocket,
    readonly name: string,
  ) {
    this.#closed = new Promise((resolve) => ws.addEventListener("close", () => resolve()));
    ws.addEventListener("message", (e) => {
      // Taken first: an offer usually arrives before the answer to the call that created the run.
      const arrived_at = performance.now();
      const msg = JSON.parse(String(e.data)) as PoolMessageOf<"offer" | "state_result" | "error">;
      if (msg.type === "offer") this.#onOffer({ ...msg, arrived_at });
      else if (msg.type === "state_result") this.#settle(msg.request_id, (p) => p.resolve({ ...msg, arrived_at }));
      else if (msg.type === "error") {
        const error = new Error(`${name}: pool said ${msg.code}: ${msg.message}`);
        if (msg.request_id) this.#settle(msg.request_id, (p) => p.reject(error));
        else for (const id of [...this.#pending.keys()]) this.#settle(id, (p) => p.reject(error));
      }
    });
    ws.addEventListener("close", () => {
      for (const id of [...this.#pending.keys()]) this.#settle(id, (p) => p.reject(new Error(`${name}: the pool's socket closed`)));
    });
  }

  /** Connects to the pool's socket and says hello; resolves once welcomed. */
  static async connect(apiBase: string, pool: string, name: string, capacity: number): Promise<ProtocolWorker> {
    const url = `${apiBase.replace(/^http/, "ws")}/work_pools/${encodeURIComponent(pool)}/connect`;
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`${name}: cannot connect to ${url}`)), { once: true });
    });
    const worker = new ProtocolWorker(ws, name);
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.addEventListener("message", function onWelcome(e) {
        const msg = JSON.parse(String(e.data)) as { type: string; message?: string };
        if (msg.type === "welcome") resolve();
        else if (msg.type === "error") reject(new Error(`${name}: hello refused: ${msg.message}`));
        else return;
        ws.removeEventListener("message", onWelcome);
      });
    });
    worker.send({ type: "hello", protocol: 1, name, capacity, heartbeat_interval_seconds: 60 });
    await welcomed;
    return worker;
  }

  onOffer(handler: (offer: Offer) => void): void {
    this.#onOffer = handler;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  ack(offer: Offer): void {
    this.send({ type: "ack", run_id: offer.flow_run.id, lease_token: offer.lease_token });
  }

  /** Reports a state of an offered run; resolves with the pool's answer and when it arrived. */
  state(offer: Offer, type: "RUNNING" | "COMPLETED"): Promise<StateResult> {
    const request_id = `${this.name}-${this.#requests++}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(request_id, { resolve, reject });
      this.send({ type: "state", request_id, run_id: offer.flow_run.id, lease_token: offer.lease_token, state: { type } });
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    await this.#closed;
  }

  #settle(id: string, how: (p: { resolve: (r: StateResult) => void; reject: (e: Error) => void }) => void): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    how(p);
  }
}
