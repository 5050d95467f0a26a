import { Hono } from "hono";
import * as v from "valibot";
import { MAX_WEBHOOK_BODY_BYTES, Slug, type WebhookTemplate } from "../../protocol/webhooks";
import { getWebhookBySlug, type WebhookRow } from "../db/webhooks";
import { ApiError } from "../errors";
import { emitEvents } from "../events/emit";
import type { AppEnv } from "../types";
import { parseBody, readBody } from "./body";
import { checkedEvent, deliveryEventId, headerObject, queryObject, webhookEvent } from "./event";
import { bearerMatches, parseSignature, verifyHmac } from "./secrets";

/*
 * `POST /hooks/{slug}`: outside /api, so no API key; the webhook's own secret protects it. The checks
 * go from cheapest to dearest and nothing is stored unless all pass: the slug (404, the same answer for
 * unknown and disabled, so a disabled URL cannot be told from one that never existed), a bearer secret
 * (401, before the body is read), the body's size (413, while reading), the HMAC signature over the raw
 * bytes (401), the body's type and syntax (415/400), the event the template made (422).
 */

const noWebhook = () => new ApiError(404, "no webhook at this URL");

/** The raw body, once the caller proved it knows the secret (a bearer before reading, an HMAC after). */
async function authorizedBody(webhook: WebhookRow, headers: Headers, body: () => Promise<Uint8Array>): Promise<Uint8Array> {
  if (webhook.auth === "bearer") {
    // The messages never echo what was sent or any part of the secret.
    if (!(await bearerMatches(headers.get("authorization") ?? undefined, webhook.secret!))) {
      throw new ApiError(401, "this webhook needs its secret: send Authorization: Bearer <secret>");
    }
    return body();
  }
  const bytes = await body();
  if (webhook.auth === "hmac") {
    const signature = parseSignature(headers.get(webhook.signature_header) ?? undefined);
    if (!signature) {
      throw new ApiError(401, `this webhook needs a signature: send ${webhook.signature_header}: sha256=<hex HMAC-SHA256 of the body>`);
    }
    if (!(await verifyHmac(webhook.secret!, bytes, signature))) {
      throw new ApiError(401, `the ${webhook.signature_header} signature does not match the body`);
    }
  }
  return bytes;
}

export const hookRoutes = new Hono<AppEnv>().post("/:slug", async (c) => {
  const slug = c.req.param("slug");
  // A slug that cannot exist costs no read.
  const webhook = v.is(Slug, slug) ? await getWebhookBySlug(c.var.db, slug) : undefined;
  if (!webhook?.enabled) throw noWebhook();

  const request = c.req.raw;
  const bytes = await authorizedBody(webhook, request.headers, () => readBody(request, MAX_WEBHOOK_BODY_BYTES));
  const body = parseBody(bytes, request.headers.get("content-type") ?? undefined);
  const { event, deliveryId } = webhookEvent(
    { id: webhook.id, name: webhook.name, slug: webhook.slug, template: webhook.template as Partial<WebhookTemplate> },
    { body, headers: headerObject(request.headers), query: queryObject(new URL(request.url)), method: request.method },
  );
  const create = checkedEvent(event);
  if (deliveryId) create.id = await deliveryEventId(webhook.id, deliveryId);
  // Answered once stored; the live stream and the triggers get it after the answer went out.
  const [stored] = await emitEvents(c.env, [create], { waitUntil: (p) => c.executionCtx.waitUntil(p) });
  return c.json({ event_id: stored!.id }, 202);
});
