import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { ApiKeyCreate } from "../../protocol/auth";
import { IdPath } from "../../protocol/common";
import { forgetKeyPresence } from "../auth/keys";
import { issueTicket } from "../auth/tickets";
import { createApiKey, deleteApiKey, listApiKeys } from "../db/api-keys";
import { notFound } from "../errors";
import type { AppEnv } from "../types";
import { valid } from "../validate";

/** Tickets for browser WebSockets. The auth middleware has already checked the key. */
export const authRoutes = new Hono<AppEnv>().post("/ticket", describeRoute({ summary: "A one-minute ticket for opening a WebSocket" }), async (c) => {
  const owner = c.var.keyOwner;
  if (!owner) return c.json({ ticket: null, expires: null });
  return c.json(await issueTicket(owner.kid, owner.secret, Date.now()), 201);
});

/**
 * Keys stored (hashed) in D1, managed from the dashboard's Settings. Creating the first one turns
 * authentication on for a server that had none.
 */
export const apiKeyRoutes = new Hono<AppEnv>()
  .post("/", valid("json", ApiKeyCreate), async (c) => {
    const created = await createApiKey(c.var.db, c.req.valid("json").name);
    forgetKeyPresence();
    return c.json(created, 201);
  })
  .get("/", describeRoute({ summary: "Stored API keys (never the keys themselves)" }), async (c) => c.json(await listApiKeys(c.var.db)))
  .delete("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteApiKey(c.var.db, id))) throw notFound("API key", id);
    forgetKeyPresence();
    return c.body(null, 204);
  });
