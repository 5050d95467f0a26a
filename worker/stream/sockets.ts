import * as v from "valibot";
import { StreamClientMessage, type StreamServerMessage } from "../../protocol/events-stream";

/*
 * The hub's browser sockets. What a socket follows lives in its attachment, so subscriptions survive
 * the hub hibernating between events.
 */

/** Browsers only send subscribe and ping: anything longer is a mistake. */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

export type StreamAttachment = { topics: string[] };

export function topicsOf(ws: WebSocket): string[] {
  return (ws.deserializeAttachment() as StreamAttachment | null)?.topics ?? [];
}

export function send(ws: WebSocket, message: StreamServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // Closed under us; the runtime drops the socket.
  }
}

/** The client's message, or the reason it is not one (answered as an `error` message). */
export function parseClientMessage(raw: string | ArrayBuffer): StreamClientMessage | string {
  if (typeof raw !== "string") return "messages must be JSON text, not binary";
  if (raw.length > MAX_CLIENT_MESSAGE_BYTES) return `message is longer than ${MAX_CLIENT_MESSAGE_BYTES} characters`;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return "message is not valid JSON";
  }
  const parsed = v.safeParse(StreamClientMessage, json);
  if (parsed.success) return parsed.output;
  return `invalid message: ${parsed.issues.slice(0, 5).map((i) => `${v.getDotPath(i) ?? "message"}: ${i.message}`).join("; ")}`;
}
