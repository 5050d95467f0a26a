import { Validator, type OutputUnit, type Schema } from "@cfworker/json-schema";

export type ParameterError = { path: string; message: string };
export type ParameterCheck = { ok: true } | { ok: false; errors: ParameterError[] };

const MAX_ERRORS = 20;

/*
 * Keywords whose error only says "something below failed": the error below it says what. Dropping them
 * leaves one line per actual problem. `false` is the boolean schema that `additionalProperties: false`
 * points to; its parent error names the property, so that one is kept instead.
 */
const WRAPPERS = new Set([
  "properties",
  "patternProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "$ref",
  "$recursiveRef",
  "$dynamicRef",
  "allOf",
  "dependentSchemas",
  "if",
  "then",
  "else",
  "false",
]);
/** For these, the failure of each alternative is noise: "matches none of them" is the message. */
const ALTERNATIVES = new Set(["anyOf", "oneOf", "not"]);

/** `#/a/0/b` → `a.0.b` (the root is ""). */
function pathOf(instanceLocation: string): string {
  return instanceLocation
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "")
    .map((p) => decodeURIComponent(p).replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}

function summarise(units: OutputUnit[]): ParameterError[] {
  const alternatives = units.filter((u) => ALTERNATIVES.has(u.keyword)).map((u) => `${u.keywordLocation}/`);
  return units
    .filter((u) => !WRAPPERS.has(u.keyword))
    .filter((u) => !alternatives.some((prefix) => u.keywordLocation.startsWith(prefix)))
    .slice(0, MAX_ERRORS)
    .map((u) => ({ path: pathOf(u.instanceLocation), message: u.error }));
}

/** A copy of the schema without `required` lists (a property may itself be named "required": only arrays go). */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "required" && Array.isArray(value)))
      .map(([key, value]) => [key, withoutRequired(value)]),
  );
}

/**
 * Checks parameters against a deployment's JSON schema (Prefect's `parameter_openapi_schema`). Runs
 * without eval, as Workers require. `ignoreRequired` is for a deployment's default parameters, which
 * may leave required ones to each run (as Prefect does).
 */
export function checkParameters(
  schema: Record<string, unknown>,
  params: Record<string, unknown>,
  options: { ignoreRequired?: boolean } = {},
): ParameterCheck {
  const effective = (options.ignoreRequired ? withoutRequired(schema) : schema) as Schema;
  let units: OutputUnit[];
  try {
    const result = new Validator(effective, "2020-12", false).validate(params);
    if (result.valid) return { ok: true };
    units = result.errors;
  } catch (err) {
    // An unresolvable $ref and the like: the schema, not the parameters, is at fault.
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { ok: false, errors: [{ path: "", message: `the parameter schema cannot be used: ${reason}` }] };
  }
  const errors = summarise(units);
  return { ok: false, errors: errors.length > 0 ? errors : [{ path: "", message: "parameters do not match the schema" }] };
}
