import { SELF } from "cloudflare:test";
import type { PoolMessage, PoolMessageOf } from "../../protocol/worker-socket";

/**
 * A worker's end of the pool socket, over a real WebSocket through the Worker's route. It records
 * every message so a test can wait for the next one of a kind.
 */
export class TestWorker {
  readonly received: PoolMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  #waiting: { match: (m: PoolMessage) => boolean; resolve: (m: PoolMessage) => void }[] = [];
  #seen = 0;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      const msg = JSON.parse(e.data as string) as PoolMessage;
      this.received.push(msg);
      const i = this.#waiting.findIndex((w) => w.match(msg));
      if (i >= 0) this.#waiting.splice(i, 1)[0]!.resolve(msg);
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next message of this type not yet taken by an earlier `next` (waiting for it if needed). */
  next<T extends PoolMessage["type"]>(type: T, timeoutMs = 5000, where: (m: PoolMessageOf<T>) => boolean = () => true): Promise<PoolMessageOf<T>> {
    const match = (m: PoolMessage) => m.type === type && where(m as PoolMessageOf<T>);
    const idx = this.received.findIndex((m, i) => i >= this.#seen && match(m));
    if (idx >= 0) {
      const found = this.received.splice(idx, 1)[0]!;
      return Promise.resolve(found as PoolMessageOf<T>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((m) => m.type))}`)), timeoutMs);
      this.#waiting.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          this.received.splice(this.received.indexOf(m), 1);
          resolve(m as PoolMessageOf<T>);
        },
      });
    });
  }

  /** Messages of a type that arrived and were not taken yet. */
  pending<T extends PoolMessage["type"]>(type: T): PoolMessageOf<T>[] {
    return this.received.filter((m) => m.type === type) as PoolMessageOf<T>[];
  }

  close(code = 1000): void {
    this.ws.close(code, "test done");
  }
}

export async function openSocket(poolName: string, headers: Record<string, string> = {}): Promise<TestWorker> {
  const res = await SELF.fetch(`http://baton.test/api/work_pools/${encodeURIComponent(poolName)}/connect`, { headers: { Upgrade: "websocket", ...headers } });
  if (!res.webSocket) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  return new TestWorker(res.webSocket);
}

/** Connects and says hello; answers once the pool has welcomed the worker. */
export async function connectWorker(poolName: string, hello: Record<string, unknown> = {}): Promise<TestWorker & { worker_id: string }> {
  const w = await openSocket(poolName);
  w.send({ type: "hello", protocol: 1, name: `w-${crypto.randomUUID().slice(0, 8)}`, capacity: 1, ...hello });
  const welcome = await w.next("welcome");
  return Object.assign(w, { worker_id: welcome.worker_id });
}
