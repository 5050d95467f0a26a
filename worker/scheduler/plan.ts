import type { Catchup, ScheduleDefinition } from "../../protocol/schedules";
import { catchUp, type PlannedRun } from "./catchup";
import { nextRunTimes } from "./next-runs";
import { lastSlots } from "./slot-search";
import { DAY_MS } from "./zone";

export type { PlannedRun } from "./catchup";

/*
 * Bounds of Prefect's scheduler: a schedule keeps at least MIN_RUNS upcoming runs reaching at least
 * MIN_AHEAD ahead, and at most MAX_RUNS (or its max_scheduled_runs) reaching at most MAX_AHEAD ahead.
 * A refill goes up to twice the minimums, so that a frequent schedule is refilled about hourly rather
 * than at every tick (each refill rewrites its bookkeeping row).
 */
export const MIN_RUNS = 3;
export const MIN_AHEAD_MS = 3_600_000;
export const MAX_RUNS = 100;
export const MAX_AHEAD_MS = 100 * DAY_MS;
const FILL_RUNS = 2 * MIN_RUNS;
const FILL_AHEAD_MS = 2 * MIN_AHEAD_MS;

/**
 * Work bound of one refill. A schedule's first fill only creates what is due before the next tick can
 * come (its next slot, and any others due within SOON), so that the first tick after 10,000 schedules
 * appear creates one or two runs for each; the rest of the queue follows on later ticks, the schedules
 * that need it first going first (see `topUpAt`).
 */
export const FIRST_FILL_RUNS = 1;
export const REFILL_RUNS = 100;
/** Runs due this soon are always created, whatever the work bound: the next tick may come too late for them. */
export const SOON_MS = 2 * 60_000;
/** A fill cut short by the work bound is topped up within this time, or sooner when its runs run out. */
const TOP_UP_MS = 10 * 60_000;
/** A slot this far in the past with no run was missed (the scheduler was not running), not merely due. */
export const MISSED_AFTER_MS = 60_000;
/** refill_at of a schedule that will never fire again (an rrule past its UNTIL or COUNT). */
export const NEVER = new Date("9999-12-31T23:59:59.999Z");
/** How far to look for a schedule's next slot beyond the horizon (as checkSchedule does). */
const LOOKOUT_MS = 100 * 366 * DAY_MS;

export interface FillState {
  schedule: ScheduleDefinition;
  catchup: Catchup;
  max_scheduled_runs: number | null;
  /** The latest slot already dealt with; null when never filled (new, or its runs were discarded). */
  scheduled_until: Date | null;
  /** How many runs of the schedule are for slots after now, whatever their state. */
  queued: number;
}

export interface FillPlan {
  runs: PlannedRun[];
  scheduled_until: Date;
  /** When the tick must look at the schedule again: before its queue falls below the minimums. */
  refill_at: Date;
}

const at = (ms: number) => new Date(ms);

/**
 * Which runs to create now for a schedule, and its new bookkeeping. Only the slots after
 * scheduled_until are asked for. Slots missed while the scheduler was not running follow the catch-up
 * setting; a schedule never filled starts from now.
 */
export function planFill(state: FillState, now: Date): FillPlan {
  const { schedule, scheduled_until: until } = state;
  const maxRuns = state.max_scheduled_runs ?? MAX_RUNS;
  const missedBefore = at(now.getTime() - MISSED_AFTER_MS);
  let from = until ?? now;
  let caughtUp: PlannedRun[] = [];
  if (until && until < missedBefore) {
    caughtUp = catchUp(schedule, state.catchup, { after: until, until: missedBefore }, maxRuns);
    from = missedBefore;
  }
  const ahead = fillAhead(state, from, now, maxRuns);
  const upcoming = ahead.slots.map((slot) => ({ slot, skipped: false, message: null }));
  return { runs: [...caughtUp, ...upcoming], scheduled_until: ahead.slots.at(-1) ?? from, refill_at: ahead.refill_at };
}

function fillAhead(state: FillState, from: Date, now: Date, maxRuns: number): { slots: Date[]; refill_at: Date } {
  const { schedule, queued } = state;
  const t = now.getTime();
  const room = maxRuns - queued;
  const asked = Math.min(room, state.scheduled_until ? REFILL_RUNS : FIRST_FILL_RUNS);
  const found = room > 0 ? candidates(schedule, from, now, queued, asked) : [];
  // The queue's last slot before this refill, when it is still ahead.
  const queuedUntil = state.scheduled_until && state.scheduled_until.getTime() > t ? state.scheduled_until : null;
  const targetMet = (count: number, last: Date | null | undefined) =>
    queued + count >= FILL_RUNS && last != null && last.getTime() >= t + FILL_AHEAD_MS;

  const slots: Date[] = [];
  for (const slot of found) {
    if (targetMet(slots.length, slots.at(-1) ?? queuedUntil)) break;
    slots.push(slot);
  }
  const cut = slots.length === found.length && found.length === asked && asked < room;
  if (cut && slots.at(-1)!.getTime() < t + SOON_MS) {
    slots.push(...nextRunTimes(schedule, { after: slots.at(-1)!, until: at(t + SOON_MS), max: room - asked }));
  }

  const last = slots.at(-1) ?? queuedUntil;
  // When the queue falls below the minimums: its min(MIN_RUNS, maxRuns)-th last run starts, or less than MIN_AHEAD is left.
  const low = () => {
    const m = Math.min(MIN_RUNS, maxRuns);
    const known = slots.length >= m || !queuedUntil ? slots : [...lastSlots(schedule, { after: now, until: queuedUntil }, m - slots.length), ...slots];
    const mth = known.length >= m ? known[known.length - m]! : (known[0] ?? now);
    return Math.min(mth.getTime(), last!.getTime() - MIN_AHEAD_MS);
  };
  let refill: number;
  if (targetMet(slots.length, last)) refill = low();
  else if (queued + slots.length >= maxRuns) {
    // Full: nothing can be added before the first queued run starts.
    const first = queuedUntil ? nextRunTimes(schedule, { after: now, until: queuedUntil, max: 1 })[0] : slots[0];
    refill = first && last ? Math.max(first.getTime(), low()) : t + MIN_AHEAD_MS;
  } else if (cut) refill = topUpAt(slots.at(-1)!, t);
  else {
    // The horizon stopped the fill: look again once the next slot comes within it.
    const beyond = nextRunTimes(schedule, { after: slots.at(-1) ?? from, until: at(t + LOOKOUT_MS), max: 1 })[0];
    refill = beyond ? beyond.getTime() - MAX_AHEAD_MS : NEVER.getTime();
  }
  return { slots, refill_at: at(Math.max(refill, t + 1)) };
}

/**
 * When to go on with a fill cut short: halfway to the last moment that still leaves a tick to spare
 * before its last run, and within TOP_UP_MS anyway. Ticks take schedules in refill_at order, so when
 * many wait (the first ticks after thousands were created) those whose runs run out first go first.
 */
const topUpAt = (last: Date, t: number) => t + Math.min((last.getTime() - SOON_MS - t) / 2, TOP_UP_MS);

/**
 * Up to `asked` slots after `from`, about as many as the fill target needs: listing slots costs ~25 µs
 * each (zoned), a query ~0.2 ms. Every slot up to FILL_AHEAD may be needed, then one beyond it and
 * whatever the count target still lacks. A small ask is cheaper as one query.
 */
function candidates(schedule: ScheduleDefinition, from: Date, now: Date, queued: number, asked: number): Date[] {
  const horizon = at(now.getTime() + MAX_AHEAD_MS);
  if (asked <= FILL_RUNS) return nextRunTimes(schedule, { after: from, until: horizon, max: asked });
  const near = nextRunTimes(schedule, { after: from, until: at(now.getTime() + FILL_AHEAD_MS), max: asked });
  if (near.length === asked) return near;
  const lacking = Math.max(1, FILL_RUNS - queued - near.length);
  return [...near, ...nextRunTimes(schedule, { after: near.at(-1) ?? from, until: horizon, max: Math.min(asked - near.length, lacking) })];
}
