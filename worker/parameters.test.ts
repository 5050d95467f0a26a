import { describe, expect, it } from "vitest";
import { checkParameters } from "./parameters";

describe("checkParameters", () => {
  const schema = {
    type: "object",
    properties: {
      name: { anyOf: [{ type: "string" }, { type: "null" }] },
      point: { $ref: "#/$defs/Point" },
      tags: { type: "array", items: { type: "string" } },
      required: { type: "boolean" },
    },
    required: ["name", "required"],
    additionalProperties: false,
    $defs: { Point: { type: "object", properties: { x: { type: "number" } }, required: ["x"] } },
  };

  it("accepts parameters that fit", () => {
    expect(checkParameters(schema, { name: null, point: { x: 1 }, tags: ["a"], required: true })).toEqual({ ok: true });
  });

  it("reports one line per problem, at the parameter's path", () => {
    const result = checkParameters(schema, { name: 3, point: {}, tags: ["a", 2], required: true, extra: 1 });
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: "name", message: "Instance does not match any subschemas." },
        { path: "point", message: 'Instance does not have required property "x".' },
        { path: "tags.1", message: 'Instance type "number" is invalid. Expected "string".' },
        { path: "", message: 'Property "extra" does not match additional properties schema.' },
      ],
    });
  });

  it("can leave required parameters out, everywhere in the schema, but still checks a property named required", () => {
    expect(checkParameters(schema, { point: {} }, { ignoreRequired: true })).toEqual({ ok: true });
    expect(checkParameters(schema, {}).ok).toBe(false);
    const wrong = checkParameters(schema, { required: "yes" }, { ignoreRequired: true });
    expect(wrong).toEqual({ ok: false, errors: [{ path: "required", message: 'Instance type "string" is invalid. Expected "boolean".' }] });
  });

  it("blames the schema when it cannot be used", () => {
    const result = checkParameters({ $ref: "#/definitions/Missing" }, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toMatch(/^the parameter schema cannot be used: Unresolved \$ref/);
  });
});
