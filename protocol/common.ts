import * as v from "valibot";

import { IsoDateTime } from "./states";

export { IsoDateTime };

export const Uuid = v.pipe(v.string(), v.uuid("must be a UUID"));

/** Names of flows, deployments, pools and workers appear in URL paths, so `/` is not allowed. */
export const Name = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, "must not be empty"),
  v.maxLength(200, "must be at most 200 characters"),
  v.regex(/^[^/%\\\u0000-\u001f]+$/, "must not contain '/', '%', '\\' or control characters"),
);

export const Tag = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
export const Tags = v.pipe(v.array(Tag), v.maxLength(50, "at most 50 tags"));

export const Description = v.pipe(v.string(), v.maxLength(10_000));

export const MAX_JSON_DEPTH = 32;
/** Nesting depth of a JSON value, stopping early once past the limit. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  if (value === null || typeof value !== "object") return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest >= limit) break;
  }
  return deepest + 1;
}

/** A free-form JSON object (parameters, job variables, schemas), with bounded nesting. */
/** D1 rows are limited in size; parameters and schemas stay far below it, results go elsewhere. */
export const MAX_JSON_OBJECT_BYTES = 256 * 1024;
export const jsonBytes = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

// valibot's record takes arrays too (and outputs them as objects), so arrays are refused before it.
const NotAnArray = v.custom<unknown>((x) => !Array.isArray(x), "must be a JSON object");

export const JsonObject = v.pipe(
  NotAnArray,
  v.record(v.string(), v.unknown()),
  v.check((o) => jsonDepth(o) <= MAX_JSON_DEPTH, `must not be nested deeper than ${MAX_JSON_DEPTH} levels`),
  v.check((o) => jsonBytes(o) <= MAX_JSON_OBJECT_BYTES, `must be at most ${MAX_JSON_OBJECT_BYTES} bytes of JSON`),
);

export const Limit = (max = 200, fallback = 200) =>
  v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max, `must be at most ${max}`)), fallback);
export const Offset = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000)), 0);

/** D1 binds at most 100 parameters per statement; lists in filters stay well under it. */
export const MAX_FILTER_LIST = 90;
export const ListOf = <T extends v.GenericSchema>(item: T) =>
  v.pipe(v.array(item), v.maxLength(MAX_FILTER_LIST, `at most ${MAX_FILTER_LIST} values`));

/** Prefect's `{ any_: [...] }` filter operand. */
export const AnyOf = <T extends v.GenericSchema>(item: T) => v.object({ any_: v.optional(ListOf(item)) });

/** Prefect's `{ before_, after_ }` time filter operand. */
export const TimeRange = v.object({
  before_: v.optional(IsoDateTime),
  after_: v.optional(IsoDateTime),
});

export const IdPath = v.object({ id: Uuid });
export const NamePath = v.object({ name: Name });

/** The error body of every 4xx and 5xx answer. */
export const ErrorBody = v.object({
  detail: v.string(),
  errors: v.optional(v.array(v.object({ path: v.optional(v.string()), message: v.string() }))),
});
export type ErrorBody = v.InferOutput<typeof ErrorBody>;
