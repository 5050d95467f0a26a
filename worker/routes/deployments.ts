import { Hono } from "hono";
import { IdPath } from "../../protocol/common";
import { DeploymentCount, DeploymentCreate, DeploymentFilter, DeploymentNamePath, DeploymentUpdate } from "../../protocol/deployments";
import { listTriggers } from "../db/deployment-triggers";
import {
  asResponses,
  countDeployments,
  deleteDeployment,
  filterDeployments,
  getDeployment,
  getDeploymentByName,
  setDeploymentPaused,
  updateDeployment,
  upsertDeployment,
} from "../db/deployments";
import { getFlow } from "../db/flows";
import { found, notFound } from "../errors";
import { nudgePoolsLater } from "../pool/notify";
import { flowRunState } from "../stream/events";
import { streamLater } from "../stream/publish";
import { assertTriggerParameterNames, assertTriggerTemplates } from "../triggers/validate";
import type { AppEnv } from "../types";
import { valid } from "../validate";
import { deploymentChanged } from "./deployment-changes";
import { assertParametersFit, assertSchedulesRun, scheduleParameterSets, workPoolIdOf, type SchedulePath } from "./deployment-checks";
import { deploymentScheduleRoutes } from "./deployment-schedules";
import { scheduleSoon } from "./schedule-soon";

const inBody: SchedulePath = (i) => `body.schedules.${i}`;

type ParameterFields = Parameters<typeof assertParametersFit>[0] & { schedules?: { parameters: Record<string, unknown> }[] };
/** The deployment's defaults and each given schedule's parameters must fit its schema. */
const assertDeploymentParameters = (d: ParameterFields) =>
  assertParametersFit(d, [{ at: "body.parameters", params: d.parameters }, ...scheduleParameterSets(d.parameters, d.schedules ?? [], inBody)]);

/** The fields a PATCH sent, for its event (their values may be large; the event says what changed). */
const sentFields = (update: object) => ({ fields: Object.keys(update).sort() });

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
    assertTriggerTemplates(input.triggers);
    assertTriggerParameterNames(input.triggers, input);
    const { deployment, row, created, poolChanged } = await upsertDeployment(db, { ...input, work_pool_id }, now);
    scheduleSoon(c, deployment.id);
    // Runs moved from the old pool may be due already.
    if (poolChanged) nudgePoolsLater(c, [row.work_pool_id]);
    await deploymentChanged(c, created ? "created" : "updated", { ...deployment, work_pool_id: row.work_pool_id });
    const [answer] = await asResponses(db, [deployment]);
    return c.json(answer, created ? 201 : 200);
  })
  .post("/filter", valid("json", DeploymentFilter), async (c) =>
    c.json(await asResponses(c.var.db, await filterDeployments(c.var.db, c.req.valid("json")))),
  )
  .post("/count", valid("json", DeploymentCount), async (c) => c.json(await countDeployments(c.var.db, c.req.valid("json"))))
  .get("/name/:flow/:name", valid("param", DeploymentNamePath), async (c) => {
    const { flow, name } = c.req.valid("param");
    const deployment = found(await getDeploymentByName(c.var.db, flow, name), "deployment", `${flow}/${name}`);
    return c.json((await asResponses(c.var.db, [deployment]))[0]);
  })
  .get("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json((await asResponses(c.var.db, [found(await getDeployment(c.var.db, id), "deployment", id)]))[0]);
  })
  .get("/:id/triggers", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    const [deployment, triggers] = await Promise.all([getDeployment(c.var.db, id), listTriggers(c.var.db, id)]);
    found(deployment, "deployment", id);
    return c.json(triggers);
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
    assertTriggerTemplates(update.triggers);
    // Triggers sent again are checked against the schema as it will be; a PATCH of the schema alone does not re-check stored ones.
    assertTriggerParameterNames(update.triggers, { ...current, ...update });
    const row = await updateDeployment(db, id, { ...update, ...pool }, now);
    if (!row) throw notFound("deployment", id);
    scheduleSoon(c, id);
    if (work_pool_name !== undefined && work_pool_name !== current.work_pool_name) nudgePoolsLater(c, [row.work_pool_id]);
    await deploymentChanged(c, "updated", row, sentFields(c.req.valid("json")));
    return c.body(null, 204);
  })
  .delete("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    const deleted = await deleteDeployment(c.var.db, id);
    if (!deleted) throw notFound("deployment", id);
    streamLater(c, deleted.cancelled_runs.flatMap((r) => flowRunState(r.id, r.state)));
    await deploymentChanged(c, "deleted", deleted.deployment);
    return c.body(null, 204);
  })
  .post("/:id/pause_deployment", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    const row = await setDeploymentPaused(c.var.db, id, true);
    if (!row) throw notFound("deployment", id);
    await deploymentChanged(c, "paused", row);
    return c.body(null, 204);
  })
  .post("/:id/resume_deployment", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    const row = await setDeploymentPaused(c.var.db, id, false);
    if (!row) throw notFound("deployment", id);
    scheduleSoon(c, id);
    await deploymentChanged(c, "resumed", row);
    return c.body(null, 204);
  })
  .route("/", deploymentScheduleRoutes);
