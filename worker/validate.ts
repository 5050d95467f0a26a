import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { uniqueSymbol, validator } from "hono-openapi";
import { jsonDepth, MAX_JSON_DEPTH } from "../protocol/common";
import { ApiError } from "./errors";

/** Room for a JsonObject field (MAX_JSON_DEPTH) inside the request's own few levels. */
const MAX_BODY_DEPTH = MAX_JSON_DEPTH + 8;
const WHERE: Record<string, string> = { json: "body", query: "query", param: "path" };

function formatPath(target: string, path: StandardSchemaV1.Issue["path"]): string {
  const keys = (path ?? []).map((p) => (typeof p === "object" ? p.key : p));
  return [WHERE[target] ?? target, ...keys].join(".");
}

/**
 * valibot's object and record schemas accept arrays (they are objects too), so a JSON body's outer
 * shape is checked against the schema's own kind before the schema runs; and no body may nest deeper
 * than any schema does (unknown keys would otherwise be dropped silently, however deep).
 */
function outerShapeGuard(schema: StandardSchemaV1): MiddlewareHandler {
  const wantsArray = (schema as { type?: string }).type === "array";
  return async (c, next) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return next();
    }
    if (Array.isArray(body) !== wantsArray) {
      throw new ApiError(422, `invalid body: must be a JSON ${wantsArray ? "array" : "object"}`);
    }
    if (jsonDepth(body, MAX_BODY_DEPTH + 1) > MAX_BODY_DEPTH) {
      throw new ApiError(422, `invalid body: nested deeper than ${MAX_BODY_DEPTH} levels`);
    }
    await next();
  };
}

/**
 * Validates one part of the request with a valibot schema from protocol/ (which also documents it in
 * /api/openapi.json); a failure is a 422 naming every bad field.
 */
export function valid<S extends StandardSchemaV1, T extends keyof ValidationTargets>(target: T, schema: S) {
  const check = validator(target, schema, (result) => {
    if (result.success) return;
    const issues = (result as { error: readonly StandardSchemaV1.Issue[] }).error;
    const errors = issues.slice(0, 20).map((i) => ({ path: formatPath(target, i.path), message: i.message }));
    const first = errors[0];
    throw new ApiError(422, first ? `invalid ${first.path}: ${first.message}` : `invalid ${WHERE[target] ?? target}`, errors);
  });
  if (target !== "json") return check;
  const guard = outerShapeGuard(schema);
  const guarded = (async (c, next) => {
    await guard(c, async () => {
      await check(c, next);
    });
  }) as typeof check;
  // hono-openapi finds a route's schema through this property of its validator middleware.
  return Object.assign(guarded, { [uniqueSymbol]: (check as unknown as Record<symbol, unknown>)[uniqueSymbol] });
}
