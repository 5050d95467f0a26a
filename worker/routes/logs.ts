import { Hono } from "hono";
import { LogBatch, LogFilter, type LogBatchResult } from "../../protocol/logs";
import { filterLogs, insertLogs, missingFlowRuns } from "../db/logs";
import { ApiError } from "../errors";
import { logsStored } from "../stream/events";
import { streamLater } from "../stream/publish";
import type { AppEnv } from "../types";
import { valid } from "../validate";

const NAMED_IN_DETAIL = 10;

export const logRoutes = new Hono<AppEnv>()
  .post("/", valid("json", LogBatch), async (c) => {
    const lines = c.req.valid("json");
    const missing = await missingFlowRuns(c.var.db, [...new Set(lines.map((l) => l.flow_run_id))]);
    if (missing.length > 0) {
      const named = missing.slice(0, NAMED_IN_DETAIL).map((id) => JSON.stringify(id)).join(", ");
      const more = missing.length > NAMED_IN_DETAIL ? ` and ${missing.length - NAMED_IN_DETAIL} more` : "";
      throw new ApiError(404, `flow run${missing.length > 1 ? "s" : ""} ${named}${more} not found; no log was stored`);
    }
    await insertLogs(c.var.db, lines);
    streamLater(c, logsStored(lines));
    return c.json({ count: lines.length } satisfies LogBatchResult, 201);
  })
  .post("/filter", valid("json", LogFilter), async (c) => c.json(await filterLogs(c.var.db, c.req.valid("json"))));
