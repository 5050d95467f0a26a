import type { ScheduleDefinition } from "../../protocol/schedules";
import { cronRunTimes } from "./cron";
import { intervalRunTimes } from "./interval";
import { rruleRunTimes } from "./rrule";
import type { SlotWindow } from "./slot-window";

/**
 * The schedule's slots strictly after `after` and at or before `until`, at most `max`, ascending, each
 * on a whole second. The same definition and window always give the same slots, which the scheduler's
 * idempotency key `scheduled:{deployment}:{schedule}:{slot}` relies on. Expects a definition that
 * `checkSchedule` accepted: others may throw, and an rrule that never fires keeps rrule.js busy for
 * seconds.
 */
export function nextRunTimes(def: ScheduleDefinition, window: SlotWindow): Date[] {
  if (window.max <= 0 || window.until.getTime() <= window.after.getTime()) return [];
  if ("interval" in def) return intervalRunTimes(def, window);
  if ("cron" in def) return cronRunTimes(def, window);
  return rruleRunTimes(def, window);
}
