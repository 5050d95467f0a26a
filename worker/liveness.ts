import type { WorkerStatus, WorkPoolStatus } from "../protocol/work-pools";

/**
 * A worker counts as gone once it has missed this many heartbeats in a row (DESIGN.md "Liveness"; Prefect
 * uses the same multiple). worker/db/workers.ts has the SQL twin of `workerStatus` for filters and pool
 * status; its tests check both agree at the boundary.
 */
export const MISSED_BEATS_BEFORE_OFFLINE = 3;

/** Last moment (epoch ms) at which a worker with this heartbeat still counts as ONLINE. */
export function heartbeatDeadline(lastHeartbeat: string, intervalSeconds: number): number {
  return Date.parse(lastHeartbeat) + MISSED_BEATS_BEFORE_OFFLINE * intervalSeconds * 1000;
}

/** ONLINE up to and including the deadline, OFFLINE after it (and for a heartbeat that cannot be read). */
export function workerStatus(lastHeartbeat: string, intervalSeconds: number, now: Date): WorkerStatus {
  return now.getTime() <= heartbeatDeadline(lastHeartbeat, intervalSeconds) ? "ONLINE" : "OFFLINE";
}

/** Prefect's meaning: PAUSED wins, otherwise READY as long as one worker is ONLINE. */
export function poolStatus(isPaused: boolean, hasOnlineWorker: boolean): WorkPoolStatus {
  if (isPaused) return "PAUSED";
  return hasOnlineWorker ? "READY" : "NOT_READY";
}
