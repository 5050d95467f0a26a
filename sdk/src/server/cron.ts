import type { Output } from "../output";

const MINUTE = 60_000;

/** The first whole minute strictly after `time` (ms since the epoch). */
export function nextMinute(time: number): number {
  return (Math.floor(time / MINUTE) + 1) * MINUTE;
}

export interface MinuteTimer {
  /** Stops firing, aborts a tick that is still running and waits for it to end. */
  stop(): Promise<void>;
}

export type Tick = (scheduledTime: Date, signal: AbortSignal) => Promise<void>;

/**
 * Calls `tick` at the start of every minute with that minute as its scheduled time, like a `* * * * *`
 * Cron Trigger. A tick still running when the next minute starts makes that minute skipped, not doubled up;
 * a failed tick is logged and the next minute fires as usual.
 */
export function everyMinute(tick: Tick, out: Pick<Output, "warn" | "error">): MinuteTimer {
  const stopping = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;

  // `after` is the minute just fired: a timer that wakes a little before the wall clock reaches the minute
  // must not fire the same minute twice.
  const arm = (after: number) => {
    const at = nextMinute(Math.max(Date.now(), after));
    timer = setTimeout(() => fire(at), at - Date.now());
  };
  const fire = (at: number) => {
    const minute = new Date(at).toISOString();
    if (running) {
      out.warn(`Scheduler tick for ${minute} skipped: the previous one is still running.`);
    } else {
      running = tick(new Date(at), stopping.signal)
        .catch((error: unknown) => {
          if (!stopping.signal.aborted) out.error(`Scheduler tick for ${minute} failed: ${errorMessage(error)}`);
        })
        .finally(() => (running = undefined));
    }
    arm(at);
  };

  arm(Date.now());
  return {
    async stop() {
      clearTimeout(timer);
      stopping.abort();
      await running;
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
