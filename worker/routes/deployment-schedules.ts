import { Hono } from "hono";
import { IdPath } from "../../protocol/common";
import { DeploymentSchedulePath, DeploymentSchedulesCreate } from "../../protocol/deployments";
import { DeploymentScheduleUpdate } from "../../protocol/schedules";
import { addSchedules, deleteSchedule, getSchedule, listSchedules, updateSchedule } from "../db/deployment-schedules";
import { getDeployment } from "../db/deployments";
import type { Db } from "../db/client";
import { found, notFound } from "../errors";
import type { AppEnv } from "../types";
import { valid } from "../validate";
import { assertParametersFit, assertSchedulesRun, scheduleParameterSets } from "./deployment-checks";
import { scheduleSoon } from "./schedule-soon";

const deploymentOr404 = async (db: Db, id: string) => found(await getDeployment(db, id), "deployment", id);

/** Prefect 3's /deployments/{id}/schedules; mounted by the deployment routes. */
export const deploymentScheduleRoutes = new Hono<AppEnv>()
  .post("/:id/schedules", valid("param", IdPath), valid("json", DeploymentSchedulesCreate), async (c) => {
    const { id } = c.req.valid("param");
    const inputs = c.req.valid("json");
    const deployment = await deploymentOr404(c.var.db, id);
    assertSchedulesRun(inputs, new Date(), (i) => `body.${i}`);
    assertParametersFit(deployment, scheduleParameterSets(deployment.parameters, inputs, (i) => `body.${i}`));
    const added = await addSchedules(c.var.db, id, inputs);
    scheduleSoon(c, id);
    return c.json(added, 201);
  })
  .get("/:id/schedules", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    await deploymentOr404(c.var.db, id);
    return c.json(await listSchedules(c.var.db, id));
  })
  .patch("/:id/schedules/:schedule_id", valid("param", DeploymentSchedulePath), valid("json", DeploymentScheduleUpdate), async (c) => {
    const { id, schedule_id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const deployment = await deploymentOr404(c.var.db, id);
    const current = found(await getSchedule(c.var.db, id, schedule_id), "schedule", schedule_id);
    if (patch.schedule) assertSchedulesRun([{ schedule: patch.schedule }], new Date(), () => "body");
    if (patch.parameters) assertParametersFit(deployment, scheduleParameterSets(deployment.parameters, [patch], () => "body"));
    if (!(await updateSchedule(c.var.db, current, patch))) throw notFound("schedule", schedule_id);
    scheduleSoon(c, id);
    return c.body(null, 204);
  })
  .delete("/:id/schedules/:schedule_id", valid("param", DeploymentSchedulePath), async (c) => {
    const { id, schedule_id } = c.req.valid("param");
    if (!(await deleteSchedule(c.var.db, id, schedule_id))) throw notFound("schedule", schedule_id);
    return c.body(null, 204);
  });
