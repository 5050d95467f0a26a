import { describe, expect, it } from "vitest";
import { errorMessage, MAX_PREVIEW, summariseError, summariseValue } from "./summary";

describe("summaries of results and errors", () => {
  it("says the type and shows a JSON preview", () => {
    expect(summariseValue(3)).toEqual({ type: "number", preview: "3" });
    expect(summariseValue(undefined)).toEqual({ type: "undefined", preview: "undefined" });
    expect(summariseValue({ a: [1, "x"] })).toEqual({ type: "object", preview: '{"a":[1,"x"]}' });
    expect(summariseValue(new Map([["k", 1]]))).toEqual({ type: "Map", preview: "Map(1) { 'k' => 1 }" });
  });

  it("never carries more than 1 KB of a large value, and copes with cycles and BigInts", () => {
    const big = summariseValue(Array.from({ length: 100_000 }, (_, i) => ({ i, text: "lorem ipsum" })));
    expect(big.type).toBe("array");
    expect(big.preview.length).toBe(MAX_PREVIEW);
    expect(big.preview.endsWith("…")).toBe(true);
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    expect(summariseValue(cyclic).preview).toMatch(/Circular/);
  });

  it("keeps an error's name, message and stack", () => {
    const summary = summariseError(new TypeError("bad input"));
    expect(summary).toMatchObject({ type: "error", name: "TypeError", message: "bad input" });
    expect(summary.stack).toMatch(/summary\.test\.ts/);
    expect(errorMessage(summary)).toBe("TypeError: bad input");
    expect(errorMessage(summariseError("thrown string"))).toBe('string: "thrown string"');
  });
});
