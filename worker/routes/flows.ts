import { Hono } from "hono";
import * as v from "valibot";
import { IdPath, NamePath } from "../../protocol/common";
import { FlowCreate, FlowFilter } from "../../protocol/flows";
import { countFlows, deleteFlow, filterFlows, getFlow, getFlowByName, upsertFlow } from "../db/flows";
import { found, notFound } from "../errors";
import type { AppEnv } from "../types";
import { valid } from "../validate";

export const flowRoutes = new Hono<AppEnv>()
  .post("/", valid("json", FlowCreate), async (c) => {
    const { flow, created } = await upsertFlow(c.var.db, c.req.valid("json"));
    return c.json(flow, created ? 201 : 200);
  })
  .post("/filter", valid("json", FlowFilter), async (c) => c.json(await filterFlows(c.var.db, c.req.valid("json"))))
  .post("/count", valid("json", v.pick(FlowFilter, ["flows"])), async (c) =>
    c.json(await countFlows(c.var.db, c.req.valid("json"))),
  )
  .get("/name/:name", valid("param", NamePath), async (c) => {
    const { name } = c.req.valid("param");
    return c.json(found(await getFlowByName(c.var.db, name), "flow", name));
  })
  .get("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(found(await getFlow(c.var.db, id), "flow", id));
  })
  .delete("/:id", valid("param", IdPath), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteFlow(c.var.db, id))) throw notFound("flow", id);
    return c.body(null, 204);
  });

