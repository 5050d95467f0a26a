import { Hono } from "hono";
import { IdPath } from "../../protocol/common";
import { CreateFlowRunFromDeployment } from "../../protocol/deployments";
import { getRunnableDeployment } from "../db/deployments";
import { found } from "../errors";
import { createDeploymentRun } from "../runs/deployment-run";
import type { AppEnv } from "../types";
import { valid } from "../validate";

/** `POST /api/deployments/{id}/create_flow_run`: a run of the deployment, SCHEDULED for its pool. */
export const deploymentRunRoutes = new Hono<AppEnv>().post(
  "/:id/create_flow_run",
  valid("param", IdPath),
  valid("json", CreateFlowRunFromDeployment),
  async (c) => {
    const { id } = c.req.valid("param");
    const deployment = found(await getRunnableDeployment(c.var.db, id), "deployment", id);
    const { run, created } = await createDeploymentRun(c.env, c.var.db, deployment, c.req.valid("json"), (work) => c.executionCtx.waitUntil(work));
    return c.json(run, created ? 201 : 200);
  },
);
