import { describe, expect, it } from "vitest";
import type { ScheduleDefinition } from "../../protocol/schedules";
import { checkSchedule } from "./validate";

const now = new Date("2026-06-01T12:00:00Z");
const reason = (def: ScheduleDefinition) => {
  const result = checkSchedule(def, now);
  return result.ok ? null : result.reason;
};

describe("checkSchedule", () => {
  it("accepts good schedules of each kind", () => {
    expect(checkSchedule({ interval: 60, anchor_date: "2026-01-01T00:00:00Z", timezone: "UTC" }, now)).toEqual({ ok: true });
    expect(checkSchedule({ cron: "30 2 * * *", timezone: "America/New_York", day_or: true }, now)).toEqual({ ok: true });
    expect(checkSchedule({ cron: "0 0 29 2 1", timezone: "UTC", day_or: false }, now)).toEqual({ ok: true });
    expect(checkSchedule({ rrule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", timezone: "Europe/London" }, now)).toEqual({ ok: true });
  });

  it("names an unknown time zone", () => {
    expect(reason({ cron: "0 9 * * *", timezone: "Mars/Olympus", day_or: true })).toBe('unknown time zone "Mars/Olympus"');
    expect(reason({ interval: 60, timezone: "Mars/Olympus" })).toBe('unknown time zone "Mars/Olympus"');
    expect(reason({ rrule: "FREQ=DAILY", timezone: "Mars/Olympus" })).toContain('"Mars/Olympus"');
    expect(reason({ rrule: "DTSTART;TZID=Mars/Olympus:20260101T090000\nRRULE:FREQ=DAILY", timezone: null })).toContain(
      '"Mars/Olympus"',
    );
  });

  it("passes on croner's message for a cron that does not parse", () => {
    expect(reason({ cron: "61 * * * *", timezone: "UTC", day_or: true })).toMatch(/^invalid cron "61 \* \* \* \*": .*minute: 61/);
    expect(reason({ cron: "* * *", timezone: "UTC", day_or: true })).toMatch(/^invalid cron/);
    expect(reason({ cron: "0 0 1 1 * 2030", timezone: "UTC", day_or: true })).toMatch(/^invalid cron/);
    expect(reason({ cron: "* * * * * * *", timezone: "UTC", day_or: true })).toMatch(/^invalid cron.*5 or 6/);
    expect(reason({ cron: "@reboot", timezone: "UTC", day_or: true })).toMatch(/^invalid cron.*@reboot/);
  });

  it("rejects a cron that never fires", () => {
    expect(reason({ cron: "0 0 31 2 *", timezone: "UTC", day_or: true })).toBe('cron "0 0 31 2 *" never fires');
    expect(reason({ cron: "0 0 30 2 *", timezone: "Europe/Berlin", day_or: true })).toBe('cron "0 0 30 2 *" never fires');
  });

  it("rejects an rrule without FREQ or that does not parse", () => {
    expect(reason({ rrule: "BYHOUR=9;BYMINUTE=0", timezone: null })).toBe('invalid rrule: "BYHOUR=9;BYMINUTE=0" has no FREQ');
    expect(reason({ rrule: "DTSTART:20260101T000000\nRRULE:INTERVAL=2", timezone: null })).toMatch(/no FREQ/);
    expect(reason({ rrule: "FREQ=SOMETIMES", timezone: null })).toMatch(/^invalid rrule: .*frequency/i);
    expect(reason({ rrule: "FREQ=DAILY;FOO=1", timezone: null })).toMatch(/^invalid rrule: .*FOO/);
    expect(reason({ rrule: "FREQ=DAILY\nVEVENT:X", timezone: null })).toMatch(/^invalid rrule: .*VEVENT/);
    expect(
      reason({ rrule: "DTSTART;TZID=Europe/London:20260101T090000\nRRULE:FREQ=DAILY\nEXDATE;TZID=Europe/Paris:20260102T090000", timezone: null }),
    ).toMatch(/mixes time zones/);
  });

  it("rejects an rrule with no occurrence after now", () => {
    const expected = "rrule has no occurrence after 2026-06-01T12:00:00.000Z";
    expect(reason({ rrule: "DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20260301T000000Z", timezone: null })).toBe(expected);
    expect(reason({ rrule: "DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;COUNT=3", timezone: null })).toBe(expected);
    expect(reason({ rrule: "FREQ=DAILY;COUNT=10", timezone: null })).toBe(expected);
  });

  it("rejects, without iterating, rules that rrule.js would loop on for ever or for tens of seconds", () => {
    const cases: Record<string, RegExp> = {
      "FREQ=DAILY;BYMONTHDAY=0": /BYMONTHDAY=0 is outside -31..31/,
      "FREQ=DAILY;BYYEARDAY=400": /BYYEARDAY=400/,
      "FREQ=DAILY;BYHOUR=24": /BYHOUR=24/,
      "FREQ=DAILY;BYHOUR=x": /BYHOUR=x/,
      "FREQ=DAILY;INTERVAL=-1": /INTERVAL=-1 must be a positive integer/,
      "FREQ=MONTHLY;BYDAY=+6MO": /BYDAY=\+6MO/,
      "FREQ=HOURLY;INTERVAL=2;BYHOUR=3": /never reaches BYHOUR=3/,
      "FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1": /never reaches BYMINUTE=1/,
      "FREQ=MINUTELY;INTERVAL=7;BYHOUR=9": /INTERVAL that divides 60/,
      "FREQ=SECONDLY;INTERVAL=7;BYMINUTE=9": /INTERVAL that divides 60/,
      "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30": /never fires/,
      "FREQ=HOURLY;BYMONTH=4,6;BYMONTHDAY=31": /never fires/,
      "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30,31": /never fires/,
      "DTSTART:20260601T090000\nRRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU": /never fires/, // 2026-06-01 is a Monday
      "DTSTART:20260601T090000\nRRULE:FREQ=DAILY\nEXRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31": /never fires/,
    };
    for (const [text, expected] of Object.entries(cases)) expect(reason({ rrule: text, timezone: null }), text).toMatch(expected);
    expect(reason({ rrule: "DTSTART:20260602T090000\nRRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU", timezone: null })).toBeNull();
    expect(reason({ rrule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", timezone: null })).toBeNull();
  });

  it("rejects a zero, negative, fractional or infinite interval and a bad anchor", () => {
    expect(reason({ interval: 0, timezone: "UTC" })).toBe("interval must be a positive number of seconds, got 0");
    expect(reason({ interval: -5, timezone: "UTC" })).toBe("interval must be a positive number of seconds, got -5");
    expect(reason({ interval: Number.POSITIVE_INFINITY, timezone: "UTC" })).toMatch(/positive number/);
    expect(reason({ interval: Number.NaN, timezone: "UTC" })).toMatch(/positive number/);
    expect(reason({ interval: 1.5, timezone: "UTC" })).toMatch(/whole number/);
    expect(reason({ interval: 60, anchor_date: "yesterday", timezone: "UTC" })).toMatch(/anchor_date/);
  });
});
