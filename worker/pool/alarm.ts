import { MISSED_BEATS_BEFORE_OFFLINE } from "../liveness";
import type { KnownWorker } from "./store";
import { RECONNECT_GRACE_MS } from "./timing";

/*
 * When the pool's object must wake up next, and which workers count as lost now: pure, so the rules
 * are tested with fixed clocks. The object sets one alarm, at the earliest of these times.
 */

/** The moment a worker is given up: its heartbeats stopped, or its socket closed and it did not return. */
export function workerDeadline(w: KnownWorker, connected: boolean): number {
  const beats = w.last_beat + MISSED_BEATS_BEFORE_OFFLINE * w.heartbeat_ms;
  if (connected) return beats;
  if (w.kind === "socket") return (w.lost_at ?? w.last_beat) + RECONNECT_GRACE_MS;
  return beats;
}

export function isLost(w: KnownWorker, connected: boolean, now: number): boolean {
  return now >= workerDeadline(w, connected);
}

/** The earliest of: a held run's ack or cancel deadline, a worker's deadline, the next run falling due. */
export function nextAlarm(opts: {
  heldDeadline: number | null;
  workers: { worker: KnownWorker; connected: boolean; holdsRuns: boolean }[];
  nextDue: number | null;
}): number | null {
  const times: number[] = [];
  if (opts.heldDeadline !== null) times.push(opts.heldDeadline);
  if (opts.nextDue !== null) times.push(opts.nextDue);
  for (const { worker, connected, holdsRuns } of opts.workers) {
    // A polling worker that holds nothing has nothing to lose: it is forgotten on the next tick.
    if (connected || holdsRuns || worker.kind === "socket") times.push(workerDeadline(worker, connected));
  }
  return times.length ? Math.min(...times) : null;
}
