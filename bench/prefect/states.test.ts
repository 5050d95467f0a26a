import { describe, expect, it } from "vitest";
import { isoToMs, msUntil } from "./states";

describe("isoToMs", () => {
  it("keeps Prefect's microseconds", () => {
    expect(isoToMs("2026-11-25T17:23:21.477163Z") - isoToMs("2026-11-25T17:23:21Z")).toBeCloseTo(477.163, 3);
  });

  it("reads offsets and times without a fraction", () => {
    expect(isoToMs("2026-11-25T18:23:21+01:00")).toBe(Date.parse("2026-11-25T17:23:21Z"));
  });

  it("refuses what is not an ISO time", () => {
    expect(() => isoToMs("yesterday")).toThrow(/not an ISO time/);
  });
});

describe("msUntil", () => {
  // The states of a real run as Prefect 3.9 answered them: the worker proposes PENDING, the engine again.
  const created = "2026-11-25T17:23:21.479482Z";
  const states = [
    { type: "SCHEDULED", timestamp: "2026-11-25T17:23:21.477163Z" },
    { type: "PENDING", timestamp: "2026-11-25T17:23:27.405147Z" },
    { type: "PENDING", timestamp: "2026-11-25T17:23:27.218965Z" },
    { type: "RUNNING", timestamp: "2026-11-25T17:23:31.817735Z" },
    { type: "COMPLETED", timestamp: "2026-11-25T17:23:31.942758Z" },
  ];

  it("times the first state of a type from the run's creation", () => {
    expect(msUntil(created, states, "PENDING")).toBeCloseTo(5739.483, 3);
    expect(msUntil(created, states, "RUNNING")).toBeCloseTo(10338.253, 3);
  });

  it("answers undefined for a state the run never had", () => {
    expect(msUntil(created, states.slice(0, 3), "RUNNING")).toBeUndefined();
  });
});
