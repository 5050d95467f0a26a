import { Hono } from "hono";
import { IdPath } from "../../protocol/common";
import { FlowRunCount, FlowRunCreate, FlowRunFilter, FlowRunUpdate } from "../../protocol/flow-runs";
import { SetStateBody } from "../../protocol/states";
import { countFlowRuns, filterFlowRuns } from "../db/flow-run-filter";
import { cancelFlowRun, setFlowRunState } from "../db/flow-run-state";
import { createFlowRun, deleteFlowRun, getDeploymentTarget, getFlowRun, getFlowRunStates, updateFlowRun } from "../db/flow-runs";
import { getFlow } from "../db/flows";
import { setStateStatus } from "../db/run-set-state";
import { ApiError, found, notFound } from "../errors";
import { nudgePoolsLater, tellPoolOfState } from "../pool/notify";
import { flowRunCreated, flowRunOutcome } from "../stream/events";
import { streamLater } from "../stream/publish";
import type { AppEnv } from "../types";
import { valid } from "../validate";

export const flowRunRoutes = new Hono<AppEnv>()
  .post("/", valid("json", FlowRunCreate), async (c) => {
    const body = c.req.valid("json");
    const db = c.var.db;
    found(await getFlow(db, body.flow_id), "flow", body.flow_id);
    let workPoolId: string | null = null;
    if (body.deployment_id) {
      const target = found(await getDeploymentTarget(db, body.deployment_id), "deployment", body.deployment_id);
      if (target.flow_id !== body.flow_id) {
        throw new ApiError(422, `invalid body.deployment_id: deployment ${body.deployment_id} belongs to another flow`);
      }
      workPoolId = target.work_pool_id;
    }
    const { run, created } = await createFlowRun(db, { ...body, work_pool_id: workPoolId });
    if (created) nudgePoolsLater(c, [workPoolId]);
    if (created) streamLater(c, flowRunCreated(run));
    return c.json(run, created ? 201 : 200);
  })
  .post("/filter", valid("json", FlowRunFilter), async (c) => c.json(await filterFlowRuns(c.var.db, c.req.valid("json"))))
  .post("/count", valid("json", FlowRunCount), async (c) => c.json(await countFlowRuns(c.var.db, c.req.valid("json"))))
  .get("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(found(await getFlowRun(c.var.db, id), "flow run", id));
  })
  .patch("/:id", valid("param", IdPath), valid("json", FlowRunUpdate), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await updateFlowRun(c.var.db, id, c.req.valid("json")))) throw notFound("flow run", id);
    return c.body(null, 204);
  })
  .delete("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteFlowRun(c.var.db, id))) throw notFound("flow run", id);
    return c.body(null, 204);
  })
  .post("/:id/set_state", valid("param", IdPath), valid("json", SetStateBody), async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await setFlowRunState(c.var.db, id, c.req.valid("json"));
    const { result, work_pool_id } = outcome;
    if (result.status === "ACCEPT") tellPoolOfState(c, work_pool_id, id, result.state);
    streamLater(c, flowRunOutcome(id, outcome));
    return c.json(result, setStateStatus(result));
  })
  // Baton's addition: what the dashboard's Cancel button does, whoever holds the run.
  .post("/:id/cancel", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await cancelFlowRun(c.var.db, id);
    const { result, work_pool_id } = outcome;
    if (result.status !== "ACCEPT") throw new ApiError(409, `flow run ${id} cannot be cancelled: ${result.details.reason}`);
    tellPoolOfState(c, work_pool_id, id, result.state);
    streamLater(c, flowRunOutcome(id, outcome));
    return c.json(result);
  })
  .get("/:id/states", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(found(await getFlowRunStates(c.var.db, id), "flow run", id));
  });
