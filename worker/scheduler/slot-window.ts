/** Which slots to list: those strictly after `after` and at or before `until`, at most `max` of them. */
export interface SlotWindow {
  after: Date;
  until: Date;
  max: number;
}

/**
 * Where slots are counted from when a schedule names no start (an interval without anchor_date, an
 * rrule without DTSTART): Prefect's default anchor. A fixed origin, unlike "now", keeps the slots, and
 * so the scheduler's idempotency keys, the same on every tick.
 */
export const DEFAULT_ANCHOR_MS = Date.UTC(2020, 0, 1);
