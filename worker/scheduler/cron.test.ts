import { describe, expect, it } from "vitest";
import type { CronSchedule } from "../../protocol/schedules";
import { compileCron } from "./cron";
import { nextRunTimes } from "./next-runs";

const cron = (pattern: string, timezone = "UTC", day_or = true): CronSchedule => ({ cron: pattern, timezone, day_or });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const runs = (def: CronSchedule, after: string, until: string, max = 100) =>
  iso(nextRunTimes(def, { after: new Date(after), until: new Date(until), max }));

describe("cron schedules across DST in America/New_York", () => {
  it("skips 02:30 on 2026-03-08, when 02:00-03:00 does not exist, instead of running at 03:00", () => {
    expect(runs(cron("30 2 * * *", "America/New_York"), "2026-03-06T12:00:00Z", "2026-03-10T12:00:00Z")).toEqual([
      "2026-03-07T07:30:00.000Z", // 02:30 EST
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
      "2026-03-10T06:30:00.000Z",
    ]);
  });

  it("runs 01:30 once on 2026-11-01, when 01:00-02:00 happens twice", () => {
    expect(runs(cron("30 1 * * *", "America/New_York"), "2026-10-30T12:00:00Z", "2026-11-02T12:00:00Z")).toEqual([
      "2026-10-31T05:30:00.000Z",
      "2026-11-01T05:30:00.000Z", // 01:30 EDT; 01:30 EST (06:30Z) does not run
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("does not run the second 01:30 when the window starts between the two", () => {
    expect(runs(cron("30 1 * * *", "America/New_York"), "2026-11-01T05:45:00Z", "2026-11-02T12:00:00Z")).toEqual([
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("runs each local time of a wildcard pattern once through the repeated hour", () => {
    // croner alone would also run 01:00 and 01:30 EST (06:00Z, 06:30Z).
    expect(runs(cron("*/30 * * * *", "America/New_York"), "2026-11-01T04:00:00Z", "2026-11-01T08:00:00Z")).toEqual([
      "2026-11-01T04:30:00.000Z", // 00:30 EDT
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T05:30:00.000Z", // 01:30 EDT
      "2026-11-01T07:00:00.000Z", // 02:00 EST
      "2026-11-01T07:30:00.000Z",
      "2026-11-01T08:00:00.000Z",
    ]);
  });

  it("runs a list of hours once each on the fall-back day", () => {
    expect(runs(cron("30 1,2 * * *", "America/New_York"), "2026-11-01T04:00:00Z", "2026-11-01T12:00:00Z")).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT
      "2026-11-01T07:30:00.000Z", // 02:30 EST
    ]);
  });

  it("skips wildcard times inside the spring-forward gap", () => {
    expect(runs(cron("*/30 * * * *", "America/New_York"), "2026-03-08T05:45:00Z", "2026-03-08T07:30:00Z")).toEqual([
      "2026-03-08T06:00:00.000Z", // 01:00 EST
      "2026-03-08T06:30:00.000Z", // 01:30 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT
      "2026-03-08T07:30:00.000Z",
    ]);
    // 02:30 read at the old offset would be 07:30Z, past this window's end; 03:00 EDT is still in it.
    expect(runs(cron("*/30 * * * *", "America/New_York"), "2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z")).toEqual([
      "2026-03-08T07:00:00.000Z",
    ]);
  });

  it("keeps 09:00 local on both sides of the change", () => {
    expect(runs(cron("0 9 * * *", "America/New_York"), "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z")).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
  });
});

describe("cron schedules across DST in Europe/Berlin", () => {
  it("skips 02:30 on 2026-03-29 (02:00 CET jumps to 03:00 CEST)", () => {
    expect(runs(cron("30 2 * * *", "Europe/Berlin"), "2026-03-27T12:00:00Z", "2026-03-31T12:00:00Z")).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("runs 02:30 once on 2026-10-25 (03:00 CEST falls back to 02:00 CET)", () => {
    expect(runs(cron("30 2 * * *", "Europe/Berlin"), "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z")).toEqual([
      "2026-10-24T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z", // 02:30 CEST; 02:30 CET (01:30Z) does not run
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("runs a 6-field pattern once per second of the repeated hour", () => {
    const slots = runs(cron("0 15 2 * * *", "Europe/Berlin"), "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z");
    expect(slots).toEqual(["2026-10-25T00:15:00.000Z"]);
  });
});

describe("cron schedules across DST in Europe/London", () => {
  it("skips 01:30 on 2026-03-29, when 01:00 GMT jumps to 02:00 BST", () => {
    expect(runs(cron("30 1 * * *", "Europe/London"), "2026-03-27T12:00:00Z", "2026-03-31T12:00:00Z")).toEqual([
      "2026-03-28T01:30:00.000Z", // 01:30 GMT
      "2026-03-30T00:30:00.000Z", // 01:30 BST
      "2026-03-31T00:30:00.000Z",
    ]);
    expect(runs(cron("*/30 * * * *", "Europe/London"), "2026-03-29T00:15:00Z", "2026-03-29T02:15:00Z")).toEqual([
      "2026-03-29T00:30:00.000Z", // 00:30 GMT
      "2026-03-29T01:00:00.000Z", // 02:00 BST: 01:00 and 01:30 do not exist
      "2026-03-29T01:30:00.000Z",
      "2026-03-29T02:00:00.000Z",
    ]);
  });

  it("runs 01:30 once on 2026-10-25, when 02:00 BST falls back to 01:00 GMT", () => {
    expect(runs(cron("30 1 * * *", "Europe/London"), "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z")).toEqual([
      "2026-10-25T00:30:00.000Z", // 01:30 BST; 01:30 GMT (01:30Z) does not run
      "2026-10-26T01:30:00.000Z",
    ]);
    expect(runs(cron("*/30 * * * *", "Europe/London"), "2026-10-24T23:45:00Z", "2026-10-25T02:15:00Z")).toEqual([
      "2026-10-25T00:00:00.000Z", // 01:00 BST
      "2026-10-25T00:30:00.000Z", // 01:30 BST; the same local times in GMT (01:00Z, 01:30Z) do not run
      "2026-10-25T02:00:00.000Z", // 02:00 GMT
    ]);
  });
});

describe("a cron that never fires", () => {
  it('lists no slot for "0 0 31 2 *" over a century, without walking it', () => {
    expect(runs(cron("0 0 31 2 *", "Europe/London"), "2026-01-01T00:00:00Z", "2126-01-01T00:00:00Z")).toEqual([]);
  });
});

describe("day_or", () => {
  const after = "2026-01-01T12:00:00Z";
  it("true: the 1st of the month or any Monday, as in Vixie cron", () => {
    expect(runs(cron("0 0 1 * 1"), after, "2026-02-03T00:00:00Z")).toEqual([
      "2026-01-05T00:00:00.000Z",
      "2026-01-12T00:00:00.000Z",
      "2026-01-19T00:00:00.000Z",
      "2026-01-26T00:00:00.000Z",
      "2026-02-01T00:00:00.000Z",
      "2026-02-02T00:00:00.000Z",
    ]);
  });

  it("false: only a 1st of the month that is a Monday", () => {
    expect(runs(cron("0 0 1 * 1", "UTC", false), after, "2028-01-01T00:00:00Z")).toEqual([
      "2026-06-01T00:00:00.000Z",
      "2027-02-01T00:00:00.000Z",
      "2027-03-01T00:00:00.000Z",
      "2027-11-01T00:00:00.000Z",
    ]);
  });

  it("a restriction on one field only is the same either way", () => {
    const mondays = runs(cron("0 0 * * 1"), after, "2026-02-01T00:00:00Z");
    expect(mondays).toHaveLength(4);
    expect(runs(cron("0 0 * * 1", "UTC", false), after, "2026-02-01T00:00:00Z")).toEqual(mondays);
  });
});

describe("windows and precision", () => {
  it("supports a seconds field", () => {
    expect(runs(cron("*/15 * * * * *"), "2026-01-01T00:00:14.500Z", "2026-01-01T00:01:00Z")).toEqual([
      "2026-01-01T00:00:15.000Z",
      "2026-01-01T00:00:30.000Z",
      "2026-01-01T00:00:45.000Z",
      "2026-01-01T00:01:00.000Z",
    ]);
  });

  it("excludes `after`, includes `until`, stops at `max`", () => {
    const def = cron("0 * * * *");
    expect(runs(def, "2026-01-01T00:00:00Z", "2026-01-01T03:00:00Z")).toEqual([
      "2026-01-01T01:00:00.000Z",
      "2026-01-01T02:00:00.000Z",
      "2026-01-01T03:00:00.000Z",
    ]);
    expect(runs(def, "2026-01-01T00:00:00Z", "2026-01-01T03:00:00Z", 2)).toHaveLength(2);
    expect(runs(def, "2026-01-01T00:00:00Z", "2026-01-01T00:59:59Z")).toEqual([]);
    expect(runs(def, "2026-01-01T00:00:00Z", "2026-01-01T03:00:00Z", 0)).toEqual([]);
  });

  it("is deterministic and split windows add up to the whole", () => {
    const def = cron("*/7 1-3 * * *", "America/New_York");
    const whole = runs(def, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z", 1000);
    expect(runs(def, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z", 1000)).toEqual(whole);
    const cut = "2026-11-01T06:10:00Z"; // inside the repeated hour
    const parts = [
      ...runs(def, "2026-10-31T00:00:00Z", cut, 1000),
      ...runs(def, cut, "2026-11-03T00:00:00Z", 1000),
    ];
    expect(parts).toEqual(whole);
    expect(whole.every((s) => s.endsWith(":00.000Z"))).toBe(true);
  });

  it("accepts nicknames", () => {
    expect(runs(cron("@daily", "Asia/Kolkata"), "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")).toEqual([
      "2026-01-01T18:30:00.000Z",
    ]);
  });
});

describe("compiled jobs", () => {
  it("are shared by schedules with the same pattern and day_or, and keep no state between questions", () => {
    expect(compileCron(cron("*/7 3 * * *", "Asia/Tokyo"))).toBe(compileCron(cron("*/7 3 * * *", "Europe/Berlin")));
    expect(compileCron(cron("0 0 1 * 1"))).not.toBe(compileCron(cron("0 0 1 * 1", "UTC", false)));
    const tokyo = () => runs(cron("*/7 3 * * *", "Asia/Tokyo"), "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z");
    const first = tokyo();
    // The same job answers another zone, a later window and a backwards one in between.
    expect(runs(cron("*/7 3 * * *", "America/New_York"), "2030-11-03T00:00:00Z", "2030-11-04T00:00:00Z")).toHaveLength(9);
    expect(runs(cron("*/7 3 * * *"), "2021-01-01T00:00:00Z", "2021-01-01T04:00:00Z")).toHaveLength(9);
    expect(tokyo()).toEqual(first);
    expect(first).toHaveLength(18);
  });
});
