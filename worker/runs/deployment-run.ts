import type { CreateFlowRunFromDeployment } from "../../protocol/deployments";
import type { Db } from "../db/client";
import { createFlowRun, type CreatedFlowRun, type NewFlowRun } from "../db/flow-runs";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { utcTime } from "../orchestration";
import { checkParameters } from "../parameters";
import { nudgePools } from "../pool/notify";
import { flowRunCreated } from "../stream/events";
import { publish } from "../stream/publish";

/*
 * A run of a deployment, as POST /api/deployments/{id}/create_flow_run and the trigger engine create it:
 * the same checks, defaults, tags and retry policy, then the pool is told and the stream hears of it.
 */

/** What creating a run needs to know of its deployment: one read by id, or the trigger engine's cache. */
export type RunnableDeployment = {
  id: string;
  flow_id: string;
  work_pool_id: string | null;
  paused: boolean;
  parameters: Record<string, unknown>;
  parameter_openapi_schema: Record<string, unknown> | null;
  enforce_parameter_schema: boolean;
  tags: string[];
  retries: number;
  retry_delay_seconds: number;
};

/** The REST body, plus the message of the run's first state (a trigger says what started the run). */
export type DeploymentRunRequest = CreateFlowRunFromDeployment & { state_message?: string | null };

/** The run to insert, or an ApiError: 409 for a paused deployment, 422 for parameters that do not fit its schema. */
export function deploymentRunInput(deployment: RunnableDeployment, request: DeploymentRunRequest, now = new Date()): NewFlowRun {
  if (deployment.paused) throw new ApiError(409, "deployment is paused; resume it to create runs");
  const parameters = { ...deployment.parameters, ...request.parameters };
  const schema = deployment.parameter_openapi_schema;
  if (schema && deployment.enforce_parameter_schema) {
    const check = checkParameters(schema, parameters);
    if (!check.ok) {
      const errors = check.errors.map((e) => ({ path: `parameters${e.path ? `.${e.path}` : ""}`, message: e.message }));
      const listed = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
      throw new ApiError(422, `parameters do not match the deployment's schema: ${listed}`, errors);
    }
  }
  const scheduledTime = request.scheduled_time ? utcTime(request.scheduled_time) : now.toISOString();
  return {
    flow_id: deployment.flow_id,
    name: request.name,
    deployment_id: deployment.id,
    work_pool_id: deployment.work_pool_id,
    parent_task_run_id: request.parent_task_run_id,
    parameters,
    tags: [...new Set([...deployment.tags, ...(request.tags ?? [])])],
    state: { type: "SCHEDULED", message: request.state_message ?? null, state_details: { scheduled_time: scheduledTime } },
    idempotency_key: request.idempotency_key,
    empirical_policy: { retries: deployment.retries, retry_delay: deployment.retry_delay_seconds },
  };
}

/** Keeps work going after the caller answered: a route's executionCtx.waitUntil, a Durable Object's ctx.waitUntil. */
export type Background = (work: Promise<unknown>) => void;

/**
 * Creates the run, or answers the one that already has its idempotency key (created: false). A new run
 * is offered to its pool at once and published to the live stream, both in the background.
 */
export async function createDeploymentRun(
  env: Env,
  db: Db,
  deployment: RunnableDeployment,
  request: DeploymentRunRequest,
  background: Background,
  now = new Date(),
): Promise<CreatedFlowRun> {
  const result = await createFlowRun(db, deploymentRunInput(deployment, request, now), now);
  if (result.created) {
    background(nudgePools(env, [deployment.work_pool_id]));
    background(publish(env, flowRunCreated(result.run)));
  }
  return result;
}
