import * as v from "valibot";
import { IsoDateTime, Limit, Offset, Uuid } from "./common";

/** Python logging levels, which Prefect uses too. */
export const LOG_LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;

export const LogCreate = v.object({
  /** Chosen by the client, so a batch sent twice is stored once. */
  id: v.optional(Uuid),
  flow_run_id: Uuid,
  task_run_id: v.optional(v.nullable(Uuid), null),
  name: v.optional(v.pipe(v.string(), v.maxLength(200)), "baton"),
  level: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)),
  message: v.pipe(v.string(), v.maxLength(100_000, "must be at most 100,000 characters")),
  /** Stored in UTC as `toISOString()` text, which orders the primary key (IsoDateTime admits only such times). */
  timestamp: IsoDateTime,
});
export type LogCreate = v.InferOutput<typeof LogCreate>;

export const LogBatch = v.pipe(v.array(LogCreate), v.minLength(1, "send at least one log"), v.maxLength(1000, "at most 1,000 logs a request"));
export type LogBatch = v.InferOutput<typeof LogBatch>;

/** Answer to a batch: how many lines it carried, all now stored (a resent line counts, it is stored once). */
export const LogBatchResult = v.object({ count: v.number() });
export type LogBatchResult = v.InferOutput<typeof LogBatchResult>;

export const Log = v.object({
  id: v.string(),
  created: v.string(),
  flow_run_id: v.string(),
  task_run_id: v.nullable(v.string()),
  name: v.string(),
  level: v.number(),
  message: v.string(),
  timestamp: v.string(),
});
export type Log = v.InferOutput<typeof Log>;

// Strict, so an unknown filter field is refused rather than ignored into unfiltered results; lists are
// capped so that a whole filter stays under D1's 100 bound parameters per statement.
export const LogFilter = v.strictObject({
  logs: v.optional(
    v.strictObject({
      flow_run_id: v.optional(v.strictObject({ any_: v.optional(v.pipe(v.array(Uuid), v.maxLength(40))) })),
      task_run_id: v.optional(v.strictObject({ any_: v.optional(v.pipe(v.array(Uuid), v.maxLength(50))) })),
      level: v.optional(
        v.strictObject({
          ge_: v.optional(v.pipe(v.number(), v.integer())),
          le_: v.optional(v.pipe(v.number(), v.integer())),
        }),
      ),
      timestamp: v.optional(v.strictObject({ before_: v.optional(IsoDateTime), after_: v.optional(IsoDateTime) })),
    }),
  ),
  sort: v.optional(v.picklist(["TIMESTAMP_ASC", "TIMESTAMP_DESC"]), "TIMESTAMP_ASC"),
  limit: Limit(1000, 200),
  offset: Offset,
});
export type LogFilter = v.InferOutput<typeof LogFilter>;
