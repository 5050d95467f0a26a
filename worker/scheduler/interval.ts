import type { IntervalSchedule } from "../../protocol/schedules";
import { DEFAULT_ANCHOR_MS, type SlotWindow } from "./slot-window";

/**
 * Slots of an interval schedule: anchor + k × interval for every integer k, in exact elapsed time (DST
 * moves no slot). The anchor is truncated to its second so that slots fall on whole seconds; k is
 * computed directly, so an anchor years away costs nothing.
 */
export function intervalRunTimes(def: IntervalSchedule, { after, until, max }: SlotWindow): Date[] {
  if (!Number.isInteger(def.interval) || def.interval <= 0) {
    throw new RangeError(`interval must be a positive whole number of seconds, got ${def.interval}`);
  }
  const step = def.interval * 1000;
  const anchor = anchorMs(def);
  const slots: Date[] = [];
  let k = Math.floor((after.getTime() - anchor) / step) + 1;
  for (let at = anchor + k * step; at <= until.getTime() && slots.length < max; at = anchor + ++k * step) {
    slots.push(new Date(at));
  }
  return slots;
}

export function anchorMs(def: IntervalSchedule): number {
  if (def.anchor_date == null) return DEFAULT_ANCHOR_MS;
  const at = Date.parse(def.anchor_date);
  if (Number.isNaN(at)) throw new RangeError(`anchor_date "${def.anchor_date}" is not a date`);
  return Math.floor(at / 1000) * 1000;
}
