import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import { ApiError } from "./errors";

const WHERE: Record<string, string> = { json: "body", query: "query", param: "path" };

function formatPath(target: string, path: StandardSchemaV1.Issue["path"]): string {
  const keys = (path ?? []).map((p) => (typeof p === "object" ? p.key : p));
  return [WHERE[target] ?? target, ...keys].join(".");
}

/**
 * Validates one part of the request with a valibot schema from protocol/ (which also documents it in
 * /api/openapi.json); a failure is a 422 naming every bad field.
 */
export function valid<S extends StandardSchemaV1, T extends keyof ValidationTargets>(target: T, schema: S) {
  return validator(target, schema, (result) => {
    if (result.success) return;
    const issues = (result as { error: readonly StandardSchemaV1.Issue[] }).error;
    const errors = issues.slice(0, 20).map((i) => ({ path: formatPath(target, i.path), message: i.message }));
    const first = errors[0];
    throw new ApiError(422, first ? `invalid ${first.path}: ${first.message}` : `invalid ${WHERE[target] ?? target}`, errors);
  });
}
