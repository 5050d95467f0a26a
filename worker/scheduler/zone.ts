/**
 * IANA time zone arithmetic on epoch milliseconds, through Intl (full ICU in workerd).
 *
 * A "wall" time is a zone's local date and time written as if it were UTC: the epoch milliseconds of
 * `Date.UTC(local fields)`. It lets calendar libraries work on local times without a zone of their own.
 */

import { memo } from "./memo";

export const DAY_MS = 86_400_000;

// Building a DateTimeFormat costs far more than using one, and the scheduler asks about the same few
// zones for every slot of every schedule.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether Intl knows the zone; building its formatter throws a RangeError when it does not. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

// formatToParts costs ~5 µs and allocates; a tick asks about the same instants over and over (schedules
// sharing a pattern and a zone share their slots, and each slot is checked a day either side).
const walls = new Map<string, (at: number, make: () => number) => number>();

/** The wall time of the instant `at` in `zone`. */
export function toWall(zone: string, at: number): number {
  // The default zone of every schedule, and the one the scheduler meets most.
  if (zone === "UTC") return at;
  let known = walls.get(zone);
  if (!known) {
    formatter(zone); // throws for an unknown zone, which then gets no cache
    walls.set(zone, (known = memo<number, number>(20_000)));
  }
  return known(at, () => formatWall(zone, at));
}

function formatWall(zone: string, at: number): number {
  const fields: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(at)) fields[p.type] = Number(p.value);
  const wholeSeconds = Date.UTC(
    fields.year!,
    fields.month! - 1,
    fields.day!,
    fields.hour!,
    fields.minute!,
    fields.second!,
  );
  return wholeSeconds + (((at % 1000) + 1000) % 1000);
}

/** The UTC offset of `zone` at the instant `at`. */
export function offsetAt(zone: string, at: number): number {
  return toWall(zone, at) - at;
}

/**
 * The instant a wall time stands for in `zone`. A time that occurs twice (fall back) stands for its
 * first occurrence. A time that does not exist (spring forward) is flagged `inGap`, with `at` read at
 * the offset in force before the gap, which moves it forward by the gap's length (RFC 5545 §3.3.5).
 * Assumes at most one offset change within a day of `wall`, which holds for every zone in use.
 */
export function instantOf(zone: string, wall: number): { at: number; inGap: boolean } {
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  if (before === after) return { at: wall - before, inGap: false };
  const candidates = [wall - before, wall - after].filter((at) => toWall(zone, at) === wall);
  return candidates.length > 0 ? { at: Math.min(...candidates), inGap: false } : { at: wall - before, inGap: true };
}
