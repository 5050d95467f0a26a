import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { TriggerSpec } from "../../protocol/triggers";
import { ApiError } from "../errors";
import { assertTriggerParameterNames } from "./validate";

const trigger = (parameters: Record<string, unknown>) => v.parse(TriggerSpec, { expect: ["file.created"], parameters });
const closed = {
  parameter_openapi_schema: { type: "object", properties: { name: { type: "string" }, count: { type: "integer" } }, additionalProperties: false },
  enforce_parameter_schema: true,
};

/** The ApiError the check throws, or undefined when it accepts. */
function refusal(...args: Parameters<typeof assertTriggerParameterNames>): ApiError | undefined {
  try {
    assertTriggerParameterNames(...args);
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

describe("assertTriggerParameterNames", () => {
  it("refuses a name the flow does not take with 422, naming it where it sits and the names the flow takes", () => {
    const error = refusal([trigger({ name: "{{ event.payload.path }}" }), trigger({ nmae: "{{ event.id }}", count: 2 })], closed);
    expect(error?.status).toBe(422);
    expect(error?.detail).toBe("invalid body.triggers.1.parameters.nmae: unknown parameter (the flow's parameters are: name, count)");
    expect(error?.errors).toEqual([{ path: "body.triggers.1.parameters.nmae", message: "unknown parameter (the flow's parameters are: name, count)" }]);
  });

  it("accepts names the flow takes, and any name when the schema is open, unenforced or absent", () => {
    expect(refusal([trigger({ name: "{{ event.id }}", count: "{{ event.payload.n }}" })], closed)).toBeUndefined();
    const open = { ...closed, parameter_openapi_schema: { ...closed.parameter_openapi_schema, additionalProperties: true } };
    expect(refusal([trigger({ anything: 1 })], open)).toBeUndefined();
    expect(refusal([trigger({ anything: 1 })], { ...closed, enforce_parameter_schema: false })).toBeUndefined();
    expect(refusal([trigger({ anything: 1 })], { parameter_openapi_schema: null, enforce_parameter_schema: true })).toBeUndefined();
    expect(refusal(undefined, closed)).toBeUndefined();
  });
});
