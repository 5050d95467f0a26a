import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { JsonObject, MAX_JSON_DEPTH, MAX_JSON_OBJECT_BYTES } from "./common";

describe("JsonObject", () => {
  it("takes ordinary objects", () => {
    expect(v.is(JsonObject, { name: "Ada", nested: { list: [1, 2, { x: null }] } })).toBe(true);
  });

  it("refuses arrays, too deep nesting and too many bytes, saying which", () => {
    const issue = (value: unknown) => v.safeParse(JsonObject, value).issues?.[0]?.message;
    expect(issue([1, 2])).toBe("must be a JSON object");
    const deep = JSON.parse(`{"a":`.repeat(MAX_JSON_DEPTH + 1) + "1" + "}".repeat(MAX_JSON_DEPTH + 1));
    expect(issue(deep)).toMatch(/nested deeper/);
    expect(issue({ blob: "x".repeat(MAX_JSON_OBJECT_BYTES) })).toMatch(/bytes of JSON/);
    expect(issue({ blob: "é".repeat(MAX_JSON_OBJECT_BYTES / 2) })).toMatch(/bytes of JSON/);
  });
});
