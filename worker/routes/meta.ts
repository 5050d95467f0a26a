import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { AppEnv } from "../types";
import { VERSION } from "../version";

/** Liveness and version; /api/health is the only route that never needs a key. */
export const metaRoutes = new Hono<AppEnv>()
  .get("/health", describeRoute({ summary: "Liveness; never needs a key" }), (c) => c.json({ status: "ok", version: VERSION }))
  // A bare JSON string, as Prefect's server answers, which its client reads.
  .get("/admin/version", describeRoute({ summary: "Server version" }), (c) => c.json(VERSION));
