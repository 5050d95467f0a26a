import { Hono } from "hono";
import { IdPath, NamePath } from "../../protocol/common";
import { WebhookCreate, WebhookRotate, WebhookUpdate, type WebhookTemplate } from "../../protocol/webhooks";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  getWebhookByName,
  listWebhooks,
  rotateWebhook,
  toWebhook,
  updateWebhook,
} from "../db/webhooks";
import { ApiError, found, notFound } from "../errors";
import { templateErrors } from "../events/template";
import type { AppEnv } from "../types";
import { valid } from "../validate";

/** What a webhook's template may read (protocol/webhooks.ts). */
const TEMPLATE_ROOTS = ["body", "headers", "query", "method", "webhook"] as const;

/** A template is checked when saved, so a typo is a 422 now rather than a broken event at 3 a.m. */
function assertTemplate(template: WebhookTemplate | undefined): void {
  if (!template) return;
  const errors = templateErrors(template, TEMPLATE_ROOTS).map((e) => ({ path: `body.template${e.path ? `.${e.path}` : ""}`, message: e.message }));
  if (errors.length > 0) throw new ApiError(422, `invalid ${errors[0]!.path}: ${errors[0]!.message}`, errors);
}

const nameTaken = (name: string) => new ApiError(409, `webhook ${JSON.stringify(name)} already exists`);

/** Addressed by id; `/name/{name}` finds one by its name (the CLI's handle). */
export const webhookRoutes = new Hono<AppEnv>()
  .post("/", valid("json", WebhookCreate), async (c) => {
    const input = c.req.valid("json");
    if (input.auth === "none" && input.secret !== undefined) {
      throw new ApiError(422, 'invalid body.secret: a secret needs auth "hmac" or "bearer"', [
        { path: "body.secret", message: 'a secret needs auth "hmac" or "bearer"' },
      ]);
    }
    assertTemplate(input.template);
    const row = await createWebhook(c.var.db, input);
    if (!row) throw nameTaken(input.name);
    // The only answer that shows the secret, with rotate's.
    return c.json(toWebhook(row, true), 201);
  })
  .get("/", async (c) => c.json((await listWebhooks(c.var.db)).map((row) => toWebhook(row))))
  .get("/name/:name", valid("param", NamePath), async (c) => {
    const { name } = c.req.valid("param");
    return c.json(toWebhook(found(await getWebhookByName(c.var.db, name), "webhook", name)));
  })
  .get("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(toWebhook(found(await getWebhook(c.var.db, id), "webhook", id)));
  })
  .patch("/:id", valid("param", IdPath), valid("json", WebhookUpdate), async (c) => {
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    assertTemplate(patch.template);
    const result = await updateWebhook(c.var.db, id, patch);
    if (result === "not_found") throw notFound("webhook", id);
    if (result === "name_taken") throw nameTaken(patch.name!);
    // Turning auth on made a secret: this is its one showing.
    return c.json(toWebhook(result.row, result.newSecret));
  })
  .delete("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteWebhook(c.var.db, id))) throw notFound("webhook", id);
    return c.body(null, 204);
  })
  .post("/:id/rotate", valid("param", IdPath), valid("json", WebhookRotate), async (c) => {
    const { id } = c.req.valid("param");
    const what = c.req.valid("json");
    if (!what.slug && !what.secret) throw new ApiError(422, "nothing to rotate: ask for a new slug, a new secret or both");
    const row = found(await rotateWebhook(c.var.db, id, what), "webhook", id);
    return c.json(toWebhook(row, what.secret));
  });
