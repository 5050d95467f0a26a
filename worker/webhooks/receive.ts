import { Hono } from "hono";
import * as v from "valibot";
import { MAX_WEBHOOK_BODY_BYTES, Slug, type WebhookTemplate } from "../../protocol/webhooks";
import { getWebhookBySlug, type WebhookRow } from "../db/webhooks";
import { ApiError } from "../errors";
import { emitEvents } from "../events/emit";
import type { AppEnv } from "../types";
import { parseBody, readBody } from "./body";
import { checkedEvent, deliveryEventId, headerObject, queryObject, webhookEvent } from "./event";
import { bearerProof, hmacProof, type Proof } from "./secrets";

/*
 * `POST /hooks/{slug}`: outside /api, so no API key; the webhook's own secret protects it. The checks
 * go from cheapest to dearest and nothing is stored unless all pass: the slug (404, the same answer for
 * unknown and disabled, so a disabled URL cannot be told from one that never existed), a bearer secret
 * (401, before the body is read), the body's size (413, while reading), the HMAC signature over the raw
 * bytes (401; a missing, a malformed and a wrong proof each say so), the body's type and syntax
 * (415/400), the event the template made (422, also for a name or resource id it found nothing for).
 */

const noWebhook = () => new ApiError(404, "no webhook at this URL");

/** The 401 for each way a proof can fail: each says what to send, none echoes what was sent or any part of the secret. */
function refusal(webhook: WebhookRow, proof: Exclude<Proof, "ok">): ApiError {
  if (webhook.auth === "bearer") {
    const send = "send Authorization: Bearer <the webhook's secret>";
    if (proof === "missing") return new ApiError(401, `missing Authorization header: ${send}`);
    if (proof === "malformed") return new ApiError(401, `the Authorization header is not Bearer <token>: ${send}`);
    return new ApiError(401, "the bearer token does not match the webhook's secret");
  }
  const header = webhook.signature_header;
  const hmac = "HMAC-SHA256 of the raw body, keyed with the webhook's secret";
  if (proof === "missing") return new ApiError(401, `missing ${header} signature header: send ${header}: sha256=<hex ${hmac}>`);
  if (proof === "malformed") return new ApiError(401, `the ${header} signature is not sha256=<64 hex digits>: send the hex ${hmac}`);
  return new ApiError(401, `the ${header} signature does not match the webhook's secret (HMAC-SHA256 of the raw body, hex)`);
}

/** The raw body, once the caller proved it knows the secret (a bearer before reading, an HMAC after). */
async function authorizedBody(webhook: WebhookRow, headers: Headers, body: () => Promise<Uint8Array>): Promise<Uint8Array> {
  if (webhook.auth === "bearer") {
    const proof = await bearerProof(headers.get("authorization"), webhook.secret!);
    if (proof !== "ok") throw refusal(webhook, proof);
    return body();
  }
  const bytes = await body();
  if (webhook.auth === "hmac") {
    const proof = await hmacProof(webhook.secret!, bytes, headers.get(webhook.signature_header));
    if (proof !== "ok") throw refusal(webhook, proof);
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
