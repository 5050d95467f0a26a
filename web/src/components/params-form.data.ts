/**
 * A run's parameters form, generated from a deployment's `parameter_openapi_schema` (JSON schema). Only
 * the top-level properties become fields; anything the form cannot show as one input (objects, arrays,
 * unions of several types) is edited as JSON. The server checks the whole schema again on submit, and its
 * 422 details are shown next to the fields they name.
 */

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "json";

export interface Field {
  name: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  /** For kind "enum". */
  options?: readonly unknown[];
  /** The schema of the field, after $ref and nullable unions are resolved, for range checks. */
  schema: Record<string, unknown>;
  /** Whether null is a valid value (an `anyOf` with `{type: "null"}`). */
  nullable: boolean;
}

/** Form values are text (or a checkbox's boolean), so a half-typed number is kept as typed. */
export type FormValues = Record<string, string | boolean>;

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** Resolves local `#/definitions/X` and `#/$defs/X` references (Prefect's and valibot's schemas use them). */
function resolve(root: Schema, node: Schema, depth = 0): Schema {
  const ref = node.$ref;
  if (typeof ref !== "string" || depth > 10) return node;
  const target = ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), root);
  return isObject(target) ? resolve(root, { ...target, ...without(node, "$ref") }, depth + 1) : node;
}

function without(node: Schema, key: string): Schema {
  const { [key]: _, ...rest } = node;
  return rest;
}

/** `anyOf: [X, {type: "null"}]` (how Pydantic and valibot spell optional) is X, nullable. */
function unwrapNullable(root: Schema, node: Schema): { schema: Schema; nullable: boolean } {
  const alternatives = node.anyOf ?? node.oneOf;
  if (Array.isArray(alternatives)) {
    const resolved = alternatives.filter(isObject).map((a) => resolve(root, a));
    const nonNull = resolved.filter((a) => a.type !== "null");
    if (nonNull.length === 1 && resolved.length === 2) {
      return { schema: { ...without(without(node, "anyOf"), "oneOf"), ...nonNull[0] }, nullable: true };
    }
  }
  if (Array.isArray(node.type) && node.type.includes("null") && node.type.length === 2) {
    return { schema: { ...node, type: node.type.find((t) => t !== "null") }, nullable: true };
  }
  return { schema: node, nullable: false };
}

function kindOf(schema: Schema): FieldKind {
  if (Array.isArray(schema.enum)) return "enum";
  switch (schema.type) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    default:
      return "json";
  }
}

export function fieldsOf(rootSchema: Record<string, unknown> | null | undefined): Field[] {
  if (!rootSchema) return [];
  const root = resolve(rootSchema, rootSchema);
  const properties = isObject(root.properties) ? root.properties : {};
  const required = new Set(Array.isArray(root.required) ? root.required.filter((r) => typeof r === "string") : []);
  const positions = isObject(root.properties) ? Object.keys(properties) : [];
  return positions.flatMap((name) => {
    const raw = properties[name];
    if (!isObject(raw)) return [];
    const { schema, nullable } = unwrapNullable(rootSchema, resolve(rootSchema, raw));
    const kind = kindOf(schema);
    return [
      {
        name,
        label: typeof schema.title === "string" ? schema.title : name,
        description: typeof schema.description === "string" ? schema.description : undefined,
        kind,
        required: required.has(name),
        options: kind === "enum" ? (schema.enum as unknown[]) : undefined,
        schema,
        nullable,
      },
    ];
  });
}

/**
 * Parameters beyond the schema's properties, which the form then takes as a JSON object. As in Prefect,
 * a flow's declared parameters are all the form asks for, and a schema without properties means the flow
 * takes none; only a schema that says it takes more (`additionalProperties` true or a schema: a Baton flow
 * without a parameters schema says so), or no schema at all (the server then checks nothing), gets a JSON
 * editor.
 */
export type Extra = "none" | "any" | "unchecked";

export function extraOf(rootSchema: Record<string, unknown> | null | undefined): Extra {
  if (!rootSchema) return "unchecked";
  const more = resolve(rootSchema, rootSchema).additionalProperties;
  return more === true || isObject(more) ? "any" : "none";
}

/**
 * The JSON editor's text: the deployment's defaults that no field shows. An empty object is left empty
 * so the placeholder shows an example instead.
 */
export function initialExtraText(fields: Field[], defaults: Record<string, unknown>): string {
  const names = new Set(fields.map((f) => f.name));
  const rest = Object.fromEntries(Object.entries(defaults).filter(([k]) => !names.has(k)));
  return Object.keys(rest).length ? JSON.stringify(rest, null, 2) : "";
}

/** The JSON editor's object, or what to say under it. A key that has a field must be set there. */
export function parseExtra(fields: Field[], text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || "{}");
  } catch {
    return { ok: false, error: 'Must be a JSON object, e.g. {"name": "Ada"}' };
  }
  if (!isObject(value)) return { ok: false, error: 'Must be a JSON object, e.g. {"name": "Ada"}' };
  const taken = fields.find((f) => f.name in value);
  if (taken) return { ok: false, error: `Set “${taken.name}” in its own field above` };
  return { ok: true, value };
}

/** Text for a value in a field: what the deployment's defaults (or the schema's) put in the form. */
function textOf(field: Field, value: unknown): string | boolean {
  if (field.kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (field.kind === "json" || field.kind === "enum") return JSON.stringify(value, null, field.kind === "json" ? 2 : 0);
  return String(value);
}

export function initialValues(fields: Field[], defaults: Record<string, unknown>): FormValues {
  return Object.fromEntries(fields.map((f) => [f.name, textOf(f, defaults[f.name] ?? f.schema.default)]));
}

export type ParamsResult =
  | { ok: true; parameters: Record<string, unknown> }
  | { ok: false; errors: Record<string, string> };

/** One field's value, or the message to show under it. An empty optional field is left out (its default applies). */
export function parseField(field: Field, input: string | boolean | undefined): { value?: unknown; error?: string } {
  if (field.kind === "boolean") return { value: input === true };
  const text = typeof input === "string" ? input.trim() : "";
  if (text === "") return field.required ? { error: "Required" } : {};
  let value: unknown;
  switch (field.kind) {
    case "string":
      value = typeof input === "string" ? input : "";
      break;
    case "number":
    case "integer": {
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: "Must be a number" };
      if (field.kind === "integer" && !Number.isInteger(n)) return { error: "Must be a whole number" };
      value = n;
      break;
    }
    case "enum":
    case "json":
      try {
        value = JSON.parse(text);
      } catch {
        return { error: field.kind === "enum" ? "Choose one of the options" : "Must be valid JSON" };
      }
  }
  const problem = checkConstraints(field, value);
  return problem ? { error: problem } : { value };
}

function checkConstraints(field: Field, value: unknown): string | undefined {
  const s = field.schema;
  if (field.kind === "enum" && !field.options?.some((o) => JSON.stringify(o) === JSON.stringify(value))) {
    return "Choose one of the options";
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) return `Must be at least ${s.minimum}`;
    if (typeof s.maximum === "number" && value > s.maximum) return `Must be at most ${s.maximum}`;
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) return `Must be more than ${s.exclusiveMinimum}`;
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) return `Must be less than ${s.exclusiveMaximum}`;
  }
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && value.length < s.minLength) return `Must be at least ${s.minLength} characters`;
    if (typeof s.maxLength === "number" && value.length > s.maxLength) return `Must be at most ${s.maxLength} characters`;
    if (typeof s.pattern === "string" && !safeTest(s.pattern, value)) return `Must match ${s.pattern}`;
  }
  if (field.kind === "json" && s.type === "array" && !Array.isArray(value)) return "Must be a JSON array";
  if (field.kind === "json" && s.type === "object" && !isObject(value)) return "Must be a JSON object";
  return undefined;
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true; // a pattern this browser cannot read is left to the server
  }
}

export function toParameters(fields: Field[], values: FormValues): ParamsResult {
  const parameters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const { value, error } = parseField(field, values[field.name]);
    if (error) errors[field.name] = error;
    else if (value !== undefined) parameters[field.name] = value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, parameters };
}

/**
 * Which part of the form a server 422 problem concerns (paths like `parameters.count` or
 * `body.parameters.count`, as formPath gives them): the field of that name, else the JSON editor of other
 * parameters (`extraKey`, when the form has one), else none. Unnamed parameters stay general.
 */
export function parameterFieldOf(fields: Field[], extraKey?: string) {
  const names = new Set(fields.map((f) => f.name));
  return (path: string[]): string | undefined => {
    if (path[0] !== "parameters" || !path[1]) return undefined;
    return names.has(path[1]) ? path[1] : extraKey;
  };
}

/** How a parameter problem no field shows is worded: by the parameter's name, not the server's path. */
export const parameterLabel = (path: string[]): string | undefined =>
  path[0] === "parameters" ? (path[1] ? `Parameter ${path.slice(1).join(".")}` : "Parameters") : undefined;
