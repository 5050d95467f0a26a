import { describe, expect, it } from "vitest";
import { heartbeatDeadline, MISSED_BEATS_BEFORE_OFFLINE, poolStatus, workerStatus } from "./liveness";

const beat = "2025-03-01T12:00:00.000Z";
const at = (msAfterBeat: number) => new Date(Date.parse(beat) + msAfterBeat);

describe("workerStatus", () => {
  it("counts three missed beats before calling a worker OFFLINE", () => {
    expect(MISSED_BEATS_BEFORE_OFFLINE).toBe(3);
    expect(heartbeatDeadline(beat, 10)).toBe(Date.parse(beat) + 30_000);
  });

  it.each([
    [0, 10, "ONLINE"],
    [10_000, 10, "ONLINE"],
    [29_999, 10, "ONLINE"],
    [30_000, 10, "ONLINE"],
    [30_001, 10, "OFFLINE"],
    [3_600_000, 10, "OFFLINE"],
    [89_000, 30, "ONLINE"],
    [90_001, 30, "OFFLINE"],
    [3_001, 1, "OFFLINE"],
  ] as const)("%i ms after the beat, interval %i s: %s", (ms, interval, expected) => {
    expect(workerStatus(beat, interval, at(ms))).toBe(expected);
  });

  it("treats a heartbeat from the future (clock skew) as ONLINE", () => {
    expect(workerStatus(beat, 10, at(-60_000))).toBe("ONLINE");
  });

  it("treats an unreadable heartbeat as OFFLINE rather than guessing", () => {
    expect(workerStatus("not a time", 10, at(0))).toBe("OFFLINE");
  });
});

describe("poolStatus", () => {
  it.each([
    [false, true, "READY"],
    [false, false, "NOT_READY"],
    [true, true, "PAUSED"],
    [true, false, "PAUSED"],
  ] as const)("paused=%s, online worker=%s: %s", (paused, online, expected) => {
    expect(poolStatus(paused, online)).toBe(expected);
  });
});
