import type { StreamClientMessage, StreamServerMessage } from "../../../protocol/events-stream";

/*
 * The page's one WebSocket to /api/events/stream. Pages subscribe to topics; the stream sends the server
 * the union of every subscriber's topics and hands each message to the subscribers it concerns. If the
 * socket drops it reconnects with backoff and then tells every subscriber to reload over REST, since
 * changes made while it was away were never sent (the stream carries changes, REST carries state).
 */

export type Topic = "flow_runs" | "workers" | "events" | `flow_run:${string}`;
export type LiveStatus = "idle" | "connecting" | "live" | "reconnecting";

export interface Subscriber {
  topics: readonly Topic[];
  onMessage(message: StreamServerMessage): void;
  /** The socket came back after a drop: reload what is shown. */
  onReconnect?(): void;
}

/** The part of a WebSocket the stream uses, so tests can hand it a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

export interface StreamDeps {
  /** Opens a socket; `ticket` is null when the server needs no key. */
  open(ticket: string | null): SocketLike;
  /** Resolves with a ticket (null without auth); rejects when none can be had right now. */
  getTicket(): Promise<string | null>;
  onStatus?(status: LiveStatus): void;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
  random?(): number;
}

const OPEN = 1;
export const PING_MS = 25_000;

/** Delay before reconnect attempt `attempt` (0-based): doubling from 0.5 s up to 15 s, with jitter so tabs spread out. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Whether a server message concerns someone following `topics`. */
export function concerns(message: StreamServerMessage, topics: readonly Topic[]): boolean {
  switch (message.type) {
    case "flow_run":
      return topics.includes("flow_runs") || topics.includes(`flow_run:${message.flow_run.id}`);
    case "task_runs":
    case "logs":
      return topics.includes(`flow_run:${message.flow_run_id}`);
    case "worker":
      return topics.includes("workers");
    case "event":
      return topics.includes("events");
    case "welcome":
    case "error":
      return false;
  }
}

export function createLiveStream(deps: StreamDeps) {
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const subscribers = new Set<Subscriber>();
  let socket: SocketLike | null = null;
  // Set from the first subscription on: the stream then keeps itself connected (or retrying) until stop().
  let started = false;
  let attempt = 0;
  let everConnected = false;
  let retryTimer: unknown = null;
  let pingTimer: unknown = null;
  let status: LiveStatus = "idle";
  // Bumped by stop(): a connect() that was waiting for its ticket then gives up instead of opening a socket.
  let generation = 0;

  const setStatus = (next: LiveStatus) => {
    if (next === status) return;
    status = next;
    deps.onStatus?.(next);
  };

  const allTopics = (): Topic[] => [...new Set([...subscribers].flatMap((s) => s.topics))].slice(0, 50);

  const send = (message: StreamClientMessage) => {
    if (socket?.readyState === OPEN) socket.send(JSON.stringify(message));
  };

  const sendTopics = () => send({ type: "subscribe", topics: allTopics() });

  const schedulePing = () => {
    pingTimer = setTimer(() => {
      send({ type: "ping" });
      schedulePing();
    }, PING_MS);
  };

  function retry() {
    socket = null;
    if (pingTimer !== null) clearTimer(pingTimer);
    pingTimer = null;
    setStatus("reconnecting");
    retryTimer = setTimer(() => {
      retryTimer = null;
      void connect();
    }, backoffMs(attempt++, deps.random));
  }

  async function connect() {
    const own = generation;
    setStatus(everConnected ? "reconnecting" : "connecting");
    let ticket: string | null;
    try {
      ticket = await deps.getTicket();
    } catch {
      if (own === generation) retry();
      return;
    }
    if (own !== generation) return;
    const ws = deps.open(ticket);
    socket = ws;
    ws.onopen = () => {
      const reconnected = everConnected;
      everConnected = true;
      attempt = 0;
      setStatus("live");
      sendTopics();
      schedulePing();
      if (reconnected) for (const s of [...subscribers]) s.onReconnect?.();
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      let message: StreamServerMessage;
      try {
        message = JSON.parse(event.data) as StreamServerMessage;
      } catch {
        return;
      }
      if (message.type === "error") console.warn(`live stream: ${message.message}`);
      for (const s of [...subscribers]) if (concerns(message, s.topics)) s.onMessage(message);
    };
    ws.onclose = () => {
      if (socket === ws) retry();
    };
    ws.onerror = () => ws.close();
  }

  return {
    /** Follows `subscriber.topics` until the returned function is called. Opens the socket on first use. */
    subscribe(subscriber: Subscriber): () => void {
      subscribers.add(subscriber);
      if (started) sendTopics();
      else {
        started = true;
        void connect();
      }
      return () => {
        subscribers.delete(subscriber);
        sendTopics();
      };
    },
    /**
     * Opens the socket ahead of the first subscription (the app's shell does, while a page's code loads), so
     * that a page's subscription is in effect before its REST load is asked: a change made between the two
     * would otherwise be in neither.
     */
    warm(): void {
      if (started) return;
      started = true;
      void connect();
    },
    /**
     * Closes the socket and stops reconnecting, until the next subscription opens a new one. On log-out a
     * socket opened with the key must not outlive it, and on the login page retries would only earn 401s.
     */
    stop(): void {
      generation++;
      started = false;
      everConnected = false;
      attempt = 0;
      if (retryTimer !== null) clearTimer(retryTimer);
      if (pingTimer !== null) clearTimer(pingTimer);
      retryTimer = pingTimer = null;
      const ws = socket;
      socket = null; // before close(), so its onclose does not retry
      ws?.close();
      setStatus("idle");
    },
    status: () => status,
  };
}

export type LiveStream = ReturnType<typeof createLiveStream>;
