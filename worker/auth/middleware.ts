import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors";
import type { AppEnv } from "../types";
import { anyStoredKey, identifyKey, secretOf, type KeyOwner } from "./keys";
import { needsKey } from "./paths";
import { ticketKid, verifyTicket } from "./tickets";

const BEARER = /^Bearer\s+(.+)$/i;

/**
 * When the server has a key (the BATON_API_KEY secret, or keys stored in D1), every /api path but
 * /api/health needs `Authorization: Bearer <key>`; a WebSocket upgrade may instead carry `?ticket=`.
 * Without any key the server is open (the local server binds 127.0.0.1 for that reason).
 */
export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  if (!needsKey(url.pathname)) return next();
  const db = c.var.db;
  const envKey = c.env.BATON_API_KEY || undefined;
  if (!envKey && !(await anyStoredKey(db))) return next();

  const bearer = BEARER.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
  if (bearer) {
    const owner = await identifyKey(db, envKey, bearer);
    if (!owner) throw new ApiError(401, "invalid API key");
    c.set("keyOwner", owner);
    return next();
  }
  const ticket = url.searchParams.get("ticket");
  if (ticket && c.req.header("upgrade")?.toLowerCase() === "websocket") {
    const kid = ticketKid(ticket);
    const secret = kid ? await secretOf(db, envKey, kid) : null;
    if (secret && (await verifyTicket(ticket, secret, Date.now()))) return next();
    throw new ApiError(401, "invalid or expired ticket; ask POST /api/auth/ticket for a new one");
  }
  throw new ApiError(401, "this server needs an API key: send Authorization: Bearer <key>");
};

export type { KeyOwner };
