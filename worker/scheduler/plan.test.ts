import { describe, expect, it } from "vitest";
import type { Catchup, ScheduleDefinition } from "../../protocol/schedules";
import { nextRunTimes } from "./next-runs";
import { NEVER, planFill, type FillState } from "./plan";

const now = new Date("2026-06-01T12:00:30Z");
const every = (seconds: number): ScheduleDefinition => ({ interval: seconds, anchor_date: "2026-01-01T00:00:00Z", timezone: "UTC" });
const cron = (pattern: string, timezone = "UTC"): ScheduleDefinition => ({ cron: pattern, timezone, day_or: true });
const state = (schedule: ScheduleDefinition, fields: Partial<Omit<FillState, "scheduled_until">> & { scheduled_until?: string } = {}): FillState => ({
  schedule,
  catchup: "latest",
  max_scheduled_runs: null,
  queued: 0,
  ...fields,
  scheduled_until: fields.scheduled_until ? new Date(fields.scheduled_until) : null,
});
const plan = (s: FillState, at = now) => {
  const p = planFill(s, at);
  return { ...p, slots: p.runs.map((r) => r.slot.toISOString()), until: p.scheduled_until.toISOString(), refill: p.refill_at.toISOString() };
};
/** Every five minutes from `from` to `to`, as ISO strings. */
const fiveMinutes = (from: string, to: string) => {
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 300_000) out.push(new Date(t).toISOString());
  return out;
};

describe("a schedule's first fill", () => {
  it("creates only the next slot, and is topped up within 10 minutes, the sooner the sooner that slot is due", () => {
    const p = plan(state(every(300)));
    expect(p.slots).toEqual(["2026-06-01T12:05:00.000Z"]);
    expect(p.runs[0]).toMatchObject({ skipped: false, message: null });
    expect(p.until).toBe("2026-06-01T12:05:00.000Z");
    // Halfway from now to 12:03, which leaves a tick to spare before 12:05.
    expect(p.refill).toBe("2026-06-01T12:01:45.000Z");
    expect(plan(state(every(900))).refill).toBe("2026-06-01T12:06:45.000Z");
    expect(plan(state(cron("0 9 * * *"))).refill).toBe("2026-06-01T12:10:30.000Z");
  });

  it("also creates whatever else is due before the next tick, and comes back at the next tick", () => {
    const p = plan(state(every(60)));
    expect(p.slots).toEqual(["2026-06-01T12:01:00.000Z", "2026-06-01T12:02:00.000Z"]);
    expect(p.refill).toBe("2026-06-01T12:00:30.001Z");
  });

  it("starts from now, catching nothing up", () => {
    expect(plan(state(every(300), { catchup: "all" })).slots).toEqual(["2026-06-01T12:05:00.000Z"]);
  });
});

describe("refills", () => {
  it("fill up to at least 6 runs reaching 2 hours ahead, and come back when under an hour is left", () => {
    const p = plan(state(every(300), { scheduled_until: "2026-06-01T12:05:00Z", queued: 1 }));
    expect(p.slots).toEqual(fiveMinutes("2026-06-01T12:10:00Z", "2026-06-01T14:05:00Z"));
    expect(p.refill).toBe("2026-06-01T13:05:00.000Z");
  });

  it("keep 6 runs of a daily schedule, and come back when fewer than 3 are left", () => {
    const daily = cron("0 9 * * *", "Europe/London");
    const p = plan(state(daily, { scheduled_until: "2026-06-02T08:00:00Z", queued: 1 }));
    expect(p.slots).toEqual(["03", "04", "05", "06", "07"].map((d) => `2026-06-${d}T08:00:00.000Z`));
    expect(p.refill).toBe("2026-06-05T08:00:00.000Z");
  });

  it("count the runs still queued, reading the older ones' times when the new ones are too few", () => {
    // 3 queued (12:05, 12:10, 12:15), at most 5: two more fit.
    const p = plan(state(every(300), { scheduled_until: "2026-06-01T12:15:00Z", queued: 3, max_scheduled_runs: 5 }));
    expect(p.slots).toEqual(["2026-06-01T12:20:00.000Z", "2026-06-01T12:25:00.000Z"]);
    // Full: nothing can be added before the first queued run (12:05) has started.
    expect(p.refill).toBe("2026-06-01T12:05:00.000Z");
    expect(plan(state(every(300), { scheduled_until: "2026-06-01T12:15:00Z", queued: 5, max_scheduled_runs: 5 })).slots).toEqual([]);
  });

  it("stop at 100 runs", () => {
    const p = plan(state(every(60), { scheduled_until: "2026-06-01T12:02:00Z", queued: 2 }));
    expect(p.slots).toHaveLength(98);
    expect(p.until).toBe("2026-06-01T13:40:00.000Z");
    expect(p.refill).toBe("2026-06-01T12:40:00.000Z");
    const seconds = plan(state(every(1)));
    expect(seconds.slots).toHaveLength(100);
    expect(seconds.refill).toBe("2026-06-01T12:00:31.000Z");
  });

  it("stop 100 days ahead, and come back when the next slot is within 100 days", () => {
    const yearly = plan(state(cron("0 0 1 1 *")));
    expect(yearly.slots).toEqual([]);
    expect(yearly.until).toBe(now.toISOString());
    expect(yearly.refill).toBe("2026-09-23T00:00:00.000Z");
  });

  it("never come back once an rrule has no slots left", () => {
    const def: ScheduleDefinition = { rrule: "DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20260603T090000Z", timezone: null };
    const p = plan(state(def, { scheduled_until: "2026-06-02T09:00:00Z", queued: 1 }));
    expect(p.slots).toEqual(["2026-06-03T09:00:00.000Z"]);
    expect(p.refill_at).toEqual(NEVER);
  });
});

describe("catch-up after the scheduler was not running", () => {
  // Created up to 08:00; the server came back at 12:00:30. Missed: 08:05 … 11:55 (47 slots).
  const down = (catchup: Catchup, max_scheduled_runs: number | null = null) =>
    plan(state(every(300), { catchup, max_scheduled_runs, scheduled_until: "2026-06-01T08:00:00Z" }));

  it('"latest" runs the latest missed slot once, saying which were skipped, then fills on from now', () => {
    const p = down("latest");
    expect(p.runs[0]).toEqual({
      slot: new Date("2026-06-01T11:55:00Z"),
      skipped: false,
      message:
        'Missed with no run queued (scheduler stopped, or deployment moved to another pool); runs now, once: 46 slots from 2026-06-01T08:05:00.000Z to 2026-06-01T11:50:00.000Z were skipped (catch-up "latest")',
    });
    // 12:00 is due now rather than missed: a tick on time could have just created it.
    expect(p.slots.slice(1)).toEqual(fiveMinutes("2026-06-01T12:00:00Z", "2026-06-01T14:05:00Z"));
    expect(p.runs.slice(1).every((r) => !r.skipped && r.message === null)).toBe(true);
  });

  it('"latest" with a single missed slot', () => {
    const p = plan(state(cron("0 * * * *"), { scheduled_until: "2026-06-01T10:00:00Z" }));
    expect(p.runs[0]).toMatchObject({ slot: new Date("2026-06-01T11:00:00Z"), message: 'Missed with no run queued (scheduler stopped, or deployment moved to another pool); runs now (catch-up "latest")' });
  });

  it('"none" records the latest missed slot as skipped and runs none of them', () => {
    const p = down("none");
    expect(p.runs[0]).toEqual({
      slot: new Date("2026-06-01T11:55:00Z"),
      skipped: true,
      message: 'Not run: 47 slots from 2026-06-01T08:05:00.000Z to 2026-06-01T11:55:00.000Z were missed with no run queued (scheduler stopped, or deployment moved to another pool) (catch-up "none")',
    });
    expect(p.runs.slice(1).every((r) => !r.skipped && r.slot >= new Date("2026-06-01T12:00:00Z"))).toBe(true);
  });

  it('"all" runs every missed slot, up to max_scheduled_runs of the latest, saying how many were dropped', () => {
    const all = down("all");
    expect(all.slots.slice(0, 47)).toEqual(fiveMinutes("2026-06-01T08:05:00Z", "2026-06-01T11:55:00Z"));
    expect(all.runs[0]!.message).toBe('Missed with no run queued (scheduler stopped, or deployment moved to another pool); runs now (catch-up "all")');
    const capped = down("all", 10);
    expect(capped.slots.slice(0, 10)).toEqual(fiveMinutes("2026-06-01T11:10:00Z", "2026-06-01T11:55:00Z"));
    expect(capped.runs[0]!.message).toBe(
      'Missed with no run queued (scheduler stopped, or deployment moved to another pool); runs now (catch-up "all"); 37 slots from 2026-06-01T08:05:00.000Z to 2026-06-01T11:05:00.000Z were dropped: catch-up "all" runs at most 10',
    );
  });

  it("treats a slot within the last minute as due, not missed", () => {
    const p = plan(state(every(30), { scheduled_until: "2026-06-01T11:59:45Z", catchup: "none" }));
    expect(p.runs[0]).toEqual({ slot: new Date("2026-06-01T12:00:00Z"), skipped: false, message: null });
  });

  it("stays bounded after a year of one-second slots", () => {
    const yearAgo = "2025-06-01T12:00:00Z";
    const seconds = plan(state(cron("* * * * * *", "Europe/Berlin"), { scheduled_until: yearAgo }));
    expect(seconds.runs[0]).toMatchObject({ slot: new Date("2026-06-01T11:59:30Z") });
    expect(seconds.runs[0]!.message).toMatch(/over 1000 slots from 2025-06-01T12:00:01.000Z to 2026-06-01T11:59:29.000Z were skipped/);
    const interval = plan(state(every(1), { scheduled_until: yearAgo, catchup: "none" }));
    expect(interval.runs[0]!.message).toMatch(/^Not run: 31535970 slots from 2025-06-01T12:00:01.000Z to 2026-06-01T11:59:30.000Z/);
    const all = plan(state({ rrule: "FREQ=SECONDLY", timezone: "America/New_York" }, { scheduled_until: yearAgo, catchup: "all" }));
    expect(all.slots.slice(0, 100)).toEqual(nextRunTimes({ interval: 1, timezone: "UTC" }, { after: new Date("2026-06-01T11:57:50Z"), until: new Date("2026-06-01T11:59:30Z"), max: 100 }).map((d) => d.toISOString()));
  });
});

describe("ticks every minute over days", () => {
  /**
   * Plays the tick: every minute, plan the schedule when its refill is due and record what it creates.
   * Checks the invariants the scheduler promises: no slot twice, every slot created before its time,
   * and once the first fill is topped up, at least 3 runs and an hour ahead, at most 100 and 100 days.
   */
  function simulate(schedule: ScheduleDefinition, from: string, days: number) {
    const start = Date.parse(from);
    const end = start + days * 86_400_000;
    const created = new Map<number, number>();
    let bookkeeping: { scheduled_until: Date | null; refill_at: number } = { scheduled_until: null, refill_at: 0 };
    let refills = 0;
    for (let t = start; t <= end; t += 60_000) {
      const tick = new Date(t);
      if (bookkeeping.refill_at <= t) {
        refills++;
        const queued = [...created.keys()].filter((slot) => slot > t).length;
        const p = planFill({ schedule, catchup: "latest", max_scheduled_runs: null, scheduled_until: bookkeeping.scheduled_until, queued }, tick);
        for (const run of p.runs) {
          expect(created.has(run.slot.getTime()), run.slot.toISOString()).toBe(false);
          created.set(run.slot.getTime(), t);
        }
        bookkeeping = { scheduled_until: p.scheduled_until, refill_at: p.refill_at.getTime() };
      }
      const ahead = [...created.keys()].filter((slot) => slot > t).sort((a, b) => a - b);
      expect(ahead.length).toBeLessThanOrEqual(100);
      expect(ahead.at(-1) ?? t).toBeLessThanOrEqual(t + 100 * 86_400_000);
      if (t >= start + 15 * 60_000) {
        expect(ahead.length, tick.toISOString()).toBeGreaterThanOrEqual(3);
        expect(ahead.at(-1), tick.toISOString()).toBeGreaterThanOrEqual(t + 3_600_000);
      }
    }
    const expected = nextRunTimes(schedule, { after: new Date(start), until: new Date(end), max: 100_000 });
    for (const slot of expected) {
      const at = created.get(slot.getTime());
      expect(at, `${slot.toISOString()} created`).toBeDefined();
      expect(at!, `${slot.toISOString()} created before its time`).toBeLessThan(slot.getTime());
    }
    expect([...created.keys()].filter((slot) => slot <= end)).toHaveLength(expected.length);
    return refills;
  }

  it("every 5 minutes: every slot on time, refilled about hourly", () => {
    expect(simulate(every(300), "2026-06-01T12:00:30Z", 2)).toBeLessThan(60);
  });

  it("a zoned cron across the spring-forward in New York", () => {
    expect(simulate(cron("*/7 1-3 * * *", "America/New_York"), "2026-03-07T00:00:00Z", 3)).toBeLessThan(40);
  });

  it("an hourly rrule across the fall-back in London", () => {
    simulate({ rrule: "FREQ=HOURLY;BYMINUTE=20", timezone: "Europe/London" }, "2026-10-24T00:00:00Z", 3);
  });

  it("every minute, where 100 runs is the bound", () => {
    simulate(every(60), "2026-06-01T12:00:30Z", 1);
  });
});
