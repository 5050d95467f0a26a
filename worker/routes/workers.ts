import { Hono } from "hono";
import * as v from "valibot";
import { Name, NamePath } from "../../protocol/common";
import { WorkerFilter, WorkerHeartbeat } from "../../protocol/work-pools";
import { deleteWorker, filterWorkers, recordHeartbeat } from "../db/workers";
import { ApiError, found, notFound } from "../errors";
import type { AppEnv } from "../types";
import { valid } from "../validate";

const WorkerPath = v.object({ name: Name, worker_name: Name });

/** Mounted under /work_pools/:name/workers. */
export const workerRoutes = new Hono<AppEnv>()
  .post("/heartbeat", valid("param", NamePath), valid("json", WorkerHeartbeat), async (c) => {
    const { name } = c.req.valid("param");
    if ((await recordHeartbeat(c.var.db, name, c.req.valid("json"))) === 0) throw notFound("work pool", name);
    return c.body(null, 204);
  })
  .post("/filter", valid("param", NamePath), valid("json", WorkerFilter), async (c) => {
    const { name } = c.req.valid("param");
    return c.json(found(await filterWorkers(c.var.db, name, c.req.valid("json")), "work pool", name));
  })
  .delete("/:worker_name", valid("param", WorkerPath), async (c) => {
    const { name, worker_name } = c.req.valid("param");
    const result = await deleteWorker(c.var.db, name, worker_name);
    if (result === "no pool") throw notFound("work pool", name);
    if (result === "no worker") {
      throw new ApiError(404, `worker ${JSON.stringify(worker_name)} not found in work pool ${JSON.stringify(name)}`);
    }
    return c.body(null, 204);
  });
