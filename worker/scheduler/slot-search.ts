import type { ScheduleDefinition } from "../../protocol/schedules";
import { anchorMs } from "./interval";
import { nextRunTimes } from "./next-runs";

/** A stretch of time: slots strictly after `after` and at or before `until`. */
export interface Span {
  after: Date;
  until: Date;
}

/**
 * The last `n` slots of the span (fewer when it holds fewer), ascending. Slots can only be listed
 * forwards, and a long outage of a frequent schedule holds millions, so this looks for a start from
 * which between n and 2n slots remain, halving the span: about log2(slots in the span / n) queries
 * of at most 2n + 1 slots each.
 */
export function lastSlots(def: ScheduleDefinition, { after, until }: Span, n: number): Date[] {
  if (n <= 0) return [];
  const cap = 2 * n;
  let lo = after.getTime();
  let hi = until.getTime();
  for (let start = lo; ; ) {
    const found = nextRunTimes(def, { after: new Date(start), until, max: cap + 1 });
    if (found.length <= cap && (found.length >= n || start === after.getTime())) return found.slice(-n);
    if (found.length > cap) lo = start;
    else hi = start;
    // Slots fall on whole seconds, so the band is met long before the span closes; this only rules out a loop.
    if (hi - lo <= 1) return found.slice(-n);
    start = Math.floor((lo + hi) / 2);
  }
}

/** How many slots the span holds: exactly for an interval, else counting no further than `cap`. */
export function countSlots(def: ScheduleDefinition, span: Span, cap: number): { count: number; capped: boolean } {
  if ("interval" in def) {
    // Slots are anchor + k × interval: counted without listing them.
    const step = def.interval * 1000;
    const anchor = anchorMs(def);
    const k = (at: Date) => Math.floor((at.getTime() - anchor) / step);
    return { count: Math.max(0, k(span.until) - k(span.after)), capped: false };
  }
  const found = nextRunTimes(def, { ...span, max: cap + 1 }).length;
  return found > cap ? { count: cap, capped: true } : { count: found, capped: false };
}
