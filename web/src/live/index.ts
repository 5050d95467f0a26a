import { createSignal, onCleanup } from "solid-js";
import type { Ticket } from "../../../protocol/auth";
import { api } from "../api/client";
import { createLiveStream, type LiveStatus, type Subscriber, type Topic } from "./stream";

export type { LiveStatus, Topic } from "./stream";

const [status, setStatus] = createSignal<LiveStatus>("idle");
/** Whether the page is receiving changes right now, for an indicator. */
export const liveStatus = status;

function socketUrl(ticket: string | null): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = ticket ? `?ticket=${encodeURIComponent(ticket)}` : "";
  return `${scheme}//${location.host}/api/events/stream${query}`;
}

// One socket per page load, shared by every page and component that follows something.
export const live = createLiveStream({
  // The API client carries the key (when one is in use), so the ticket call is authenticated like any other.
  getTicket: async () => (await api.post<Ticket>("/auth/ticket")).ticket,
  open: (ticket) => new WebSocket(socketUrl(ticket)),
  onStatus: setStatus,
});

/** Follows topics for as long as the calling component lives. */
export function useLive(topics: readonly Topic[], onMessage: Subscriber["onMessage"], onReconnect?: () => void): void {
  const unsubscribe = live.subscribe({ topics, onMessage, onReconnect });
  onCleanup(unsubscribe);
}
