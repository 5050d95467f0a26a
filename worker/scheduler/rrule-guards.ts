import { type ByWeekday, Frequency, RRule, Weekday } from "rrule";
import { DAY_MS } from "./zone";

/**
 * rrule.js trusts its input, and some rules that parse never come back: an out-of-range value
 * (BYMONTHDAY=0, BYYEARDAY=400) or a step that cannot reach its BYHOUR (FREQ=HOURLY;INTERVAL=2;BYHOUR=3
 * from an even hour) loops forever, and a rule no day can satisfy (Feb 30) iterates day by day up to
 * the year 9999, which takes tens of seconds. These checks keep such rules out of the Worker.
 */

const RANGES = {
  bymonth: [1, 12],
  bymonthday: [-31, 31],
  byyearday: [-366, 366],
  byweekno: [-53, 53],
  bysetpos: [-366, 366],
  byhour: [0, 23],
  byminute: [0, 59],
  bysecond: [0, 59],
} as const;

/** rrule.js stops iterating after this year. */
const LAST_YEAR = 9999;
const PERIOD_MS: Partial<Record<Frequency, number>> = {
  [Frequency.WEEKLY]: 7 * DAY_MS,
  [Frequency.DAILY]: DAY_MS,
  [Frequency.HOURLY]: 3_600_000,
  [Frequency.MINUTELY]: 60_000,
  [Frequency.SECONDLY]: 1000,
};
/** Length of one period of a frequency iterated in fixed steps; yearly and monthly periods vary. */
export const periodMs = (freq: Frequency): number | undefined => PERIOD_MS[freq];

const list = <T>(value: T | T[] | null | undefined): T[] => (value == null ? [] : Array.isArray(value) ? value : [value]);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const weekdayOf = (d: ByWeekday): Weekday => (typeof d === "number" ? new Weekday(d) : typeof d === "string" ? Weekday.fromStr(d) : d);

/** Throws when rrule.js would loop forever on the rule, or step through it wrongly. */
export function assertIterable(rule: RRule): void {
  const o = rule.origOptions;
  const { freq, interval, dtstart } = rule.options;
  const name = Frequency[freq];
  for (const [key, [min, max]] of Object.entries(RANGES)) {
    for (const n of list(o[key as keyof typeof RANGES])) {
      if (!Number.isInteger(n) || n < min || n > max || (n === 0 && min < 0)) {
        throw new Error(`${key.toUpperCase()}=${n} is outside ${min}..${max}`);
      }
    }
  }
  for (const key of ["interval", "count"] as const) {
    const n = o[key];
    if (n != null && !(Number.isInteger(n) && n >= 1)) throw new Error(`${key.toUpperCase()}=${n} must be a positive integer`);
  }
  const maxNth = freq === Frequency.MONTHLY ? 5 : 53;
  for (const day of list(o.byweekday).map(weekdayOf)) {
    if (day.n != null && (day.n === 0 || Math.abs(day.n) > maxNth)) throw new Error(`BYDAY=${day} is outside ±1..${maxNth}`);
  }

  // Stepping past an hour (or minute) that BYHOUR (or BYMINUTE) leaves out, rrule.js keeps the minute
  // (or second) it had, which breaks the step unless the step divides 60 (checked against python-dateutil).
  const coarser = freq === Frequency.MINUTELY ? [o.byhour] : freq === Frequency.SECONDLY ? [o.byhour, o.byminute] : [];
  if (coarser.some((v) => list(v).length > 0) && 60 % interval !== 0) {
    throw new Error(`FREQ=${name} with ${freq === Frequency.MINUTELY ? "BYHOUR" : "BYHOUR or BYMINUTE"} needs an INTERVAL that divides 60`);
  }
  const reach = (key: "byhour" | "byminute" | "bysecond", from: number, modulus: number) => {
    const step = gcd(interval, modulus);
    const values = list(o[key]);
    if (values.length > 0 && !values.some((v) => (v - from) % step === 0)) {
      throw new Error(`FREQ=${name};INTERVAL=${interval} starting at ${from} never reaches ${key.toUpperCase()}=${values.join(",")}`);
    }
  };
  if (freq === Frequency.HOURLY) reach("byhour", dtstart.getUTCHours(), 24);
  if (freq === Frequency.MINUTELY) reach("byminute", dtstart.getUTCMinutes(), 60);
  if (freq === Frequency.SECONDLY) reach("bysecond", dtstart.getUTCSeconds(), 60);
}

/**
 * True when no day can ever satisfy the rule. A yearly copy with the same day filters (BYMONTH,
 * BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYDAY without its ordinal, BYEASTER) matches a superset of the
 * rule's days and is iterated a year at a time. It starts 400 years before rrule.js's last year,
 * 9999: the Gregorian calendar repeats every 400 years, so those years hold every kind of day there is.
 */
export function neverFires(rule: RRule): boolean {
  const o = rule.origOptions;
  const { freq, interval, dtstart } = rule.options;
  const days = list(o.byweekday).map((d) => weekdayOf(d).weekday);
  // A step of whole weeks stays on DTSTART's weekday (rrule counts Monday as 0).
  const cycle = (periodMs(freq) ?? 0) * interval;
  if (freq !== Frequency.WEEKLY && cycle > 0 && cycle % (7 * DAY_MS) === 0 && days.length > 0) {
    if (!days.includes((dtstart.getUTCDay() + 6) % 7)) return true;
  }
  const dayFilters = {
    bymonth: o.bymonth,
    bymonthday: o.bymonthday,
    byyearday: o.byyearday,
    byweekno: o.byweekno,
    byweekday: days.length > 0 ? days : null,
    byeaster: o.byeaster,
  };
  const probe = new RRule(
    {
      freq: Frequency.YEARLY,
      dtstart: new Date(Date.UTC(LAST_YEAR - 400, 0, 1)),
      byhour: 0,
      byminute: 0,
      bysecond: 0,
      // rrule.js reads a BYEASTER that is present but undefined as "Easter only".
      ...Object.fromEntries(Object.entries(dayFilters).filter(([, v]) => v != null)),
    },
    true,
  );
  return probe.after(probe.options.dtstart, true) === null;
}
