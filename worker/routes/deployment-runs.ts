import { Hono } from "hono";
import { IdPath } from "../../protocol/common";
import { CreateFlowRunFromDeployment } from "../../protocol/deployments";
import { getDeployment } from "../db/deployments";
import { createFlowRun, getDeploymentTarget } from "../db/flow-runs";
import { ApiError, found } from "../errors";
import { utcTime } from "../orchestration";
import { checkParameters } from "../parameters";
import { nudgePoolsLater } from "../pool/notify";
import { flowRunCreated } from "../stream/events";
import { streamLater } from "../stream/publish";
import type { AppEnv } from "../types";
import { valid } from "../validate";

/** `POST /api/deployments/{id}/create_flow_run`: a run of the deployment, SCHEDULED for its pool. */
export const deploymentRunRoutes = new Hono<AppEnv>().post(
  "/:id/create_flow_run",
  valid("param", IdPath),
  valid("json", CreateFlowRunFromDeployment),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const db = c.var.db;
    const [maybeDeployment, target] = await Promise.all([getDeployment(db, id), getDeploymentTarget(db, id)]);
    const deployment = found(maybeDeployment, "deployment", id);
    if (deployment.paused) throw new ApiError(409, "deployment is paused; resume it to create runs");
    const parameters = { ...deployment.parameters, ...body.parameters };
    const schema = deployment.parameter_openapi_schema;
    if (schema && deployment.enforce_parameter_schema) {
      const check = checkParameters(schema, parameters);
      if (!check.ok) {
        const errors = check.errors.map((e) => ({ path: `parameters${e.path ? `.${e.path}` : ""}`, message: e.message }));
        const listed = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
        throw new ApiError(422, `parameters do not match the deployment's schema: ${listed}`, errors);
      }
    }
    const scheduledTime = body.scheduled_time ? utcTime(body.scheduled_time) : new Date().toISOString();
    const { run, created } = await createFlowRun(db, {
      flow_id: deployment.flow_id,
      name: body.name,
      deployment_id: id,
      work_pool_id: target?.work_pool_id ?? null,
      parent_task_run_id: body.parent_task_run_id,
      parameters,
      tags: [...new Set([...deployment.tags, ...(body.tags ?? [])])],
      state: { type: "SCHEDULED", state_details: { scheduled_time: scheduledTime } },
      idempotency_key: body.idempotency_key,
      empirical_policy: { retries: deployment.retries, retry_delay: deployment.retry_delay_seconds },
    });
    if (created) nudgePoolsLater(c, [target?.work_pool_id]);
    if (created) streamLater(c, flowRunCreated(run));
    return c.json(run, created ? 201 : 200);
  },
);
