import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { placeErrors } from "../api/field-errors";
import { extraOf, fieldsOf, initialExtraText, initialValues, parameterFieldOf, parameterLabel, parseExtra, toParameters } from "./params-form.data";

// The schema `npx baton deploy examples/etl.ts` stores, plus the shapes Pydantic and valibot produce.
const schema = {
  type: "object",
  properties: {
    orders: { type: "integer", minimum: 1, maximum: 500, description: "How many orders" },
    currency: { enum: ["EUR", "USD"], type: "string" },
    note: { anyOf: [{ type: "string", maxLength: 5 }, { type: "null" }] },
    dry_run: { type: "boolean", default: true },
    cities: { type: "array", items: { type: "string" } },
    when: { $ref: "#/definitions/When" },
  },
  required: ["orders"],
  definitions: { When: { type: "string", title: "When to run", pattern: "^\\d{4}$" } },
};

describe("fieldsOf", () => {
  it("makes one field per property with its kind, resolving $ref and nullable unions", () => {
    const fields = fieldsOf(schema);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["orders", "integer", true],
      ["currency", "enum", false],
      ["note", "string", false],
      ["dry_run", "boolean", false],
      ["cities", "json", false],
      ["when", "string", false],
    ]);
    expect(fields[2]?.nullable).toBe(true);
    expect(fields[5]?.label).toBe("When to run");
  });

  it("has no fields without a schema or properties", () => {
    expect(fieldsOf(null)).toEqual([]);
    expect(fieldsOf({ type: "object", additionalProperties: true })).toEqual([]);
  });
});

describe("toParameters", () => {
  const fields = fieldsOf(schema);
  const base = initialValues(fields, { orders: 12, currency: "EUR" });

  it("fills the form from the deployment's defaults, then the schema's", () => {
    expect(base).toMatchObject({ orders: "12", currency: '"EUR"', dry_run: true, note: "" });
  });

  it("turns text into typed parameters, leaving empty optional fields out", () => {
    expect(toParameters(fields, { ...base, cities: '["Oslo"]' })).toEqual({
      ok: true,
      parameters: { orders: 12, currency: "EUR", dry_run: true, cities: ["Oslo"] },
    });
  });

  it("says what is wrong with each field", () => {
    const result = toParameters(fields, { ...base, orders: "0", note: "too long", cities: "[oops", when: "abc" });
    expect(result).toEqual({
      ok: false,
      errors: { orders: "Must be at least 1", note: "Must be at most 5 characters", cities: "Must be valid JSON", when: "Must match ^\\d{4}$" },
    });
    expect(toParameters(fields, { ...base, orders: "" })).toEqual({ ok: false, errors: { orders: "Required" } });
    expect(toParameters(fields, { ...base, orders: "1.5" })).toEqual({ ok: false, errors: { orders: "Must be a whole number" } });
    expect(toParameters(fields, { ...base, cities: '{"a":1}' })).toEqual({ ok: false, errors: { cities: "Must be a JSON array" } });
  });
});

describe("server errors by parameter", () => {
  it("puts the server's 422 errors by the fields they name, others by the JSON editor when there is one", () => {
    const fields = fieldsOf(schema);
    const refusal = new ApiError("POST", "/api/x", 422, "invalid body.parameters.orders: …", undefined, [
      { path: "body.parameters.orders", message: "must be <= 500" },
      { path: "parameters.bogus", message: "unknown parameter" },
      { path: "parameters", message: "must be an object" },
    ]);
    expect(placeErrors(refusal, parameterFieldOf(fields), String, parameterLabel)).toEqual({
      byField: { orders: "must be <= 500" },
      general: ["Parameter bogus: unknown parameter", "Parameters: must be an object"],
    });
    expect(placeErrors(refusal, parameterFieldOf(fields, "extra"), String, parameterLabel).byField).toEqual({
      orders: "must be <= 500",
      extra: "unknown parameter",
    });
  });
});

describe("parameters beyond the schema's properties", () => {
  it("takes none when the schema lists properties, or none at all, without saying it takes more (as Prefect)", () => {
    expect(extraOf(schema)).toBe("none");
    expect(extraOf({ type: "object", properties: {} })).toBe("none");
    expect(extraOf({ type: "object", properties: {}, additionalProperties: false })).toBe("none");
  });

  it("takes any object when the schema says so, and unchecked ones without a schema", () => {
    // What a Baton flow without a parameters schema deploys with.
    expect(extraOf({ type: "object", additionalProperties: true })).toBe("any");
    expect(extraOf({ type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "number" } })).toBe("any");
    expect(extraOf({ $ref: "#/$defs/P", $defs: { P: { type: "object", additionalProperties: true } } })).toBe("any");
    expect(extraOf(null)).toBe("unchecked");
  });

  it("starts the JSON editor with the defaults no field shows, empty when there are none", () => {
    const fields = fieldsOf(schema);
    expect(initialExtraText(fields, { orders: 5, region: "eu" })).toBe('{\n  "region": "eu"\n}');
    expect(initialExtraText(fields, { orders: 5 })).toBe("");
    expect(initialExtraText([], {})).toBe("");
  });

  it("reads the JSON editor as an object, and refuses other JSON or keys that have a field", () => {
    const fields = fieldsOf(schema);
    expect(parseExtra(fields, "")).toEqual({ ok: true, value: {} });
    expect(parseExtra(fields, ' {"region": "eu"} ')).toEqual({ ok: true, value: { region: "eu" } });
    expect(parseExtra(fields, "[1]")).toMatchObject({ ok: false, error: expect.stringMatching(/^Must be a JSON object/) });
    expect(parseExtra(fields, "{nope")).toMatchObject({ ok: false, error: expect.stringMatching(/^Must be a JSON object/) });
    expect(parseExtra(fields, '{"orders": 3}')).toEqual({ ok: false, error: "Set “orders” in its own field above" });
  });
});
