import { describe, expect, it } from "vitest";
import { createLoadGate } from "./gate";

describe("createLoadGate", () => {
  it("applies messages at once when no load is on its way", () => {
    const applied: number[] = [];
    const gate = createLoadGate<number>((m) => applied.push(m));
    gate.deliver(1);
    expect(applied).toEqual([1]);
  });

  it("holds messages during a load and applies them in order once it settles", () => {
    const applied: number[] = [];
    const gate = createLoadGate<number>((m) => applied.push(m));
    gate.hold();
    gate.deliver(1);
    gate.deliver(2);
    expect(applied).toEqual([]);
    expect(gate.holding()).toBe(true);
    gate.release();
    expect(applied).toEqual([1, 2]);
    expect(gate.holding()).toBe(false);
    gate.deliver(3);
    expect(applied).toEqual([1, 2, 3]);
  });

  it("waits for the last of overlapping loads", () => {
    const applied: number[] = [];
    const gate = createLoadGate<number>((m) => applied.push(m));
    gate.hold();
    gate.hold();
    gate.deliver(1);
    gate.release();
    expect(applied).toEqual([]);
    gate.release();
    expect(applied).toEqual([1]);
    gate.release(); // an extra release is harmless
    gate.deliver(2);
    expect(applied).toEqual([1, 2]);
  });

  it("keeps only the newest messages past its bound", () => {
    const applied: number[] = [];
    const gate = createLoadGate<number>((m) => applied.push(m), 2);
    gate.hold();
    for (const m of [1, 2, 3]) gate.deliver(m);
    gate.release();
    expect(applied).toEqual([2, 3]);
  });
});
