import { describe, expect, it } from "vitest";
import type { IntervalSchedule } from "../../protocol/schedules";
import { nextRunTimes } from "./next-runs";

const every = (interval: number, anchor_date?: string, timezone = "UTC"): IntervalSchedule => ({
  interval,
  anchor_date,
  timezone,
});
const runs = (def: IntervalSchedule, after: string, until: string, max = 100) =>
  nextRunTimes(def, { after: new Date(after), until: new Date(until), max }).map((d) => d.toISOString());

describe("interval schedules", () => {
  it("counts from an anchor in the past without walking from it", () => {
    expect(runs(every(3600, "2020-01-01T00:30:00Z"), "2026-05-05T10:20:00Z", "2026-05-05T13:00:00Z")).toEqual([
      "2026-05-05T10:30:00.000Z",
      "2026-05-05T11:30:00.000Z",
      "2026-05-05T12:30:00.000Z",
    ]);
  });

  it("handles a huge k: every second since 1970", () => {
    expect(runs(every(1, "1970-01-01T00:00:00Z"), "2026-05-05T10:20:00.400Z", "2030-01-01T00:00:00Z", 2)).toEqual([
      "2026-05-05T10:20:01.000Z",
      "2026-05-05T10:20:02.000Z",
    ]);
  });

  it("keeps the anchor's phase with an anchor in the future (slots are anchor + k × interval, any k)", () => {
    expect(runs(every(86_400, "2027-01-01T06:00:00Z"), "2026-12-30T12:00:00Z", "2027-01-02T12:00:00Z")).toEqual([
      "2026-12-31T06:00:00.000Z",
      "2027-01-01T06:00:00.000Z",
      "2027-01-02T06:00:00.000Z",
    ]);
  });

  it("supports sub-minute intervals and truncates the anchor to its second", () => {
    expect(runs(every(15, "2026-01-01T00:00:07.250Z"), "2026-01-01T00:00:07.250Z", "2026-01-01T00:01:00Z")).toEqual([
      "2026-01-01T00:00:22.000Z",
      "2026-01-01T00:00:37.000Z",
      "2026-01-01T00:00:52.000Z",
    ]);
  });

  it("excludes `after`, includes `until`, stops at `max`", () => {
    const def = every(60, "2026-01-01T00:00:00Z");
    expect(runs(def, "2026-01-01T00:01:00Z", "2026-01-01T00:03:00Z")).toEqual([
      "2026-01-01T00:02:00.000Z",
      "2026-01-01T00:03:00.000Z",
    ]);
    expect(runs(def, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", 5)).toHaveLength(5);
    expect(runs(def, "2026-01-01T00:03:00Z", "2026-01-01T00:01:00Z")).toEqual([]);
  });

  it("keeps exact elapsed time across DST: a daily interval moves by an hour on the local clock", () => {
    // 09:00 EST on 2026-03-07 is 14:00Z; after the change 14:00Z is 10:00 EDT.
    expect(runs(every(86_400, "2026-03-07T14:00:00Z", "America/New_York"), "2026-03-07T00:00:00Z", "2026-03-09T23:00:00Z")).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T14:00:00.000Z",
      "2026-03-09T14:00:00.000Z",
    ]);
  });

  it("anchors at 2020-01-01T00:00:00Z when no anchor_date was filled in, so slots stay deterministic", () => {
    const def: IntervalSchedule = { interval: 7 * 3600, timezone: "UTC" };
    const slots = runs(def, "2026-05-05T00:00:00Z", "2026-05-06T00:00:00Z");
    expect(slots.length).toBeGreaterThan(0);
    for (const s of slots) expect((Date.parse(s) - Date.UTC(2020, 0, 1)) % (7 * 3600 * 1000)).toBe(0);
    expect(runs(def, "2026-05-05T00:00:00Z", "2026-05-06T00:00:00Z")).toEqual(slots);
  });
});
