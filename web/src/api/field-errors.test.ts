import { describe, expect, it } from "vitest";
import { ApiError } from "./client";
import { formPath, placeErrors } from "./field-errors";

const refusal = (...errors: { path?: string; message: string }[]) =>
  new ApiError("POST", "/api/x", 422, `invalid ${errors[0]?.path}: ${errors[0]?.message}`, undefined, errors);

describe("formPath", () => {
  it("drops the request's body root and array positions", () => {
    expect(formPath("body.0.schedule")).toEqual(["schedule"]);
    expect(formPath("body.schedules.0.schedule.interval")).toEqual(["schedules", "schedule", "interval"]);
    expect(formPath("body.parameters.bogus")).toEqual(["parameters", "bogus"]);
    expect(formPath("parameters.orders")).toEqual(["parameters", "orders"]);
    expect(formPath(undefined)).toEqual([]);
  });
});

describe("placeErrors", () => {
  const fieldOf = (path: string[]) => (path.at(-1) === "cron" ? ("cron" as const) : undefined);
  const text = () => "fallback";

  it("puts each problem by its field and words the rest with the form's labels, never the server's path", () => {
    const placed = placeErrors(
      refusal({ path: "body.0.schedule.cron", message: "bad minute" }, { path: "body.0.active", message: "must be a boolean" }),
      fieldOf,
      text,
      (path) => (path.at(-1) === "active" ? "Active" : undefined),
    );
    expect(placed).toEqual({ byField: { cron: "bad minute" }, general: ["Active: must be a boolean"] });
    expect(placed.general.join()).not.toContain("body");
  });

  it("keeps the first message of a field, and says other failures in one line", () => {
    expect(placeErrors(refusal({ path: "cron", message: "one" }, { path: "cron", message: "two" }), fieldOf, text).byField).toEqual({ cron: "one" });
    expect(placeErrors(new ApiError("POST", "/api/x", 500, "boom"), fieldOf, text)).toEqual({ byField: {}, general: ["fallback"] });
  });
});
