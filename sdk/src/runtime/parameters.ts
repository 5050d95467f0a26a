import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import { jsonBytes, MAX_JSON_OBJECT_BYTES } from "../../../protocol/common";
import { summariseValue } from "./summary";
import type { FlowOptions } from "./types";

/** Invalid parameters of a flow run: the run ends FAILED without running. */
export class ParameterError extends Error {
  override name = "ParameterError";
}

/**
 * What the flow does with names its valibot schema does not list, for `additionalProperties`: an object
 * drops them and a strict object refuses them (the server refuses them up front), a loose object hands
 * them to the flow. toJsonSchema says nothing for the first and the third, and the server reads an
 * unsaid one as open (JSON Schema's reading), so both are said here.
 */
const EXTRA_NAMES: Record<string, boolean> = { object: false, strict_object: false, loose_object: true };

type ValibotNode = { type?: string; wrapped?: ValibotNode };

/** The schema under wrappers (`v.optional(v.object(…))`); a pipe keeps its root's type already. */
const rootSchema = (node: ValibotNode): ValibotNode => (node.wrapped ? rootSchema(node.wrapped) : node);

/**
 * The JSON schema of a flow's parameters object: derived from options.parameters when given. Without one,
 * any object is accepted (TypeScript types do not exist at run time, so there is nothing to derive from).
 */
export function parameterSchema(options: FlowOptions<never>): Record<string, unknown> {
  if (!options.parameters) return { type: "object", additionalProperties: true };
  // Parts JSON schema cannot say (transforms, custom checks) are left out rather than failing the deploy.
  const schema = toJsonSchema(options.parameters, { errorMode: "ignore" }) as Record<string, unknown>;
  const extra = EXTRA_NAMES[rootSchema(options.parameters as ValibotNode).type ?? ""];
  if (schema.type === "object" && schema.additionalProperties === undefined && extra !== undefined) schema.additionalProperties = extra;
  return schema;
}

/** The parameters the flow's function gets: checked (defaults applied) by the schema when there is one. */
export async function validParameters(flowName: string, options: FlowOptions<never>, parameters: unknown): Promise<Record<string, unknown>> {
  const given = parameters ?? {};
  if (!options.parameters) return given as Record<string, unknown>;
  const result = await v.safeParseAsync(options.parameters as v.GenericSchema, given);
  if (result.success) return result.output as Record<string, unknown>;
  const issues = result.issues.map((i) => `${v.getDotPath(i) ?? "parameters"}: ${i.message}`).join("; ");
  throw new ParameterError(`invalid parameters for flow ${JSON.stringify(flowName)}: ${issues}`);
}

/**
 * The parameters as recorded on the run (JSON). Values JSON cannot carry, or a whole that is too large
 * for the server, are recorded as summaries.
 */
export function recordedParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (json && jsonBytes(json) <= MAX_JSON_OBJECT_BYTES) return json;
  return Object.fromEntries(Object.entries(parameters).map(([k, value]) => [k, summariseValue(value)]));
}
