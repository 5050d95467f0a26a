import type { RRule } from "rrule";
import type { ScheduleDefinition } from "../../protocol/schedules";
import { compileCron } from "./cron";
import { anchorMs } from "./interval";
import { nextRunTimes } from "./next-runs";
import { compileRRule } from "./rrule";
import { neverFires } from "./rrule-guards";
import { isValidTimeZone } from "./zone";

export type ScheduleCheck = { ok: true } | { ok: false; reason: string };

/**
 * How far ahead a schedule must fire to be accepted: well past the rarest cron that fires at all
 * (Feb 29 on a Monday, with day_or false, can be 40 years apart).
 */
const HORIZON_YEARS = 100;

const OK: ScheduleCheck = { ok: true };
const fail = (reason: string): ScheduleCheck => ({ ok: false, reason });
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The semantic check behind a 422 when a schedule is created or changed (DESIGN.md, "Schedules are
 * checked when created"); protocol/schedules.ts has already checked types and ranges.
 */
export function checkSchedule(def: ScheduleDefinition, now: Date): ScheduleCheck {
  if (def.timezone != null && !isValidTimeZone(def.timezone)) return fail(`unknown time zone "${def.timezone}"`);

  if ("interval" in def) {
    if (!Number.isFinite(def.interval) || def.interval <= 0) {
      return fail(`interval must be a positive number of seconds, got ${def.interval}`);
    }
    if (!Number.isInteger(def.interval)) return fail(`interval must be a whole number of seconds, got ${def.interval}`);
    try {
      anchorMs(def);
    } catch (e) {
      return fail(message(e));
    }
    return OK;
  }

  if ("cron" in def) {
    try {
      compileCron(def);
    } catch (e) {
      return fail(`invalid cron "${def.cron}": ${message(e)}`);
    }
    return firesAfter(def, now) ? OK : fail(`cron "${def.cron}" never fires`);
  }

  let rules: RRule[];
  try {
    const { rrules, exrules } = compileRRule(def);
    rules = [...rrules, ...exrules];
  } catch (e) {
    return fail(`invalid rrule: ${message(e)}`);
  }
  // Checked before iterating: rrule.js would walk such a rule day by day to the year 9999.
  if (rules.some(neverFires)) return fail("rrule never fires: no day satisfies one of its rules");
  return firesAfter(def, now) ? OK : fail(`rrule has no occurrence after ${now.toISOString()}`);
}

function firesAfter(def: ScheduleDefinition, now: Date): boolean {
  const horizon = new Date(now);
  horizon.setUTCFullYear(horizon.getUTCFullYear() + HORIZON_YEARS);
  return nextRunTimes(def, { after: now, until: horizon, max: 1 }).length > 0;
}
