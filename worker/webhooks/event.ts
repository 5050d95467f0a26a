import * as v from "valibot";
import { EventCreate, RESOURCE_ID, RESOURCE_NAME, RESOURCE_ROLE } from "../../protocol/events";
import type { WebhookTemplate } from "../../protocol/webhooks";
import { ApiError } from "../errors";
import { render } from "../events/template";

/*
 * The event a webhook request becomes: its template rendered over the request, on top of defaults that
 * always say which webhook it came through: as the resource unless the template sets the resource's id
 * (then the resource is only what the template says), and always as a related resource with role
 * "webhook", so triggers can match on the webhook either way.
 */

export interface HookWebhook {
  id: string;
  name: string;
  slug: string;
  template: Partial<WebhookTemplate>;
}

/** What the template reads: the parsed body, headers (lower-case names), query, method and the webhook. */
export interface HookRequest {
  body: unknown;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  method: string;
}

export const DEFAULT_EVENT = "webhook.received";
export const DEFAULT_DELIVERY_ID = "{{ headers.x-baton-event-id }}";

/** Labels and names are text: a whole `{{ path }}` that found a number or an object is written out. */
const asText = (value: unknown): string =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);

const webhookResourceId = (id: string) => `baton.webhook.${id}`;

/** The query string as an object; a key given more than once keeps every value. */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** Headers a template never sees: they carry credentials (a bearer secret), which must not end up in a stored event. */
const HIDDEN_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"]);

/** Header names lower-case (as the template names them); repeated headers are already joined by fetch. */
export function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    if (!HIDDEN_HEADERS.has(key.toLowerCase())) out[key.toLowerCase()] = value;
  });
  return out;
}

/**
 * What names the event (its name, its resource's id) must come out whole: `shop.order.` from a missing
 * `{{ body.type }}` would be stored, matched by nothing and look fine. 422 naming every path not found.
 */
function identifying(template: string, context: unknown, what: string, whose: string): string {
  const missing: string[] = [];
  const value = render(template, context, missing);
  if (missing.length > 0) {
    throw new ApiError(422, `template value ${what}: ${[...new Set(missing)].join(", ")} not found in the request (${whose} is ${JSON.stringify(template)})`);
  }
  return asText(value);
}

/**
 * A label's value, or undefined when the template finds nothing: labels are text, so there is no null
 * to store, and "" would be a value a trigger could match.
 */
function label(template: string, context: unknown): string | undefined {
  const value = render(template, context);
  return value === null ? undefined : asText(value);
}

/**
 * The event (not yet stored, no id) and the delivery id the template found (empty when none). Pure, so
 * every template case is tested without a request. A value the template finds nothing for: 422 for
 * the event's name or resource id, a label left out, null in the payload.
 */
export function webhookEvent(webhook: HookWebhook, request: HookRequest): { event: Record<string, unknown>; deliveryId: string } {
  const context = { ...request, webhook: { id: webhook.id, name: webhook.name, slug: webhook.slug } };
  const t = webhook.template;
  const labels: Record<string, string> = {};
  for (const [key, tpl] of Object.entries(t.resource ?? {})) {
    const value =
      key === RESOURCE_ID ? identifying(tpl, context, `event.resource[${JSON.stringify(RESOURCE_ID)}]`, "the webhook's template for it") : label(tpl, context);
    if (value !== undefined) labels[key] = value;
  }
  const self = { [RESOURCE_ID]: webhookResourceId(webhook.id), [RESOURCE_NAME]: webhook.name };
  const event = {
    event: identifying(t.event ?? DEFAULT_EVENT, context, "event.name", "the webhook's event template"),
    // A template that names the resource (`shop.order.1001`) describes another thing than the webhook:
    // the webhook's own labels (its name) would mislabel it, and it is in `related` already.
    resource: RESOURCE_ID in labels ? labels : { ...self, ...labels },
    related: [{ ...self, [RESOURCE_ROLE]: "webhook" }],
    payload: t.payload ? render(t.payload, context) : { body: request.body ?? null },
  };
  return { event, deliveryId: asText(render(t.id ?? DEFAULT_DELIVERY_ID, context)).trim() };
}

/** The event checked as any other event is (POST /api/events); a template that made a bad one is the sender's 422. */
export function checkedEvent(candidate: Record<string, unknown>): EventCreate {
  const result = v.safeParse(EventCreate, candidate);
  if (result.success) return result.output;
  const errors = result.issues.slice(0, 20).map((i) => ({ path: `event.${v.getDotPath(i) ?? ""}`.replace(/\.$/, ""), message: i.message }));
  throw new ApiError(422, `the webhook's template made an invalid event: ${errors[0]!.path}: ${errors[0]!.message}`, errors);
}

/**
 * The event id of a delivery: a UUID derived from the webhook and the delivery id, so the same
 * delivery to the same webhook is always the same event, and two webhooks never share one.
 */
export async function deliveryEventId(webhookId: string, deliveryId: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`baton.webhook:${webhookId}:${deliveryId}`)));
  const b = digest.slice(0, 16);
  // RFC 9562 version 8 (custom) with the RFC variant: a valid UUID that says it is not random.
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
