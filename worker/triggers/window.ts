/*
 * Threshold windows ("N matching events within T seconds"), in the trigger engine's own SQLite. One row
 * per (trigger, event): the key makes a redelivered event count once. When a trigger fires its rows are
 * marked fired rather than deleted, so that a late duplicate of an event that already counted is still
 * recognised; rows go once they are past any window (with a grace for events that arrive late).
 */

export type Windowed = { id: string; threshold: number; within: number };
export type Counted = { id: string; occurred: string };

/** Rows stay this long past the end of their window, so that a late redelivery still finds its row. */
export const WINDOW_GRACE_MS = 10 * 60_000;

export class ThresholdWindows {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS trigger_window (
      trigger_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      occurred INTEGER NOT NULL,
      expires INTEGER NOT NULL,
      fired INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (trigger_id, event_id)
    ) WITHOUT ROWID`);
    sql.exec("CREATE INDEX IF NOT EXISTS trigger_window_time ON trigger_window (trigger_id, fired, occurred)");
    sql.exec("CREATE INDEX IF NOT EXISTS trigger_window_expires ON trigger_window (expires)");
  }

  /**
   * Counts the event towards the trigger; true when it makes the trigger fire: at least `threshold`
   * distinct events of the trigger, not yet used by an earlier firing, occurred in (occurred − within,
   * occurred]. Firing uses up every event counted so far, so counting starts again.
   * Synchronous: no other evaluation can interleave between the count and the reset.
   */
  fires(trigger: Windowed, event: Counted): boolean {
    if (trigger.threshold <= 1) return true;
    const occurred = Date.parse(event.occurred);
    const withinMs = trigger.within * 1000;
    const inserted = this.sql
      .exec("INSERT OR IGNORE INTO trigger_window (trigger_id, event_id, occurred, expires) VALUES (?, ?, ?, ?) RETURNING event_id", trigger.id, event.id, occurred, occurred + withinMs)
      .toArray();
    if (inserted.length === 0) return false;
    const [row] = this.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM trigger_window WHERE trigger_id = ? AND fired = 0 AND occurred > ? AND occurred <= ?",
        trigger.id,
        occurred - withinMs,
        occurred,
      )
      .toArray();
    if ((row?.n ?? 0) < trigger.threshold) return false;
    this.sql.exec("UPDATE trigger_window SET fired = 1 WHERE trigger_id = ? AND fired = 0", trigger.id);
    return true;
  }

  /** Drops rows past their window and its grace. */
  prune(now: number): void {
    this.sql.exec("DELETE FROM trigger_window WHERE expires < ?", now - WINDOW_GRACE_MS);
  }
}
