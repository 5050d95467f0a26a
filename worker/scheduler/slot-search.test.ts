import { describe, expect, it } from "vitest";
import type { ScheduleDefinition } from "../../protocol/schedules";
import { nextRunTimes } from "./next-runs";
import { countSlots, lastSlots } from "./slot-search";

const span = (after: string, until: string) => ({ after: new Date(after), until: new Date(until) });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const defs: ScheduleDefinition[] = [
  { interval: 420, anchor_date: "2026-01-01T00:00:13Z", timezone: "UTC" },
  { cron: "*/7 1-3 * * *", timezone: "America/New_York", day_or: true },
  { rrule: "FREQ=HOURLY;INTERVAL=5;BYMINUTE=10", timezone: "Europe/London" },
];

describe("lastSlots", () => {
  it("gives the last n slots of a span, as listing them all would", () => {
    const s = span("2026-10-20T00:00:00Z", "2026-11-03T12:34:56Z");
    for (const def of defs) {
      const all = nextRunTimes(def, { ...s, max: 100_000 });
      expect(all.length).toBeGreaterThan(20);
      for (const n of [1, 2, 5, 20]) expect(iso(lastSlots(def, s, n)), `${JSON.stringify(def)} n=${n}`).toEqual(iso(all.slice(-n)));
      expect(iso(lastSlots(def, s, all.length + 3))).toEqual(iso(all));
    }
  });

  it("answers an empty span and n = 0 with nothing", () => {
    expect(lastSlots(defs[1]!, span("2026-06-01T08:00:00Z", "2026-06-01T09:00:00Z"), 3)).toEqual([]);
    expect(lastSlots(defs[0]!, span("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"), 0)).toEqual([]);
  });

  it("finds the end of a year of one-second slots without listing them", () => {
    const def: ScheduleDefinition = { cron: "* * * * * *", timezone: "Australia/Lord_Howe", day_or: true };
    expect(iso(lastSlots(def, span("2025-06-01T00:00:00Z", "2026-06-01T00:00:00.500Z"), 3))).toEqual([
      "2026-05-31T23:59:58.000Z",
      "2026-05-31T23:59:59.000Z",
      "2026-06-01T00:00:00.000Z",
    ]);
  });
});

describe("countSlots", () => {
  it("counts interval slots exactly, without listing them", () => {
    const def: ScheduleDefinition = { interval: 1, timezone: "UTC" };
    expect(countSlots(def, span("2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z"), 10)).toEqual({ count: 315_619_200, capped: false });
    expect(countSlots(defs[0]!, span("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"), 1000)).toEqual({
      count: nextRunTimes(defs[0]!, { ...span("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"), max: 1000 }).length,
      capped: false,
    });
  });

  it("counts other schedules up to the cap", () => {
    const s = span("2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z");
    expect(countSlots(defs[1]!, s, 1000)).toEqual({ count: nextRunTimes(defs[1]!, { ...s, max: 1000 }).length, capped: false });
    expect(countSlots(defs[1]!, s, 5)).toEqual({ count: 5, capped: true });
  });
});
