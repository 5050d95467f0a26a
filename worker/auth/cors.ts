import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../types";

/**
 * The dashboard is served from the same origin, so browsers elsewhere get no CORS headers at all unless
 * BATON_CORS_ORIGINS lists their origins.
 */
export const corsForConfiguredOrigins: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origins = (c.env.BATON_CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  if (origins.length === 0) return next();
  return cors({ origin: origins, allowHeaders: ["Authorization", "Content-Type"], maxAge: 600 })(c, next);
};
