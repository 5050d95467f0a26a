import { RRule, RRuleSet, rrulestr } from "rrule";
import type { RRuleSchedule } from "../../protocol/schedules";
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

export interface CompiledRRule {
  zone: string;
  set: RRuleSet;
}

/** Parses a schedule's rrule text; throws an Error whose message says what is wrong. */
export function compileRRule(def: RRuleSchedule): CompiledRRule {
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
  for (const rule of [...set.rrules(), ...set.exrules()]) assertIterable(rule);
  return { zone, set };
}

/** Slots of an rrule schedule. */
export function rruleRunTimes(def: RRuleSchedule, { after, until, max }: SlotWindow): Date[] {
  const { zone, set } = compileRRule(def);
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
  fastForward(set, wallFrom).between(new Date(wallFrom), new Date(to + DAY_MS), true, (local) => {
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
 * walk through every hour since then on each scheduler tick. Moving DTSTART forward by whole cycles
 * (INTERVAL periods) keeps the rule's phase and the fields it takes from DTSTART (time of day,
 * weekday), so occurrences after `wallFrom` are unchanged; one cycle of margin keeps the new first
 * period entirely before `wallFrom`. Rules with COUNT count from the real DTSTART and stay as they are;
 * yearly and monthly rules are cheap to iterate anyway.
 */
function fastForward(parsed: RRuleSet, wallFrom: number): RRuleSet {
  const moved = (rule: RRule): RRule => {
    const { freq, interval, count, dtstart } = rule.options;
    const period = periodMs(freq);
    if (period === undefined || count !== null) return rule;
    const cycle = period * interval;
    const cycles = Math.floor((wallFrom - dtstart.getTime()) / cycle) - 1;
    if (cycles <= 0) return rule;
    return new RRule({ ...rule.origOptions, dtstart: new Date(dtstart.getTime() + cycles * cycle) }, true);
  };
  const set = new RRuleSet(true);
  for (const rule of parsed.rrules()) set.rrule(moved(rule));
  for (const rule of parsed.exrules()) set.exrule(moved(rule));
  // Ascending, like each rule's occurrences, which the early stop in rruleRunTimes relies on.
  for (const date of [...parsed.rdates()].sort((a, b) => a.getTime() - b.getTime())) set.rdate(date);
  for (const date of parsed.exdates()) set.exdate(date);
  return set;
}

/** `20260308T023000`: a wall time in RFC 5545's basic format, without zone. */
function basicDateTime(wall: number): string {
  return new Date(wall).toISOString().slice(0, 19).replace(/[-:]/g, "");
}
