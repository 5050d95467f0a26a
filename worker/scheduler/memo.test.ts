import { describe, expect, it } from "vitest";
import { memo } from "./memo";

describe("memo", () => {
  it("makes each value once, and again after it was emptied at its limit", () => {
    const cached = memo<string, { n: number }>(2);
    let made = 0;
    const make = () => ({ n: ++made });
    const a = cached("a", make);
    expect(cached("a", make)).toBe(a);
    cached("b", make);
    expect(made).toBe(2);
    // Full: the third key empties it, so "a" is made anew.
    cached("c", make);
    expect(cached("a", make)).not.toBe(a);
    expect(made).toBe(4);
  });

  it("does not keep a failure", () => {
    const cached = memo<string, number>(10);
    expect(() => cached("x", () => { throw new Error("bad"); })).toThrow("bad");
    expect(cached("x", () => 1)).toBe(1);
  });
});
