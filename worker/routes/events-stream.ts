import { Hono } from "hono";
import { ApiError } from "../errors";
import { hubStub } from "../stream/publish";
import type { AppEnv } from "../types";

/** `GET /api/events/stream`: the dashboard's live stream (protocol/events-stream.ts); auth is the middleware's. */
export const eventStreamRoutes = new Hono<AppEnv>().get("/", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "this is the dashboard's live event stream: connect with a WebSocket upgrade");
  }
  return hubStub(c.env).fetch(c.req.raw);
});
