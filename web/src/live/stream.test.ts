import { describe, expect, it, vi } from "vitest";
import type { StreamServerMessage } from "../../../protocol/events-stream";
import { backoffMs, concerns, createLiveStream, type SocketLike } from "./stream";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor(readonly ticket: string | null) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
    this.onclose?.(new Event("close") as CloseEvent);
  }
  accept() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  deliver(message: StreamServerMessage) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }
}

const RUN = "0b0f2a4e-1111-4222-8333-444455556666";
const change = (id: string): StreamServerMessage => ({
  type: "flow_run",
  flow_run: { id, state_type: "RUNNING", state_name: "Running", timestamp: "2026-01-01T00:00:00Z" },
});

function setup(ticket: string | null = null) {
  const sockets: FakeSocket[] = [];
  const timers: (() => void)[] = [];
  const statuses: string[] = [];
  const stream = createLiveStream({
    getTicket: async () => ticket,
    open: (t) => {
      const s = new FakeSocket(t);
      sockets.push(s);
      return s;
    },
    onStatus: (s) => statuses.push(s),
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => {},
    random: () => 0.5,
  });
  return { stream, sockets, timers, statuses };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("live stream", () => {
  it("opens one socket with the ticket and subscribes to the union of topics", async () => {
    const { stream, sockets } = setup("t1");
    stream.subscribe({ topics: ["flow_runs"], onMessage: () => {} });
    stream.subscribe({ topics: [`flow_run:${RUN}`], onMessage: () => {} });
    await flush();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.ticket).toBe("t1");
    sockets[0]!.accept();
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: "subscribe", topics: ["flow_runs", `flow_run:${RUN}`] });
  });

  it("opens ahead of any subscription when warmed, so a page's subscribe goes out at once", async () => {
    const { stream, sockets } = setup();
    stream.warm();
    stream.warm();
    await flush();
    expect(sockets).toHaveLength(1);
    sockets[0]!.accept();
    stream.subscribe({ topics: ["flow_runs"], onMessage: () => {} });
    // Sent while subscribing, before the page's REST load is asked for.
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: "subscribe", topics: ["flow_runs"] });
    expect(sockets).toHaveLength(1);
  });

  it("hands each message only to the subscribers it concerns", async () => {
    const { stream, sockets } = setup();
    const all = vi.fn();
    const one = vi.fn();
    stream.subscribe({ topics: ["flow_runs"], onMessage: all });
    stream.subscribe({ topics: [`flow_run:${RUN}`], onMessage: one });
    await flush();
    sockets[0]!.accept();
    sockets[0]!.deliver(change("0b0f2a4e-1111-4222-8333-000000000000"));
    sockets[0]!.deliver({ type: "logs", flow_run_id: RUN, count: 3, latest: "x" });
    expect(all).toHaveBeenCalledTimes(1);
    expect(one).toHaveBeenCalledTimes(1);
    expect(one.mock.calls[0]![0].type).toBe("logs");
  });

  it("drops topics of those who leave", async () => {
    const { stream, sockets } = setup();
    stream.subscribe({ topics: ["flow_runs"], onMessage: () => {} });
    const leave = stream.subscribe({ topics: ["workers"], onMessage: () => {} });
    await flush();
    sockets[0]!.accept();
    leave();
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: "subscribe", topics: ["flow_runs"] });
  });

  it("reconnects after a drop, resubscribes and tells subscribers to reload", async () => {
    const { stream, sockets, timers, statuses } = setup();
    const reload = vi.fn();
    stream.subscribe({ topics: ["flow_runs"], onMessage: () => {}, onReconnect: reload });
    await flush();
    sockets[0]!.accept();
    expect(reload).not.toHaveBeenCalled();
    sockets[0]!.close();
    expect(statuses.at(-1)).toBe("reconnecting");
    timers.at(-1)!();
    await flush();
    expect(sockets).toHaveLength(2);
    sockets[1]!.accept();
    expect(reload).toHaveBeenCalledTimes(1);
    expect(sockets[1]!.sent.at(-1)).toEqual({ type: "subscribe", topics: ["flow_runs"] });
    expect(statuses.at(-1)).toBe("live");
  });

  it("retries when no ticket can be had", async () => {
    let fail = true;
    const timers: (() => void)[] = [];
    const sockets: FakeSocket[] = [];
    const stream = createLiveStream({
      getTicket: async () => {
        if (fail) throw new Error("offline");
        return null;
      },
      open: (t) => {
        const s = new FakeSocket(t);
        sockets.push(s);
        return s;
      },
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
    });
    stream.subscribe({ topics: ["flow_runs"], onMessage: () => {} });
    await flush();
    expect(sockets).toHaveLength(0);
    fail = false;
    timers.at(-1)!();
    await flush();
    expect(sockets).toHaveLength(1);
  });
});

describe("backoffMs and concerns", () => {
  it("doubles up to a cap", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 10].map((a) => backoffMs(a, mid))).toEqual([500, 1000, 2000, 15000]);
  });
  it("routes worker messages to the workers topic", () => {
    const msg: StreamServerMessage = { type: "worker", work_pool_id: "p", worker_id: "w", name: "n", status: "ONLINE" };
    expect(concerns(msg, ["workers"])).toBe(true);
    expect(concerns(msg, ["flow_runs"])).toBe(false);
  });

  it("stops on demand: closes the socket, retries nothing, and opens afresh on the next subscription", async () => {
    const { stream, sockets, timers, statuses } = setup("t1");
    const unsubscribe = stream.subscribe({ topics: ["flow_runs"], onMessage: () => {} });
    await flush();
    sockets[0]!.accept();
    unsubscribe();
    stream.stop();
    expect(sockets[0]!.readyState).toBe(3);
    expect(statuses.at(-1)).toBe("idle");
    expect(timers).toHaveLength(1); // the ping timer only, never a reconnect
    const reconnected = vi.fn();
    stream.subscribe({ topics: ["workers"], onMessage: () => {}, onReconnect: reconnected });
    await flush();
    expect(sockets).toHaveLength(2);
    sockets[1]!.accept();
    expect(sockets[1]!.sent.at(-1)).toEqual({ type: "subscribe", topics: ["workers"] });
    // A fresh start, not a reconnect: the page loads what it shows anyway.
    expect(reconnected).not.toHaveBeenCalled();
  });

  it("opens no socket when stopped while waiting for its ticket", async () => {
    let give: (t: string) => void = () => {};
    const sockets: FakeSocket[] = [];
    const stream = createLiveStream({
      getTicket: () => new Promise<string>((r) => (give = r)),
      open: (t) => {
        const s = new FakeSocket(t);
        sockets.push(s);
        return s;
      },
      setTimer: () => 0,
      clearTimer: () => {},
    });
    stream.subscribe({ topics: ["flow_runs"], onMessage: () => {} });
    stream.stop();
    give("late");
    await flush();
    expect(sockets).toHaveLength(0);
    expect(stream.status()).toBe("idle");
  });
});
