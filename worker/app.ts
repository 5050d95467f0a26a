import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { toJsonSchema } from "@valibot/to-json-schema";
import { openAPIRouteHandler } from "hono-openapi";
import { ErrorBody } from "../protocol/common";
import { requireApiKey } from "./auth/middleware";
import { corsForConfiguredOrigins } from "./auth/cors";
import { createDb } from "./db/client";
import { ApiError, onError } from "./errors";
import { apiKeyRoutes, authRoutes } from "./routes/auth";
import { deploymentRunRoutes } from "./routes/deployment-runs";
import { deploymentRoutes } from "./routes/deployments";
import { eventRoutes } from "./routes/events";
import { eventStreamRoutes } from "./routes/events-stream";
import { flowRoutes } from "./routes/flows";
import { flowRunRoutes } from "./routes/flow-runs";
import { logRoutes } from "./routes/logs";
import { metaRoutes } from "./routes/meta";
import { flowRunStateRoutes, taskRunStateRoutes } from "./routes/run-states";
import { taskRunRoutes } from "./routes/task-runs";
import { webhookRoutes } from "./routes/webhooks";
import { workPoolRoutes } from "./routes/work-pools";
import type { AppEnv } from "./types";
import { VERSION } from "./version";
import { hookRoutes } from "./webhooks/receive";

/** Largest request body: a full log batch fits, a runaway client does not. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

const api = new Hono<AppEnv>({ strict: false })
  .use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ApiError(413, `request body over ${MAX_BODY_BYTES} bytes`); } }))
  // hono's JSON validator silently treats a body that is not labelled JSON as `{}` (a PATCH would
  // answer 204 having changed nothing); say so instead of guessing. Bodiless POSTs (pause, cancel) need
  // no Content-Type, so an unlabelled body is only refused when it is not empty.
  .use(async (c, next) => {
    const type = c.req.header("content-type")?.split(";")[0]?.trim() ?? "";
    const hasBody = c.req.raw.body !== null && c.req.method !== "GET" && c.req.method !== "HEAD";
    if (hasBody && !JSON_TYPE.test(type) && (type !== "" || (await c.req.text()).trim() !== "")) {
      throw new ApiError(415, `send JSON with Content-Type: application/json (got ${type ? JSON.stringify(type) : "none"})`);
    }
    await next();
  })
  .route("/", metaRoutes)
  .route("/auth", authRoutes)
  .route("/api_keys", apiKeyRoutes)
  .route("/flows", flowRoutes)
  .route("/deployments", deploymentRoutes)
  .route("/deployments", deploymentRunRoutes)
  .route("/work_pools", workPoolRoutes)
  .route("/flow_runs", flowRunRoutes)
  .route("/task_runs", taskRunRoutes)
  .route("/flow_run_states", flowRunStateRoutes)
  .route("/task_run_states", taskRunStateRoutes)
  .route("/logs", logRoutes)
  .route("/webhooks", webhookRoutes)
  .route("/events/stream", eventStreamRoutes)
  .route("/events", eventRoutes);

api.get(
  "/openapi.json",
  openAPIRouteHandler(api, {
    documentation: {
      info: { title: "Baton API", version: VERSION, description: "Prefect-shaped REST API of the Baton orchestrator." },
      servers: [{ url: "/api" }],
    },
    // Every error, validation included (400 malformed JSON, 422 invalid fields), has the same body.
    defaultValidationErrorResponse: {
      description: "Malformed (400) or invalid (422) input",
      content: { "application/json": { schema: toJsonSchema(ErrorBody) as Record<string, unknown> } },
    },
  }),
);

export const app = new Hono<AppEnv>({ strict: false })
  .use(corsForConfiguredOrigins)
  // One database handle per request, for the key check and the routes alike.
  .use(async (c, next) => {
    c.set("db", createDb(c.env.DB));
    await next();
  })
  .use(requireApiKey)
  .route("/api", api)
  // Outside /api: a webhook URL is given to other systems, which prove themselves with its own secret.
  .route("/hooks", hookRoutes)
  .notFound((c) => c.json({ detail: `no route for ${c.req.method} ${c.req.path}` }, 404));
app.onError(onError);
