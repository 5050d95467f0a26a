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

/** `additionalProperties` with a schema is a wrapper too (the error below it says what); with `false`, nothing is below. */
const explainedBelow = (unit: OutputUnit, units: OutputUnit[]) =>
  unit.keyword === "additionalProperties" && units.some((u) => u.keyword !== "false" && u.keywordLocation.startsWith(`${unit.keywordLocation}/`));

function summarise(units: OutputUnit[]): ParameterError[] {
  const alternatives = units.filter((u) => ALTERNATIVES.has(u.keyword)).map((u) => `${u.keywordLocation}/`);
  return units
    .filter((u) => !WRAPPERS.has(u.keyword) && !explainedBelow(u, units))
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

/** Keywords through which a schema may accept names its `properties` do not list. */
const OPENERS = ["patternProperties", "unevaluatedProperties", "dependentSchemas", "allOf", "anyOf", "oneOf", "if", "$ref", "$dynamicRef"];

/**
 * The parameter names a schema takes, when it says it takes no others (`additionalProperties: false`, what
 * the SDK writes for a valibot object): a name outside them could never reach the flow, so it is refused,
 * naming the ones the flow takes. A schema that leaves `additionalProperties` unsaid stays open, as JSON
 * Schema reads it: deployments made by SDKs that did not write it keep taking what they took. With a
 * keyword that can admit other names (`patternProperties`, combinators, `$ref`) the JSON Schema check
 * alone decides.
 */
export function closedParameterNames(schema: Record<string, unknown>): string[] | null {
  const properties = schema.properties;
  if (properties === null || typeof properties !== "object" || Array.isArray(properties)) return null;
  if (schema.additionalProperties !== false) return null;
  if (OPENERS.some((k) => k in schema)) return null;
  return Object.keys(properties);
}

/** Each name of `params` not in `names`, with the names the flow takes. */
export function unknownParameters(names: string[], params: Record<string, unknown>): ParameterError[] {
  const takes = names.length === 0 ? "the flow takes no parameters" : `the flow's parameters are: ${names.join(", ")}`;
  return Object.keys(params)
    .filter((key) => !names.includes(key))
    .map((key) => ({ path: key, message: `unknown parameter (${takes})` }));
}

/**
 * Checks parameters against a deployment's JSON schema (Prefect's `parameter_openapi_schema`). Runs
 * without eval, as Workers require. `ignoreRequired` is for a deployment's default parameters, which
 * may leave required ones to each run (as Prefect does). Names the schema does not take come first,
 * each with the names it does take (closedParameterNames).
 */
export function checkParameters(
  schema: Record<string, unknown>,
  params: Record<string, unknown>,
  options: { ignoreRequired?: boolean } = {},
): ParameterCheck {
  const names = closedParameterNames(schema);
  const unknown = names ? unknownParameters(names, params) : [];
  // The unknown names were just reported, better: the rest is checked without them.
  const known = names ? Object.fromEntries(Object.entries(params).filter(([key]) => names.includes(key))) : params;
  const effective = (options.ignoreRequired ? withoutRequired(schema) : schema) as Schema;
  let units: OutputUnit[];
  try {
    const result = new Validator(effective, "2020-12", false).validate(known);
    if (result.valid) return unknown.length > 0 ? { ok: false, errors: unknown.slice(0, MAX_ERRORS) } : { ok: true };
    units = result.errors;
  } catch (err) {
    // An unresolvable $ref and the like: the schema, not the parameters, is at fault.
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { ok: false, errors: [{ path: "", message: `the parameter schema cannot be used: ${reason}` }] };
  }
  const errors = [...unknown, ...summarise(units)].slice(0, MAX_ERRORS);
  return { ok: false, errors: errors.length > 0 ? errors : [{ path: "", message: "parameters do not match the schema" }] };
}
