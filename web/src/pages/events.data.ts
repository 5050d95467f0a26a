import type { Event, EventFilter } from "../../../protocol/events";
import { RESOURCE_ID, RESOURCE_NAME } from "../../../protocol/events";

/*
 * The Events page's logic, apart from Solid and fetch: the filter it sends, how live events join the
 * list, and how a resource is named and linked.
 */

export const EVENTS_PAGE_SIZE = 50;

/** The `?prefix=` of the URL as the filter uses it: trimmed, and absent when empty (the router may give a list). */
export function prefixFromParam(param: string | string[] | undefined): string {
  const value = Array.isArray(param) ? param[0] : param;
  return (value ?? "").trim();
}

/** The body of `POST /api/events/filter` for a name prefix, and the page token when loading more. */
export function eventsFilter(prefix: string, nextPage?: string | null): EventFilter {
  const filter: EventFilter = { limit: EVENTS_PAGE_SIZE };
  if (prefix) filter.event = { prefix: [prefix] };
  if (nextPage) filter.next_page = nextPage;
  return filter;
}

/** Whether a live event belongs in the list shown for this prefix (the server filters pages the same way). */
export const matchesPrefix = (event: Event, prefix: string): boolean => event.event.startsWith(prefix);

/** Newest first by time of occurrence, then by id so that equal times keep one order. */
function newestFirst(a: Event, b: Event): number {
  // Parsed, not compared as text: "…01.500Z" sorts before "…01Z" as a string.
  const ta = Date.parse(a.occurred);
  const tb = Date.parse(b.occurred);
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Live events added to the list: each id once (an event can arrive live and again in a page loaded at the
 * same time), newest first. Answers the same array when nothing was new, so nothing re-renders.
 */
export function mergeEvents(list: readonly Event[], incoming: readonly Event[]): readonly Event[] {
  const seen = new Set(list.map((e) => e.id));
  const fresh = incoming.filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
  if (fresh.length === 0) return list;
  return [...fresh, ...list].sort(newestFirst);
}

/** A page loaded with "Load more" goes after what is shown, without ids shown already. */
export function appendPage(list: readonly Event[], page: readonly Event[]): readonly Event[] {
  const seen = new Set(list.map((e) => e.id));
  const fresh = page.filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
  return fresh.length === 0 ? list : [...list, ...fresh];
}

const FLOW_RUN = "baton.flow-run.";

/** How a resource is shown: its name when it has one, else its id; a flow run links to its page. */
export function resourceDisplay(resource: Record<string, string>): { text: string; href?: string } {
  const id = resource[RESOURCE_ID] ?? "";
  const text = resource[RESOURCE_NAME] || id;
  const runId = id.startsWith(FLOW_RUN) ? id.slice(FLOW_RUN.length) : "";
  return runId ? { text, href: `/runs/${encodeURIComponent(runId)}` } : { text };
}

/** One line of the payload for the table; empty for an empty payload. */
export function payloadPreview(payload: Record<string, unknown>, width = 80): string {
  const text = JSON.stringify(payload);
  if (text === "{}") return "";
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
