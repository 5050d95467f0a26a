import { createDb } from "../db/client";
import { dueSchedules, fillStatements, type DueSchedule, type FillRun, type FillUpdate, type QueueCursor } from "../db/schedule-fill";
import type { Env } from "../env";
import { nudgePools } from "../pool/notify";
import { scheduledRunsCreated } from "../stream/events";
import { publish } from "../stream/publish";
import { MIN_AHEAD_MS, planFill, SOON_MS } from "./plan";
import { scheduledRun } from "./scheduled-runs";

/*
 * The scheduler's tick (the Cron Trigger each minute, and right after a schedule or deployment
 * changes): reads the schedules due for a refill, plans each one (plan.ts), then inserts their runs
 * and moves their bookkeeping in one D1 batch per page. Runs are keyed per deployment, schedule and
 * slot, and every write is conditional on the bookkeeping read (db/schedule-fill.ts), so repeated or
 * overlapping ticks never duplicate a run; nothing here deletes runs.
 */

/**
 * Work bound of one tick; schedules left over keep their place at the head of the queue. Inserting a
 * run costs ~100-200 µs in D1 (six row writes: the row and its indexes), planning a schedule ~0.2 ms.
 */
export const MAX_TICK_SCHEDULES = 20_000;
export const MAX_TICK_RUNS = 20_000;
const PAGE = 1000;

export interface SchedulerOptions {
  /** Only the schedules of these deployments (a change to them should show at once). */
  deploymentIds?: string[];
  maxSchedules?: number;
  maxRuns?: number;
}

export interface SchedulerReport {
  /** Schedules planned. */
  schedules: number;
  runs_created: number;
  /** Schedules changed by someone else between the read and the write: left to the next tick. */
  conflicts: number;
  /** Schedules whose definition could not be planned (logged); retried an hour later. */
  failed: number;
  /** The tick stopped at its work bound with schedules still due. */
  more_due: boolean;
}

type Page = { runs: FillRun[]; updates: FillUpdate[]; soonPools: Set<string | null>; stopped: boolean; last?: QueueCursor };

export async function runScheduler(env: Env, now = new Date(), opts: SchedulerOptions = {}): Promise<SchedulerReport> {
  const db = createDb(env.DB);
  const stamp = now.toISOString();
  const maxSchedules = opts.maxSchedules ?? MAX_TICK_SCHEDULES;
  const maxRuns = opts.maxRuns ?? MAX_TICK_RUNS;
  const report: SchedulerReport = { schedules: 0, runs_created: 0, conflicts: 0, failed: 0, more_due: false };
  let planned = 0;
  let cursor: QueueCursor | undefined;
  for (;;) {
    const limit = Math.min(PAGE, maxSchedules - report.schedules);
    const due = limit > 0 ? await dueSchedules(db, stamp, limit, cursor, opts.deploymentIds) : [];
    if (due.length === 0) {
      // Stopped by the schedule bound exactly: say whether anything is still waiting.
      if (limit === 0) report.more_due = (await dueSchedules(db, stamp, 1, cursor, opts.deploymentIds)).length > 0;
      return report;
    }
    const page = planPage(due, now, maxRuns - planned, report);
    planned += page.runs.length;
    const inserted = await writePage(env.DB, page, report);
    // Only a page inserted whole is told run by run: after a conflict, which runs went in is not known.
    await publish(env, inserted === page.runs.length ? scheduledRunsCreated(page.runs) : []);
    await nudgePools(env, page.soonPools);
    if (page.stopped) return { ...report, more_due: true };
    if (due.length < limit) return report;
    cursor = page.last;
  }
}

function planPage(due: DueSchedule[], now: Date, runBudget: number, report: SchedulerReport): Page {
  const page: Page = { runs: [], updates: [], soonPools: new Set(), stopped: false };
  const soon = now.getTime() + SOON_MS;
  for (const schedule of due) {
    const update: FillUpdate = {
      id: schedule.id,
      fill_generation: schedule.fill_generation,
      was_until: schedule.scheduled_until,
      scheduled_until: schedule.scheduled_until,
      refill_at: new Date(now.getTime() + MIN_AHEAD_MS).toISOString(),
    };
    let plan: ReturnType<typeof planFill> | undefined;
    try {
      plan = planFill({ ...schedule, scheduled_until: schedule.scheduled_until ? new Date(schedule.scheduled_until) : null }, now);
    } catch (err) {
      report.failed++;
      console.error(`scheduler: schedule ${schedule.id} of deployment ${schedule.deployment_id}: ${err instanceof Error ? err.message : err}`);
    }
    // The first schedule of a tick always goes through, however many runs it brings.
    if (plan && page.runs.length + plan.runs.length > runBudget && report.schedules > 0) {
      page.stopped = true;
      break;
    }
    if (plan) {
      update.scheduled_until = plan.scheduled_until.toISOString();
      update.refill_at = plan.refill_at.toISOString();
      for (const run of plan.runs) {
        page.runs.push(scheduledRun(schedule, run, update, now));
        if (!run.skipped && run.slot.getTime() <= soon) page.soonPools.add(schedule.work_pool_id);
      }
    }
    page.updates.push(update);
    page.last = { refill_at: schedule.refill_at, id: schedule.id };
    report.schedules++;
  }
  return page;
}

/** Answers how many runs were inserted. */
async function writePage(d1: D1Database, page: Page, report: SchedulerReport): Promise<number> {
  const { inserts, moves } = fillStatements(d1, page.runs, page.updates);
  if (moves.length === 0) return 0;
  const results = await d1.batch([...inserts, ...moves]);
  const changes = (from: number, to: number) => results.slice(from, to).reduce((sum, r) => sum + r.meta.changes, 0);
  report.runs_created += changes(0, inserts.length);
  report.conflicts += page.updates.length - changes(inserts.length, results.length);
  return changes(0, inserts.length);
}
