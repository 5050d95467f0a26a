import type { Catchup, ScheduleDefinition } from "../../protocol/schedules";
import { nextRunTimes } from "./next-runs";
import { countSlots, lastSlots, type Span } from "./slot-search";

/** A run the scheduler is to create: SCHEDULED at its slot, or recorded as skipped (CANCELLED "Skipped"). */
export interface PlannedRun {
  slot: Date;
  skipped: boolean;
  message: string | null;
}

/** Skipped and dropped slots are counted up to this many: counting means listing them (not for intervals). */
export const COUNT_CAP = 1000;

const ms = (at: Date, delta: number) => new Date(at.getTime() + delta);
const slotsText = ({ count, capped }: { count: number; capped: boolean }) =>
  `${capped ? "over " : ""}${count} slot${count === 1 && !capped ? "" : "s"}`;
const between = (first: Date, last: Date) =>
  first.getTime() === last.getTime() ? `at ${first.toISOString()}` : `from ${first.toISOString()} to ${last.toISOString()}`;
const firstSlot = (def: ScheduleDefinition, span: Span) => nextRunTimes(def, { ...span, max: 1 })[0];
const DOWN = "with no run queued (scheduler stopped, or deployment moved to another pool)";

/**
 * What to create for the slots of `missed` that no run was made for (the server was down), following
 * the schedule's catch-up setting: "latest" runs the latest missed slot once, "none" records it as
 * skipped and runs nothing, "all" runs every one of them up to `maxRuns` (the latest ones). Each says in
 * its message what happened to the others. Costs a bounded number of queries however long the outage.
 */
export function catchUp(def: ScheduleDefinition, policy: Catchup, missed: Span, maxRuns: number): PlannedRun[] {
  if (policy === "all") return catchUpAll(def, missed, maxRuns);
  const lastTwo = lastSlots(def, missed, 2);
  const latest = lastTwo.at(-1);
  if (!latest) return [];
  if (policy === "none") {
    const count = slotsText(countSlots(def, missed, COUNT_CAP));
    const message = `Not run: ${count} ${between(firstSlot(def, missed)!, latest)} were missed ${DOWN} (catch-up "none")`;
    return [{ slot: latest, skipped: true, message }];
  }
  if (lastTwo.length === 1) return [{ slot: latest, skipped: false, message: `Missed ${DOWN}; runs now (catch-up "latest")` }];
  const earlier = { after: missed.after, until: ms(latest, -1) };
  const skipped = `${slotsText(countSlots(def, earlier, COUNT_CAP))} ${between(firstSlot(def, earlier)!, lastTwo[0]!)}`;
  return [{ slot: latest, skipped: false, message: `Missed ${DOWN}; runs now, once: ${skipped} were skipped (catch-up "latest")` }];
}

function catchUpAll(def: ScheduleDefinition, missed: Span, maxRuns: number): PlannedRun[] {
  const kept = lastSlots(def, missed, maxRuns);
  if (kept.length === 0) return [];
  const runs = kept.map((slot) => ({ slot, skipped: false, message: `Missed ${DOWN}; runs now (catch-up "all")` }));
  const earlier = { after: missed.after, until: ms(kept[0]!, -1) };
  const dropped = countSlots(def, earlier, COUNT_CAP);
  if (dropped.count > 0) {
    const range = between(firstSlot(def, earlier)!, lastSlots(def, earlier, 1)[0]!);
    runs[0]!.message += `; ${slotsText(dropped)} ${range} were dropped: catch-up "all" runs at most ${maxRuns}`;
  }
  return runs;
}
