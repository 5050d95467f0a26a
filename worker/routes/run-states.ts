import { Hono } from "hono";
import { FlowRunStatesQuery } from "../../protocol/flow-runs";
import { TaskRunStatesQuery } from "../../protocol/task-runs";
import { getFlowRunStates } from "../db/flow-runs";
import { getTaskRunStates } from "../db/task-runs";
import { found } from "../errors";
import type { AppEnv } from "../types";
import { valid } from "../validate";

/** Prefect's `GET /api/flow_run_states/?flow_run_id=...`: a run's state history, oldest first. */
export const flowRunStateRoutes = new Hono<AppEnv>().get("/", valid("query", FlowRunStatesQuery), async (c) => {
  const { flow_run_id } = c.req.valid("query");
  return c.json(found(await getFlowRunStates(c.var.db, flow_run_id), "flow run", flow_run_id));
});

/** Prefect's `GET /api/task_run_states/?task_run_id=...`. */
export const taskRunStateRoutes = new Hono<AppEnv>().get("/", valid("query", TaskRunStatesQuery), async (c) => {
  const { task_run_id } = c.req.valid("query");
  return c.json(found(await getTaskRunStates(c.var.db, task_run_id), "task run", task_run_id));
});
