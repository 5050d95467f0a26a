import { Hono } from "hono";
import { API_VERSION, VERSION } from "../version";
import type { AppEnv } from "../types";

/** Liveness and version; /api/health is the only route that never needs a key. */
export const metaRoutes = new Hono<AppEnv>()
  .get("/health", (c) => c.json({ status: "ok", version: VERSION }))
  .get("/admin/version", (c) => c.json({ version: VERSION, api_version: API_VERSION }));
