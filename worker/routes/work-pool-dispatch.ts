import { Hono } from "hono";
import { NamePath } from "../../protocol/common";
import { GetScheduledFlowRuns } from "../../protocol/work-pools";
import type { ClaimedRun } from "../db/pool-runs";
import { getWorkPoolByName } from "../db/work-pools";
import { ApiError, found } from "../errors";
import { poolStub } from "../pool/notify";
import { POOL_ID_HEADER } from "../pool/work-pool";
import type { AppEnv } from "../types";
import { valid } from "../validate";

/** How workers get runs: the pool's socket, or long-polling for those that cannot hold one. */
export const workPoolDispatchRoutes = new Hono<AppEnv>()
  .get("/:name/connect", valid("param", NamePath), async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "this is the worker socket: connect with a WebSocket upgrade (baton worker start does)");
    }
    const { name } = c.req.valid("param");
    const pool = found(await getWorkPoolByName(c.var.db, name), "work pool", name);
    const forwarded = new Request(c.req.raw);
    forwarded.headers.set(POOL_ID_HEADER, pool.id);
    return poolStub(c.env, pool.id).fetch(forwarded);
  })
  .post("/:name/get_scheduled_flow_runs", valid("param", NamePath), valid("json", GetScheduledFlowRuns), async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const pool = found(await getWorkPoolByName(c.var.db, name), "work pool", name);
    // RPC's types cannot express the runs' free-form JSON fields; the object answers ClaimedRun[] | null.
    const claimed = (await poolStub(c.env, pool.id).poll(pool.id, {
      worker_name: body.worker_name,
      limit: body.limit,
      wait_ms: body.wait_seconds * 1000,
      heartbeat_interval_seconds: body.heartbeat_interval_seconds,
    })) as unknown as ClaimedRun[] | null;
    if (claimed === null) throw new ApiError(404, `work pool ${JSON.stringify(name)} was deleted`);
    return c.json(
      claimed.map(({ worker_id: _w, ...run }) => ({ work_pool_id: pool.id, work_queue_id: null, ...run })),
    );
  });
