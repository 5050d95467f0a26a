import * as v from "valibot";
import { Description, JsonObject, Name } from "./common";

/*
 * A webhook turns an HTTP request from another system into an event. Its URL is `/hooks/{slug}`, outside
 * /api, so it can be handed to a third party without the API key; its own secret (optional) protects it:
 * - `hmac`: the request carries `<signature_header>: sha256=<hex HMAC-SHA256 of the raw body>` (GitHub's
 *   scheme; a bare hex digest is accepted too), checked in constant time;
 * - `bearer`: the request carries `Authorization: Bearer <secret>`.
 * The template says which event the request becomes. Every string in it may hold `{{ … }}` parts (the
 * same templating as trigger parameters) over `body` (parsed JSON, a form as an object, or plain text),
 * `headers` (lower-case names; never Authorization or Cookie, which carry credentials), `query`, `method`
 * and `webhook` (`id`, `name`, `slug`).
 * Accepted bodies: JSON, application/x-www-form-urlencoded, text/*, up to MAX_WEBHOOK_BODY_BYTES.
 * The request is answered 202 `{ "event_id": … }` once the event is stored; 404 for an unknown or
 * disabled slug (the same answer), 401 for a missing, malformed or wrong signature or bearer (each
 * its own message), 413 for a body over the limit, 415 for another type, 400 for malformed JSON or text
 * that is not UTF-8, 422 when the event's name or `baton.resource.id` needs a value the request lacks
 * or the template made an event that is not valid; nothing is stored unless the answer is 202. Another
 * value the request lacks is null in the payload, and leaves its resource label out. A delivery id (template `id`, by default the `X-Baton-Event-Id`
 * header) makes a redelivery the same event id, so it starts no second run of a trigger (each delivery
 * is still recorded in the feed, at the time it arrived).
 */

/**
 * Largest body, checked while reading (413 past it). Below MAX_JSON_OBJECT_BYTES, the most an event's
 * payload holds, so a JSON body (or text with little to escape) at the limit still fits in the default
 * payload `{ "body": … }`.
 */
export const MAX_WEBHOOK_BODY_BYTES = 250 * 1024;

export const Slug = v.pipe(
  v.string(),
  v.minLength(8, "must be at least 8 characters"),
  v.maxLength(100, "must be at most 100 characters"),
  v.regex(/^[A-Za-z0-9_-]+$/, "may only contain letters, digits, '-' and '_'"),
);

const Secret = v.pipe(v.string(), v.minLength(16, "must be at least 16 characters"), v.maxLength(512));

export const WebhookTemplate = v.object({
  /** Event name, e.g. `webhook.received` (default) or `github.{{ headers.x-github-event }}`. */
  event: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024)), "webhook.received"),
  /** Resource labels; `baton.resource.id` defaults to `baton.webhook.<webhook id>`. */
  resource: v.optional(v.record(v.string(), v.pipe(v.string(), v.maxLength(1024))), {}),
  /** Payload; defaults to `{ "body": "{{ body }}" }`, the whole body. */
  payload: v.optional(v.nullable(JsonObject), null),
  /**
   * The delivery's id, e.g. `{{ headers.x-github-delivery }}` or Stripe's `{{ body.id }}`: requests that
   * render the same non-empty id become the same event id (derived from it and the webhook), so a
   * redelivery starts no second run of a trigger. Renders empty → a new id.
   */
  id: v.optional(v.pipe(v.string(), v.maxLength(1024)), "{{ headers.x-baton-event-id }}"),
});
export type WebhookTemplate = v.InferOutput<typeof WebhookTemplate>;

export const WebhookCreate = v.object({
  name: Name,
  description: v.optional(v.nullable(Description), null),
  enabled: v.optional(v.boolean(), true),
  /** None, or how the caller proves it knows the secret. */
  auth: v.optional(v.picklist(["none", "hmac", "bearer"]), "none"),
  /** Given, or generated when `auth` is not none (shown once, in the create/rotate answer). */
  secret: v.optional(Secret),
  /** Header holding the HMAC signature (case-insensitive). */
  signature_header: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,100}$/, "must be a header name")), "X-Baton-Signature-256"),
  template: v.optional(WebhookTemplate, {}),
});
export type WebhookCreate = v.InferOutput<typeof WebhookCreate>;

export const WebhookUpdate = v.partial(v.omit(WebhookCreate, ["secret"]));
export type WebhookUpdate = v.InferOutput<typeof WebhookUpdate>;

/** `POST /api/webhooks/{id}/rotate`: a new slug (the old URL stops working) and, when it has one, a new secret. */
export const WebhookRotate = v.object({ slug: v.optional(v.boolean(), true), secret: v.optional(v.boolean(), true) });

export const Webhook = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  name: v.string(),
  description: v.nullable(v.string()),
  enabled: v.boolean(),
  slug: v.string(),
  /** Path to give the caller: `/hooks/{slug}` (the dashboard and CLI show it with the server's origin). */
  url_path: v.string(),
  auth: v.picklist(["none", "hmac", "bearer"]),
  signature_header: v.string(),
  template: v.record(v.string(), v.unknown()),
  /** Only in the answers of create and rotate. */
  secret: v.optional(v.string()),
});
export type Webhook = v.InferOutput<typeof Webhook>;
