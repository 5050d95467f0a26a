import { RRuleSet, rrulestr } from "rrule";
import { describe, expect, it } from "vitest";
import type { RRuleSchedule } from "../../protocol/schedules";
import { nextRunTimes } from "./next-runs";

const rrule = (text: string, timezone: string | null = null): RRuleSchedule => ({ rrule: text, timezone });
const runs = (def: RRuleSchedule, after: string, until: string, max = 100) =>
  nextRunTimes(def, { after: new Date(after), until: new Date(until), max }).map((d) => d.toISOString());

describe("rrule schedules", () => {
  it("runs at 09:00 London time each day across the change to BST (2026-03-29)", () => {
    const expected = [
      "2026-03-27T09:00:00.000Z", // 09:00 GMT
      "2026-03-28T09:00:00.000Z",
      "2026-03-29T08:00:00.000Z", // 09:00 BST
      "2026-03-30T08:00:00.000Z",
    ];
    const window = ["2026-03-27T00:00:00Z", "2026-03-30T23:00:00Z"] as const;
    expect(runs(rrule("FREQ=DAILY;BYHOUR=9;BYMINUTE=0", "Europe/London"), ...window)).toEqual(expected);
    expect(runs(rrule("DTSTART;TZID=Europe/London:20260301T090000\nRRULE:FREQ=DAILY"), ...window)).toEqual(expected);
    // TZID wins over the schedule's timezone.
    expect(runs(rrule("DTSTART;TZID=Europe/London:20260301T090000\nRRULE:FREQ=DAILY", "Asia/Tokyo"), ...window)).toEqual(
      expected,
    );
  });

  it("reads UTC date-times (…Z) as instants, whatever the zone", () => {
    const def = rrule(
      "DTSTART;TZID=America/New_York:20260305T093000\nRRULE:FREQ=DAILY;UNTIL=20260310T133000Z",
      "UTC",
    );
    expect(runs(def, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")).toEqual([
      "2026-03-05T14:30:00.000Z",
      "2026-03-06T14:30:00.000Z",
      "2026-03-07T14:30:00.000Z",
      "2026-03-08T13:30:00.000Z",
      "2026-03-09T13:30:00.000Z",
      "2026-03-10T13:30:00.000Z", // UNTIL is inclusive
    ]);
    expect(runs(rrule("DTSTART:20260305T093000Z\nRRULE:FREQ=DAILY;COUNT=2", "America/New_York"), "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")).toEqual([
      "2026-03-05T09:30:00.000Z",
      "2026-03-06T09:30:00.000Z",
    ]);
  });

  it("moves a local time in the spring-forward gap forward by the gap (RFC 5545), and runs a repeated one once", () => {
    const ny = "America/New_York";
    expect(runs(rrule("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", ny), "2026-03-07T00:00:00Z", "2026-03-09T12:00:00Z")).toEqual([
      "2026-03-07T07:30:00.000Z", // 02:30 EST
      "2026-03-08T07:30:00.000Z", // 02:30 does not exist: 03:30 EDT
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
    ]);
    expect(runs(rrule("FREQ=DAILY;BYHOUR=1;BYMINUTE=30", ny), "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z")).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT only
      "2026-11-02T06:30:00.000Z",
    ]);
    expect(runs(rrule("FREQ=HOURLY;BYMINUTE=30", ny), "2026-11-01T04:00:00Z", "2026-11-01T08:00:00Z")).toEqual([
      "2026-11-01T04:30:00.000Z", // 00:30 EDT
      "2026-11-01T05:30:00.000Z", // 01:30 EDT; 01:30 EST (06:30Z) is the same local time
      "2026-11-01T07:30:00.000Z", // 02:30 EST
    ]);
    // A window that starts after the gap still gets 02:30, read as 03:30 EDT.
    expect(runs(rrule("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", ny), "2026-03-08T07:10:00Z", "2026-03-08T08:00:00Z")).toEqual([
      "2026-03-08T07:30:00.000Z",
    ]);
    // 02:30 moved to 03:30 lands on the real 03:30: one slot, in order.
    expect(runs(rrule("FREQ=HOURLY;BYMINUTE=30", ny), "2026-03-08T06:00:00Z", "2026-03-08T08:45:00Z")).toEqual([
      "2026-03-08T06:30:00.000Z",
      "2026-03-08T07:30:00.000Z",
      "2026-03-08T08:30:00.000Z",
    ]);
  });

  it("has no slots once COUNT is used up", () => {
    const def = rrule("DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;COUNT=3");
    expect(runs(def, "2025-12-31T00:00:00Z", "2026-12-31T00:00:00Z")).toEqual([
      "2026-01-01T09:00:00.000Z",
      "2026-01-02T09:00:00.000Z",
      "2026-01-03T09:00:00.000Z",
    ]);
    expect(runs(def, "2026-01-03T09:00:00Z", "2026-12-31T00:00:00Z")).toEqual([]);
  });

  it("honours EXDATE", () => {
    const def = rrule(
      "DTSTART;TZID=Europe/London:20260301T090000\nRRULE:FREQ=DAILY\nEXDATE;TZID=Europe/London:20260310T090000",
    );
    expect(runs(def, "2026-03-09T00:00:00Z", "2026-03-11T23:00:00Z")).toEqual([
      "2026-03-09T09:00:00.000Z",
      "2026-03-11T09:00:00.000Z",
    ]);
  });

  it("matches python-dateutil (Prefect's rrule engine) while skipping the walk from DTSTART", () => {
    const expected: Record<string, string[]> = {
      "DTSTART:20200101T001500\nRRULE:FREQ=HOURLY;INTERVAL=5": ["03:15", "08:15", "13:15", "18:15"].map((t) => `01T${t}:00`),
      "DTSTART:20230104T073000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR": ["01", "05", "15", "19"].map((d) => `${d}T07:30:00`),
      "DTSTART:20250101T000000\nRRULE:FREQ=DAILY;INTERVAL=3;BYHOUR=6,18;BYSETPOS=-1": ["01T18:00:00", "04T18:00:00", "07T18:00:00", "10T18:00:00"],
      "DTSTART:20260101T000007\nRRULE:FREQ=MINUTELY;INTERVAL=20;BYHOUR=9": ["01T09:00:07", "01T09:20:07", "01T09:40:07", "02T09:00:07"],
      "DTSTART:20260101T000007\nRRULE:FREQ=MINUTELY;INTERVAL=7;BYMINUTE=0,30": ["01T02:00:07", "01T05:30:07", "01T09:00:07", "01T12:30:07"],
      "DTSTART:20260315T000000\nRRULE:FREQ=SECONDLY;INTERVAL=45;BYSECOND=0": ["01T00:00:00", "01T00:03:00", "01T00:06:00", "01T00:09:00"],
      "DTSTART:20200101T000000\nRRULE:FREQ=HOURLY;INTERVAL=5;BYHOUR=3,4,5;BYDAY=TU": ["02T04:00:00", "16T03:00:00"],
    };
    for (const [text, slots] of Object.entries(expected)) {
      // dateutil's between() includes its start; none of these rules falls on it.
      expect(runs(rrule(text), "2026-05-31T23:59:59Z", "2026-06-20T00:00:00Z", 4), text).toEqual(
        slots.map((s) => `2026-06-${s}.000Z`),
      );
    }
  });

  it("answers a minutely rule without DTSTART within the test timeout (walking from 2020 takes ~20 s)", () => {
    const slots = runs(rrule("FREQ=MINUTELY;INTERVAL=5"), "2026-06-01T00:02:00Z", "2026-06-02T00:00:00Z", 3);
    expect(slots).toEqual(["2026-06-01T00:05:00.000Z", "2026-06-01T00:10:00.000Z", "2026-06-01T00:15:00.000Z"]);
  });

  it("merges several RRULEs and unsorted RDATEs, then stops at max", () => {
    const def = rrule(
      "DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY\nRRULE:FREQ=DAILY;BYHOUR=21\nRDATE:20260110T120000Z,20260105T120000Z",
    );
    expect(runs(def, "2026-01-04T00:00:00Z", "2026-01-31T00:00:00Z", 4)).toEqual([
      "2026-01-04T09:00:00.000Z",
      "2026-01-04T21:00:00.000Z",
      "2026-01-05T09:00:00.000Z",
      "2026-01-05T12:00:00.000Z",
    ]);
  });

  it("does not walk through seconds before the window", () => {
    expect(runs(rrule("FREQ=SECONDLY;INTERVAL=20", "Pacific/Kiritimati"), "2026-06-01T00:00:00Z", "2026-06-01T00:01:00Z")).toEqual([
      "2026-06-01T00:00:20.000Z",
      "2026-06-01T00:00:40.000Z",
      "2026-06-01T00:01:00.000Z",
    ]);
  });

  it("is deterministic and stops at max", () => {
    const def = rrule("FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=8;BYMINUTE=15", "Australia/Lord_Howe");
    const a = runs(def, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 10);
    expect(a).toHaveLength(10);
    expect(runs(def, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 10)).toEqual(a);
    expect(a.every((s) => s.endsWith(":00.000Z"))).toBe(true);
  });

  it("gives the same slots whichever window they are asked in (DTSTART is moved per window)", () => {
    for (const text of ["FREQ=HOURLY;INTERVAL=5;BYMINUTE=10", "FREQ=MINUTELY;INTERVAL=20;BYHOUR=1,2,3", "FREQ=DAILY;INTERVAL=3"]) {
      const def = rrule(text, "America/New_York");
      const whole = runs(def, "2026-10-25T00:00:00Z", "2026-11-08T00:00:00Z", 1000);
      const cuts = ["2026-10-25T00:00:00Z", "2026-10-29T13:17:00Z", "2026-11-01T05:40:00Z", "2026-11-01T06:20:00Z", "2026-11-08T00:00:00Z"];
      const pieces = cuts.slice(1).flatMap((cut, i) => runs(def, cuts[i]!, cut, 1000));
      expect(pieces, text).toEqual(whole);
      expect(whole.length, text).toBeGreaterThan(4);
    }
  });

  it("gives monthly and yearly rules the slots rrule.js lists walking from their DTSTART years back", () => {
    const texts = [
      "FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=6;BYMINUTE=0",
      "DTSTART:20200115T093000\nRRULE:FREQ=MONTHLY;INTERVAL=5",
      "DTSTART:20200301T000000\nRRULE:FREQ=MONTHLY;INTERVAL=7;BYDAY=-1FR;BYHOUR=7",
      "DTSTART:20201111T111111\nRRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
      "DTSTART:20200131T100000\nRRULE:FREQ=MONTHLY", // the 31st: DTSTART stays, months without one are skipped
      "DTSTART:20200229T120000\nRRULE:FREQ=YEARLY",
      "DTSTART:20200110T080000\nRRULE:FREQ=YEARLY;INTERVAL=3",
      "DTSTART:20200115T120000\nRRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=2,8;BYMONTHDAY=15,-1;BYSETPOS=-1",
      "DTSTART:20200310T023000\nRRULE:FREQ=YEARLY;BYWEEKNO=10,53;BYDAY=SU",
      "DTSTART:20200110T090000\nRRULE:FREQ=MONTHLY;UNTIL=20310301T000000\nEXRULE:FREQ=MONTHLY;INTERVAL=4",
    ];
    const windows = [
      ["2026-05-31T23:59:59Z", "2029-06-20T00:00:00Z"],
      ["2030-12-31T00:00:00Z", "2031-02-28T00:00:00Z"],
      ["2028-02-28T00:00:00Z", "2036-03-01T00:00:00Z"],
    ] as const;
    for (const text of texts) {
      // In UTC a local time is its instant: rrule.js's own answer, iterating every period since DTSTART.
      const withStart = /DTSTART/.test(text) ? text : `DTSTART:20200101T000000\nRRULE:${text}`;
      const plain = rrulestr(withStart, { forceset: true }) as RRuleSet;
      for (const [after, until] of windows) {
        const expected = plain.between(new Date(after), new Date(until)).slice(0, 40).map((d) => d.toISOString());
        expect(runs(rrule(text, "UTC"), after, until, 40), `${text} ${after}`).toEqual(expected);
      }
    }
  });
});
