import { SELF } from "cloudflare:test";
import type { StreamServerMessage } from "../../protocol/events-stream";

type Msg = StreamServerMessage;
type MsgOf<T extends Msg["type"]> = Extract<Msg, { type: T }>;

/**
 * A dashboard's end of the live stream, over a real WebSocket through the Worker's route. Every test
 * shares the one hub (other tests' events arrive too), so waits always say which run or worker.
 */
export class StreamClient {
  readonly received: Msg[] = [];
  closed: { code: number } | null = null;
  #waiting: { match: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      const msg = JSON.parse(e.data as string) as Msg;
      const i = this.#waiting.findIndex((w) => w.match(msg));
      if (i >= 0) this.#waiting.splice(i, 1)[0]!.resolve(msg);
      else this.received.push(msg);
    });
    ws.addEventListener("close", (e) => void (this.closed = { code: e.code }));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next message of this type matching `where` (taken from those received, or waited for). */
  next<T extends Msg["type"]>(type: T, where: (m: MsgOf<T>) => boolean = () => true, timeoutMs = 5000): Promise<MsgOf<T>> {
    const match = (m: Msg) => m.type === type && where(m as MsgOf<T>);
    const idx = this.received.findIndex(match);
    if (idx >= 0) return Promise.resolve(this.received.splice(idx, 1)[0] as MsgOf<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching ${type} within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`)), timeoutMs);
      this.#waiting.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m as MsgOf<T>)) });
    });
  }

  /**
   * Subscribes and waits until the hub has applied it: the hub handles a socket's messages in order,
   * so the answer to a deliberately bad message comes after the subscription took effect.
   */
  async subscribe(topics: string[]): Promise<void> {
    this.send({ type: "subscribe", topics });
    this.send({ type: "barrier" });
    await this.next("error", (m) => m.message.includes("type"));
  }

  close(): void {
    this.ws.close(1000, "test done");
  }
}

export async function openStream(query = "", headers: Record<string, string> = {}): Promise<StreamClient> {
  const res = await SELF.fetch(`http://baton.test/api/events/stream${query}`, { headers: { Upgrade: "websocket", ...headers } });
  if (!res.webSocket) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  const client = new StreamClient(res.webSocket);
  await client.next("welcome");
  return client;
}

export const isRun = (id: string) => (m: MsgOf<"flow_run">) => m.flow_run.id === id;
