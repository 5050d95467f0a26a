import { describe, expect, it } from "vitest";
import { resultView } from "./result.data";

describe("resultView", () => {
  it("says so when the flow returned nothing", () => {
    expect(resultView({ type: "undefined", preview: "undefined" })).toEqual({ kind: "nothing", text: "The flow returned nothing." });
  });

  it("shows a value's preview with its type", () => {
    expect(resultView({ type: "object", preview: '{"rows":12}' })).toEqual({ kind: "value", type: "object", text: '{"rows":12}' });
  });

  it("shows an error's name, message and stack", () => {
    expect(resultView({ type: "error", name: "TypeError", message: "boom", stack: "TypeError: boom\n    at x" })).toEqual({
      kind: "error",
      title: "TypeError: boom",
      text: "TypeError: boom\n    at x",
    });
  });

  it("shows anything else as JSON", () => {
    expect(resultView({ rows: 3 })).toEqual({ kind: "json", text: '{\n  "rows": 3\n}' });
    expect(resultView(42)).toEqual({ kind: "json", text: "42" });
  });
});
