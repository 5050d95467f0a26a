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
        { path: "extra", message: "unknown parameter (the flow's parameters are: name, point, tags, required)" },
        { path: "name", message: "Instance does not match any subschemas." },
        { path: "point", message: 'Instance does not have required property "x".' },
        { path: "tags.1", message: 'Instance type "number" is invalid. Expected "string".' },
      ],
    });
  });

  it("can leave required parameters out, everywhere in the schema, but still checks a property named required", () => {
    expect(checkParameters(schema, { point: {} }, { ignoreRequired: true })).toEqual({ ok: true });
    expect(checkParameters(schema, {}).ok).toBe(false);
    const wrong = checkParameters(schema, { required: "yes" }, { ignoreRequired: true });
    expect(wrong).toEqual({ ok: false, errors: [{ path: "required", message: 'Instance type "string" is invalid. Expected "boolean".' }] });
  });

  it("refuses parameters a schema with properties does not list, naming them and the ones it takes", () => {
    // What the SDK writes for a valibot object: a name it does not list never reaches the flow.
    const closed = { type: "object", properties: { name: { type: "string" }, count: { type: "integer" } }, additionalProperties: false };
    expect(checkParameters(closed, { name: "a", bogus: 1, other: 2 })).toEqual({
      ok: false,
      errors: [
        { path: "bogus", message: "unknown parameter (the flow's parameters are: name, count)" },
        { path: "other", message: "unknown parameter (the flow's parameters are: name, count)" },
      ],
    });
    expect(checkParameters({ type: "object", properties: {}, additionalProperties: false }, { x: 1 })).toEqual({
      ok: false,
      errors: [{ path: "x", message: "unknown parameter (the flow takes no parameters)" }],
    });
    expect(checkParameters(closed, { name: "a" }, { ignoreRequired: true })).toEqual({ ok: true });
    // Inside a parameter, only what the schema says: an unsaid additionalProperties stays open there.
    const nested = { type: "object", properties: { p: { type: "object", properties: { x: {} }, additionalProperties: false }, q: { type: "object", properties: {} } } };
    expect(checkParameters(nested, { p: { x: 1, y: 2 }, q: { z: 1 } })).toEqual({
      ok: false,
      errors: [{ path: "p", message: 'Property "y" does not match additional properties schema.' }],
    });
  });

  it("keeps accepting any parameter when the schema says so or lists none", () => {
    // What the SDK registers for a flow without declared parameters.
    expect(checkParameters({ type: "object", additionalProperties: true }, { anything: 1 })).toEqual({ ok: true });
    expect(checkParameters({ type: "object", properties: { a: {} }, additionalProperties: true }, { b: 1 })).toEqual({ ok: true });
    expect(checkParameters({ type: "object" }, { b: 1 })).toEqual({ ok: true });
    // Unsaid, as JSON Schema reads it: deployments of SDKs that did not write additionalProperties keep working.
    expect(checkParameters({ type: "object", properties: { a: {} } }, { b: 1 })).toEqual({ ok: true });
    // Names a pattern admits are the JSON Schema check's to judge, even with additionalProperties false.
    const patterned = { type: "object", properties: { a: {} }, patternProperties: { "^x_": {} }, additionalProperties: false };
    expect(checkParameters(patterned, { x_1: 1 })).toEqual({ ok: true });
    expect(checkParameters(patterned, { y: 1 }).ok).toBe(false);
    expect(checkParameters({ type: "object", properties: { a: {} }, patternProperties: { "^x_": {} } }, { x_1: 1 })).toEqual({ ok: true });
    const rest = checkParameters({ type: "object", properties: { a: {} }, additionalProperties: { type: "number" } }, { b: 1, c: "x" });
    expect(rest).toEqual({ ok: false, errors: [{ path: "c", message: 'Instance type "string" is invalid. Expected "number".' }] });
  });

  it("blames the schema when it cannot be used", () => {
    const result = checkParameters({ $ref: "#/definitions/Missing" }, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toMatch(/^the parameter schema cannot be used: Unresolved \$ref/);
  });
});
