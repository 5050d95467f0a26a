import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { parameterSchema, validParameters } from "./parameters";

/*
 * The schema a deployment gets must say what the flow does with names it does not declare: the server
 * refuses them only when the schema says additionalProperties false (unsaid is open, as JSON Schema reads it).
 */
describe("parameterSchema", () => {
  it("closes v.object and v.strictObject (the flow would never see another name)", async () => {
    const opts = { parameters: v.object({ name: v.string() }) };
    expect(parameterSchema(opts as never)).toMatchObject({ properties: { name: { type: "string" } }, additionalProperties: false });
    // valibot's object drops unknown keys: a run given one would have ignored it silently.
    expect(await validParameters("f", opts as never, { name: "a", bogus: 1 })).toEqual({ name: "a" });
    expect(parameterSchema({ parameters: v.strictObject({ name: v.string() }) } as never)).toMatchObject({ additionalProperties: false });
  });

  it("opens v.looseObject, which hands the flow every name, and keeps objectWithRest's rest schema", () => {
    expect(parameterSchema({ parameters: v.looseObject({ name: v.string() }) } as never)).toMatchObject({ additionalProperties: true });
    const rest = parameterSchema({ parameters: v.objectWithRest({ name: v.string() }, v.number()) } as never);
    expect(rest).toMatchObject({ additionalProperties: { type: "number" } });
  });

  it("says it under an optional wrapper and a pipe too", () => {
    expect(parameterSchema({ parameters: v.optional(v.object({ name: v.string() })) } as never)).toMatchObject({ additionalProperties: false });
    expect(parameterSchema({ parameters: v.optional(v.looseObject({ name: v.string() })) } as never)).toMatchObject({ additionalProperties: true });
    expect(parameterSchema({ parameters: v.pipe(v.object({ n: v.number() }), v.check(() => true)) } as never)).toMatchObject({ additionalProperties: false });
  });

  it("takes anything for a flow without declared parameters", () => {
    expect(parameterSchema({} as never)).toEqual({ type: "object", additionalProperties: true });
  });
});
