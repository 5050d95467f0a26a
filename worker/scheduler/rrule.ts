import { Frequency, RRule, RRuleSet, rrulestr } from "rrule";
import type { RRuleSchedule } from "../../protocol/schedules";
import { memo } from "./memo";
import { assertIterable, periodMs } from "./rrule-guards";
import { DEFAULT_ANCHOR_MS, type SlotWindow } from "./slot-window";
import { DAY_MS, instantOf, isValidTimeZone, offsetAt, toWall } from "./zone";

/**
 * rrule's own `tzid` support reads the zone's offset at the wrong instant (the local time taken as
 * UTC), which lands some runs an hour off on DST days, and it depends on the runtime's zone. So the
 * rule is evaluated here in floating local time, with no tzid, and each occurrence is turned into an
 * instant by zone.ts: a repeated local time is its first occurrence and a local time in a spring-forward
 * gap moves forward by the gap, as RFC 5545 §3.3.10 asks of recurrence instances.
 */

const TZID = /;TZID=([^:;\s]+)/gi;
const UTC_DATE_TIME = /\b(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/gi;
const DATE_LINE = /^(DTSTART|RDATE|EXDATE)[:;]/i;

/**
 * A parsed rrule schedule. Shared between callers (see `compileRRule`): read it, never change it. The
 * set's parts are kept apart because RRuleSet hands out its rules by printing and parsing each again.
 */
export interface CompiledRRule {
  zone: string;
  set: RRuleSet;
  rrules: RRule[];
  exrules: RRule[];
  /** Ascending, like each rule's occurrences, which the early stop in rruleRunTimes relies on. */
  rdates: Date[];
  exdates: Date[];
}

// Parsing and checking a rule costs far more than listing its next slots, and a scheduler tick asks about
// thousands of schedules, several times each: the result depends on the text and zone only.
const compiled = memo<string, CompiledRRule>(2000);

/** Parses a schedule's rrule text; throws an Error whose message says what is wrong. */
export function compileRRule(def: RRuleSchedule): CompiledRRule {
  return compiled(`${def.timezone ?? ""}\n${def.rrule}`, () => parseRRule(def));
}

function parseRRule(def: RRuleSchedule): CompiledRRule {
  const tzids = new Set(Array.from(def.rrule.matchAll(TZID), (m) => m[1]!));
  if (tzids.size > 1) throw new Error(`mixes time zones ${[...tzids].join(", ")}`);
  const zone = [...tzids][0] ?? def.timezone ?? "UTC";
  if (!isValidTimeZone(zone)) throw new Error(`unknown time zone "${zone}"`);

  // UTC date-times (…Z) become local times of the zone, so that every date in the text is local.
  let text = def.rrule
    .replace(TZID, "")
    .replace(UTC_DATE_TIME, (_m, y: string, mo: string, d: string, h: string, mi: string, s: string) =>
      basicDateTime(toWall(zone, Date.UTC(+y, +mo - 1, +d, +h, +mi, +s))),
    );
  if (!/DTSTART/i.test(text)) text = `DTSTART:${basicDateTime(DEFAULT_ANCHOR_MS)}\n${text}`;

  // rrule quietly reads a rule without FREQ as YEARLY.
  const lines = text.split(/\s+/).filter((line) => line !== "" && !DATE_LINE.test(line));
  const noFreq = lines.find((line) => !/(^|[:;])FREQ=/i.test(line));
  if (noFreq !== undefined) throw new Error(`"${noFreq}" has no FREQ`);

  const set = rrulestr(text, { forceset: true }) as RRuleSet;
  const rrules = set.rrules();
  const exrules = set.exrules();
  for (const rule of [...rrules, ...exrules]) assertIterable(rule);
  const rdates = [...set.rdates()].sort((a, b) => a.getTime() - b.getTime());
  return { zone, set, rrules, exrules, rdates, exdates: set.exdates() };
}

/** Slots of an rrule schedule. */
export function rruleRunTimes(def: RRuleSchedule, { after, until, max }: SlotWindow): Date[] {
  const rule = compileRRule(def);
  const { zone } = rule;
  const from = after.getTime();
  const to = until.getTime();
  // The earliest local time that can stand for an instant after `from`: its own, or one in a gap that
  // closed during the last day, which stands for an instant past the gap.
  const wallFrom = from + Math.min(offsetAt(zone, from), offsetAt(zone, from - DAY_MS));
  const found = new Set<number>();
  let enough = to;
  // rrule hands over the RDATEs, then each rule's occurrences, each sequence in ascending local time.
  // Later local times stand for later instants, except that one in a gap (read forward by the gap) can
  // come after the next ones: so past an occurrence outside a gap that is too late, a sequence is done.
  fastForward(rule, wallFrom).between(new Date(wallFrom), new Date(to + DAY_MS), true, (local) => {
    const { at, inGap } = instantOf(zone, local.getTime());
    if (!inGap && at > enough) return false;
    if (at > from && at <= to) {
      found.add(at);
      if (found.size === max) enough = Math.max(...found);
    }
    return true;
  });
  return [...found]
    .sort((a, b) => a - b)
    .slice(0, max)
    .map((at) => new Date(at));
}

/**
 * rrule iterates from DTSTART on every query, and DTSTART defaults to 2020: an hourly rule would
 * walk through every hour since then on each scheduler tick, a monthly one through every month.
 * Moving DTSTART forward by whole cycles (INTERVAL periods) keeps the rule's phase and the fields it
 * takes from DTSTART (time of day, weekday, day of month, month), so occurrences after `wallFrom` are
 * unchanged; one cycle of margin keeps the new first period entirely before `wallFrom`. Rules with
 * COUNT count from the real DTSTART and stay as they are.
 */
function fastForward(rule: CompiledRRule, wallFrom: number): RRuleSet {
  const moved = (r: RRule): RRule => {
    const dtstart = r.options.count === null ? laterStart(r, wallFrom) : null;
    return dtstart ? new RRule({ ...r.origOptions, dtstart }, true) : r;
  };
  const set = new RRuleSet(true);
  for (const r of rule.rrules) set.rrule(moved(r));
  for (const r of rule.exrules) set.exrule(moved(r));
  for (const date of rule.rdates) set.rdate(date);
  for (const date of rule.exdates) set.exdate(date);
  return set;
}

/** DTSTART moved forward by whole cycles to a cycle or more before `wallFrom`; null when it cannot or need not move. */
function laterStart(rule: RRule, wallFrom: number): Date | null {
  const { freq, interval, dtstart } = rule.options;
  const period = periodMs(freq);
  if (period !== undefined) {
    const cycle = period * interval;
    const cycles = Math.floor((wallFrom - dtstart.getTime()) / cycle) - 1;
    return cycles > 0 ? new Date(dtstart.getTime() + cycles * cycle) : null;
  }
  // Months and years vary in length: step whole months. rrule.js takes the day of month (and, yearly,
  // the month) from DTSTART when the rule names no day; a day that every month has (1-28) survives the
  // move, and a step of whole years keeps the month.
  const months = freq === Frequency.MONTHLY ? interval : freq === Frequency.YEARLY ? 12 * interval : 0;
  if (months === 0 || dtstart.getUTCDate() > 28) return null;
  const from = new Date(wallFrom);
  const elapsed = (from.getUTCFullYear() - dtstart.getUTCFullYear()) * 12 + from.getUTCMonth() - dtstart.getUTCMonth();
  const cycles = Math.floor(elapsed / months) - 1;
  if (cycles <= 0) return null;
  return new Date(
    Date.UTC(
      dtstart.getUTCFullYear(),
      dtstart.getUTCMonth() + cycles * months,
      dtstart.getUTCDate(),
      dtstart.getUTCHours(),
      dtstart.getUTCMinutes(),
      dtstart.getUTCSeconds(),
      dtstart.getUTCMilliseconds(),
    ),
  );
}

/** `20260308T023000`: a wall time in RFC 5545's basic format, without zone. */
function basicDateTime(wall: number): string {
  return new Date(wall).toISOString().slice(0, 19).replace(/[-:]/g, "");
}
