import { Hono } from "hono";
import { IdPath } from "../../protocol/common";
import { DeploymentCount, DeploymentCreate, DeploymentFilter, DeploymentNamePath, DeploymentUpdate } from "../../protocol/deployments";
import {
  countDeployments,
  deleteDeployment,
  filterDeployments,
  getDeployment,
  getDeploymentByName,
  setDeploymentPaused,
  updateDeployment,
  upsertDeployment,
  withSchedules,
} from "../db/deployments";
import { getFlow } from "../db/flows";
import { found, notFound } from "../errors";
import type { AppEnv } from "../types";
import { valid } from "../validate";
import { assertParametersFit, assertSchedulesRun, scheduleParameterSets, workPoolIdOf, type SchedulePath } from "./deployment-checks";
import { deploymentScheduleRoutes } from "./deployment-schedules";
import { scheduleSoon } from "./schedule-soon";

const inBody: SchedulePath = (i) => `body.schedules.${i}`;

type ParameterFields = Parameters<typeof assertParametersFit>[0] & { schedules?: { parameters: Record<string, unknown> }[] };
/** The deployment's defaults and each given schedule's parameters must fit its schema. */
const assertDeploymentParameters = (d: ParameterFields) =>
  assertParametersFit(d, [{ at: "body.parameters", params: d.parameters }, ...scheduleParameterSets(d.parameters, d.schedules ?? [], inBody)]);

export const deploymentRoutes = new Hono<AppEnv>()
  // Prefect's upsert: 201 when created, 200 when the deployment of that flow and name was replaced.
  .post("/", valid("json", DeploymentCreate), async (c) => {
    const { work_pool_name, ...input } = c.req.valid("json");
    const db = c.var.db;
    const now = new Date();
    found(await getFlow(db, input.flow_id), "flow", input.flow_id);
    const work_pool_id = await workPoolIdOf(db, work_pool_name);
    assertSchedulesRun(input.schedules ?? [], now, inBody);
    assertDeploymentParameters(input);
    const { deployment, created } = await upsertDeployment(db, { ...input, work_pool_id }, now);
    scheduleSoon(c, deployment.id);
    const [answer] = await withSchedules(db, [deployment]);
    return c.json(answer, created ? 201 : 200);
  })
  .post("/filter", valid("json", DeploymentFilter), async (c) =>
    c.json(await withSchedules(c.var.db, await filterDeployments(c.var.db, c.req.valid("json")))),
  )
  .post("/count", valid("json", DeploymentCount), async (c) => c.json(await countDeployments(c.var.db, c.req.valid("json"))))
  .get("/name/:flow/:name", valid("param", DeploymentNamePath), async (c) => {
    const { flow, name } = c.req.valid("param");
    const deployment = found(await getDeploymentByName(c.var.db, flow, name), "deployment", `${flow}/${name}`);
    return c.json((await withSchedules(c.var.db, [deployment]))[0]);
  })
  .get("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json((await withSchedules(c.var.db, [found(await getDeployment(c.var.db, id), "deployment", id)]))[0]);
  })
  .patch("/:id", valid("param", IdPath), valid("json", DeploymentUpdate), async (c) => {
    const { id } = c.req.valid("param");
    const { work_pool_name, ...update } = c.req.valid("json");
    const db = c.var.db;
    const now = new Date();
    const current = found(await getDeployment(db, id), "deployment", id);
    const pool = work_pool_name === undefined ? {} : { work_pool_id: await workPoolIdOf(db, work_pool_name) };
    assertSchedulesRun(update.schedules ?? [], now, inBody);
    assertDeploymentParameters({ ...current, ...update });
    if (!(await updateDeployment(db, id, { ...update, ...pool }, now))) throw notFound("deployment", id);
    scheduleSoon(c, id);
    return c.body(null, 204);
  })
  .delete("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteDeployment(c.var.db, id))) throw notFound("deployment", id);
    return c.body(null, 204);
  })
  .post("/:id/pause_deployment", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await setDeploymentPaused(c.var.db, id, true))) throw notFound("deployment", id);
    return c.body(null, 204);
  })
  .post("/:id/resume_deployment", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await setDeploymentPaused(c.var.db, id, false))) throw notFound("deployment", id);
    scheduleSoon(c, id);
    return c.body(null, 204);
  })
  .route("/", deploymentScheduleRoutes);
