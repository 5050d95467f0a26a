import { Hono } from "hono";
import * as v from "valibot";
import { EventBatch, EventFilter, EventBatchAccepted } from "../../protocol/events";
import { jsonBytes } from "../../protocol/common";
import { ApiError } from "../errors";
import { emitEvents } from "../events/emit";
import { decodePageToken } from "../events/page-token";
import { filterEvents } from "../events/store";
import type { AppEnv } from "../types";
import { valid } from "../validate";

/** An event is one D1 row, and D1 rows hold at most 2 MB; a payload alone may be 256 KB. */
export const MAX_EVENT_BYTES = 512 * 1024;

/** Events over MAX_EVENT_BYTES (resource, related and payload together), as 422 errors. */
function oversized(batch: v.InferOutput<typeof EventBatch>): { path: string; message: string }[] {
  return batch.flatMap((e, i) => {
    const bytes = jsonBytes(e);
    return bytes > MAX_EVENT_BYTES ? [{ path: `body.${i}`, message: `event is ${bytes} bytes of JSON, at most ${MAX_EVENT_BYTES}` }] : [];
  });
}

/** `POST /api/events` (a batch, all stored or none) and `POST /api/events/filter` (newest first, keyset pages). */
export const eventRoutes = new Hono<AppEnv>()
  .post("/", valid("json", EventBatch), async (c) => {
    const batch = c.req.valid("json");
    const tooBig = oversized(batch);
    if (tooBig.length > 0) throw new ApiError(422, `invalid ${tooBig[0]!.path}: ${tooBig[0]!.message}; no event was stored`, tooBig);
    const stored = await emitEvents(c.env, batch, { waitUntil: (p) => c.executionCtx.waitUntil(p) });
    return c.json({ ids: stored.map((e) => e.id) } satisfies v.InferOutput<typeof EventBatchAccepted>, 202);
  })
  .post("/filter", valid("json", EventFilter), async (c) => {
    const { next_page, ...filter } = c.req.valid("json");
    const after = next_page === undefined ? null : decodePageToken(next_page);
    if (next_page !== undefined && !after) {
      throw new ApiError(422, "invalid body.next_page: not a page token from a previous answer", [{ path: "body.next_page", message: "not a page token from a previous answer" }]);
    }
    return c.json(await filterEvents(c.var.db, filter, after));
  });
