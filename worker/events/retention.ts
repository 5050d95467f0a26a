import { createDb } from "../db/client";
import type { Env } from "../env";
import { pruneEvents } from "./store";

export const DEFAULT_RETENTION_DAYS = 7;
const MAX_RETENTION_DAYS = 3650;
/** Per cron tick: a few bounded deletes keep one tick short; a backlog (retention just lowered) drains over ticks. */
export const PRUNE_BATCH = 5_000;
export const PRUNE_BATCHES_PER_TICK = 4;

/**
 * BATON_EVENT_RETENTION_DAYS: a number of days, fractions allowed (0.5 = 12 hours). A value that is not
 * one keeps the default and says so, rather than pruning everything or nothing by mistake.
 */
export function retentionDays(value: string | undefined, warn: (message: string) => void = console.warn): number {
  if (value === undefined || value.trim() === "") return DEFAULT_RETENTION_DAYS;
  const days = Number(value.trim());
  if (!Number.isFinite(days) || days <= 0 || days > MAX_RETENTION_DAYS) {
    warn(`BATON_EVENT_RETENTION_DAYS=${JSON.stringify(value)} is not a number of days between 0 and ${MAX_RETENTION_DAYS}; keeping events ${DEFAULT_RETENTION_DAYS} days`);
    return DEFAULT_RETENTION_DAYS;
  }
  return days;
}

export type PruneReport = { deleted: number; more: boolean; before: string };

/** The cron's share: deletes events older than the retention at `now`, at most PRUNE_BATCH × PRUNE_BATCHES_PER_TICK. */
export async function pruneExpiredEvents(env: Env, now: Date, batches = PRUNE_BATCHES_PER_TICK): Promise<PruneReport> {
  const before = new Date(now.getTime() - retentionDays(env.BATON_EVENT_RETENTION_DAYS) * 86_400_000);
  const db = createDb(env.DB);
  let deleted = 0;
  for (let i = 0; i < batches; i++) {
    const step = await pruneEvents(db, before, PRUNE_BATCH);
    deleted += step.deleted;
    if (!step.more) return { deleted, more: false, before: before.toISOString() };
  }
  return { deleted, more: true, before: before.toISOString() };
}
