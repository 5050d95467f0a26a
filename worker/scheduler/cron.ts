import { Cron } from "croner";
import type { CronSchedule } from "../../protocol/schedules";
import { memo } from "./memo";
import type { SlotWindow } from "./slot-window";
import { instantOf, toWall } from "./zone";

// Building a job costs ~30 µs of CPU, more than finding a slot (its year table alone has 10,000
// entries), and a scheduler tick asks about thousands of schedules that share a few dozen patterns.
// A job without a callback keeps no state between nextRun calls, so one job per pattern serves them all.
const jobs = memo<string, Cron>(1000);

/**
 * The croner job of a cron schedule, working in wall time (see zone.ts); throws croner's error when
 * the pattern does not parse.
 */
export function compileCron(def: CronSchedule): Cron {
  // croner combines day-of-month and day-of-week with OR, as Vixie cron does, unless domAndDow.
  const domAndDow = def.day_or === false;
  return jobs(`${domAndDow ? "and" : "or"} ${def.cron}`, () =>
    // Without a callback croner starts no timer: the job only answers questions about its times.
    new Cron(def.cron, { utcOffset: 0, mode: "5-or-6-parts", domAndDow }),
  );
}

/**
 * Slots of a cron schedule in the schedule's zone.
 *
 * DESIGN.md: a local time in a spring-forward gap is skipped, and a local time that a fall-back
 * repeats fires once. croner's own `timezone` mode follows Vixie cron instead: a fixed-time job
 * (`30 2 * * *`) whose time falls in a gap runs at the end of the gap, and a job with a wildcard, range
 * or list (`*\/30 * * * *`, `30 1,2 * * *`) runs on both passes through a repeated hour; it also
 * builds an Intl formatter for each step, about 0.1 ms a slot in workerd. So croner only matches the
 * pattern against local (wall) times, and zone.ts turns each into an instant: the first one for a
 * repeated time, none for a time in a gap. Apart from gap times, that mapping keeps order, so slots
 * come out ascending.
 */
export function cronRunTimes(def: CronSchedule, { after, until, max }: SlotWindow): Date[] {
  const job = compileCron(def);
  const slots: Date[] = [];
  // Local times before after's own belong to instants at or before it (first passes of a repeated
  // hour), so the search can start there.
  let wall = job.nextRun(new Date(toWall(def.timezone, after.getTime())));
  for (; wall && slots.length < max; wall = job.nextRun(wall)) {
    const { at, inGap } = instantOf(def.timezone, wall.getTime());
    // Before the bound check: `at` of a time in a gap lies past the gap, beyond later real times.
    if (inGap) continue;
    if (at > until.getTime()) break;
    if (at > after.getTime()) slots.push(new Date(at));
  }
  return slots;
}
