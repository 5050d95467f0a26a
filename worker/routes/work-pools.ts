import { Hono } from "hono";
import * as v from "valibot";
import { NamePath } from "../../protocol/common";
import { WorkPoolCreate, WorkPoolFilter, WorkPoolUpdate } from "../../protocol/work-pools";
import {
  countWorkPools,
  createWorkPool,
  deleteWorkPool,
  filterWorkPools,
  getWorkPoolByName,
  updateWorkPool,
} from "../db/work-pools";
import { ApiError, found, notFound } from "../errors";
import { workPoolEvent } from "../events/baton-events";
import { emitLater } from "../events/emit";
import { nudgePoolsLater } from "../pool/notify";
import type { AppEnv } from "../types";
import { valid } from "../validate";
import { workPoolDispatchRoutes } from "./work-pool-dispatch";
import { workerRoutes } from "./workers";

/** Why a pool cannot be deleted yet, naming the deployments that use it and what to do. */
function poolInUse(name: string, named: string[], total: number): string {
  if (named.length === 0) return `work pool ${JSON.stringify(name)} is in use by a deployment; try again`;
  const more = total > named.length ? ` and ${total - named.length} more` : "";
  const list = `${named.join(", ")}${more}`;
  const them = total === 1 ? "it" : "them";
  return `work pool ${JSON.stringify(name)} is used by ${total === 1 ? "deployment" : `${total} deployments:`} ${list}; deploy ${them} to another pool or delete ${them} first`;
}

/** Why a pool no deployment uses cannot be deleted yet: its workers still have runs of it. */
function poolBusy(name: string, runs: number): string {
  const them = runs === 1 ? "1 run" : `${runs} runs`;
  return `work pool ${JSON.stringify(name)} still has ${them} in progress (started by its workers before their deployments moved to another pool); wait for ${runs === 1 ? "it" : "them"} to finish, or cancel ${runs === 1 ? "it" : "them"}, then delete the pool`;
}

/** Pools are addressed by name in paths, as in Prefect. */
export const workPoolRoutes = new Hono<AppEnv>()
  .post("/", valid("json", WorkPoolCreate), async (c) => {
    const input = c.req.valid("json");
    const pool = await createWorkPool(c.var.db, input);
    if (!pool) throw new ApiError(409, `work pool ${JSON.stringify(input.name)} already exists`);
    emitLater(c, [workPoolEvent("created", pool)]);
    return c.json(pool, 201);
  })
  .post("/filter", valid("json", WorkPoolFilter), async (c) =>
    c.json(await filterWorkPools(c.var.db, c.req.valid("json"))),
  )
  .post("/count", valid("json", v.pick(WorkPoolFilter, ["work_pools"])), async (c) =>
    c.json(await countWorkPools(c.var.db, c.req.valid("json"))),
  )
  .get("/:name", valid("param", NamePath), async (c) => {
    const { name } = c.req.valid("param");
    return c.json(found(await getWorkPoolByName(c.var.db, name), "work pool", name));
  })
  .patch("/:name", valid("param", NamePath), valid("json", WorkPoolUpdate), async (c) => {
    const { name } = c.req.valid("param");
    const patch = c.req.valid("json");
    const id = await updateWorkPool(c.var.db, name, patch);
    if (!id) throw notFound("work pool", name);
    nudgePoolsLater(c, [id]);
    const paused = patch.is_paused === undefined ? [] : [workPoolEvent(patch.is_paused ? "paused" : "resumed", { id, name })];
    emitLater(c, [workPoolEvent("updated", { id, name }, { updated: Object.keys(patch) }), ...paused]);
    return c.body(null, 204);
  })
  // Baton's shortcuts for the CLI and dashboard; the same as PATCH { is_paused }.
  .post("/:name/pause", valid("param", NamePath), async (c) => {
    const { name } = c.req.valid("param");
    const id = await updateWorkPool(c.var.db, name, { is_paused: true });
    if (!id) throw notFound("work pool", name);
    nudgePoolsLater(c, [id]);
    emitLater(c, [workPoolEvent("paused", { id, name })]);
    return c.body(null, 204);
  })
  .post("/:name/resume", valid("param", NamePath), async (c) => {
    const { name } = c.req.valid("param");
    const id = await updateWorkPool(c.var.db, name, { is_paused: false });
    if (!id) throw notFound("work pool", name);
    nudgePoolsLater(c, [id]);
    emitLater(c, [workPoolEvent("resumed", { id, name })]);
    return c.body(null, 204);
  })
  .delete("/:name", valid("param", NamePath), async (c) => {
    const { name } = c.req.valid("param");
    const result = await deleteWorkPool(c.var.db, name);
    if ("missing" in result) throw notFound("work pool", name);
    if ("usedBy" in result) throw new ApiError(409, poolInUse(name, result.usedBy, result.users));
    if ("inProgress" in result) throw new ApiError(409, poolBusy(name, result.inProgress));
    const id = result.deleted;
    // Its object closes the workers' sockets when it finds the pool gone.
    nudgePoolsLater(c, [id]);
    emitLater(c, [workPoolEvent("deleted", { id, name })]);
    return c.body(null, 204);
  })
  .route("/:name/workers", workerRoutes)
  .route("/", workPoolDispatchRoutes);
