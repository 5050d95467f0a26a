import { DurableObject } from "cloudflare:workers";
import { STREAM_PROTOCOL_VERSION } from "../../protocol/events-stream";
import type { Env } from "../env";
import type { StreamEvent } from "./events";
import { parseClientMessage, send, topicsOf, type StreamAttachment } from "./sockets";

/**
 * The dashboard's live stream: one object (named "events") holding every browser's socket with the
 * Hibernation API, so an idle dashboard costs nothing. Publishers hand it small batches of events
 * over RPC; it forwards each to the sockets that follow one of its topics. It stores nothing: a
 * page that reconnects reloads what it shows over REST.
 */
export class EventHub extends DurableObject<Env> {
  /** The stream route checked the key and the upgrade; the page subscribes once it is welcomed. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ topics: [] } satisfies StreamAttachment);
    send(server, { type: "welcome", protocol: STREAM_PROTOCOL_VERSION });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const msg = parseClientMessage(raw);
    // A mistaken message is answered, never punished: the socket and its subscription stay.
    if (typeof msg === "string") return send(ws, { type: "error", message: msg });
    if (msg.type === "subscribe") ws.serializeAttachment({ topics: [...new Set(msg.topics.map((t) => t.toLowerCase()))] } satisfies StreamAttachment);
    // ping: receiving it is the point (it keeps proxies from closing an idle socket).
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  /** RPC from publishers: each event goes to the sockets following any of its topics, in order. */
  async publish(events: StreamEvent[]): Promise<void> {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return;
    for (const ws of sockets) {
      const topics = new Set(topicsOf(ws));
      if (topics.size === 0) continue;
      for (const e of events) if (e.topics.some((t) => topics.has(t))) send(ws, e.message);
    }
  }
}
