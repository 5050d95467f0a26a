import { describe, expect, it } from "vitest";
import { coalesce } from "./coalesce";

describe("coalesce", () => {
  it("runs once for a burst of asks, and again for asks after it ran", () => {
    const timers: (() => void)[] = [];
    let runs = 0;
    const ask = coalesce(() => runs++, 300, (run) => timers.push(run));
    ask();
    ask();
    ask();
    expect(timers).toHaveLength(1);
    expect(runs).toBe(0);
    timers.shift()!();
    expect(runs).toBe(1);
    ask();
    expect(timers).toHaveLength(1);
    timers.shift()!();
    expect(runs).toBe(2);
  });
});
