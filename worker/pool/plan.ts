import type { Catchup } from "../../protocol/schedules";
import { LATE_THRESHOLD_SECONDS } from "../orchestration";

/*
 * What a pool does with its due runs, decided without I/O: which run goes to which worker, which waits
 * for a concurrency slot, which is cancelled by its deployment's collision strategy, and which missed
 * slot is skipped by its schedule's catch-up setting. The Durable Object carries the actions out.
 */

export type CollisionStrategy = "ENQUEUE" | "CANCEL_NEW";

export type DueRun = {
  id: string;
  deployment_id: string | null;
  state_name: string;
  expected_start_time: string;
  /** `{deployment}:{schedule}` for runs the scheduler made, else null. */
  schedule_key: string | null;
  catchup: Catchup | null;
  deployment_limit: number | null;
  collision_strategy: CollisionStrategy;
};

/** `slow`: it let an offer time out lately, so others are asked first. */
export type FreeWorker = { worker_id: string; free: number; slow?: boolean };

export type DispatchInput = {
  /** Due runs, oldest first. */
  due: DueRun[];
  /** Schedule keys that have a due run later than every run in `due` (on a later page). */
  laterDue: ReadonlySet<string>;
  workers: FreeWorker[];
  /** Runs the pool may still start under its concurrency limit (Infinity without one). */
  poolFree: number;
  /** Runs of each deployment that workers hold now. */
  activeByDeployment: ReadonlyMap<string, number>;
  now: Date;
};

export type DispatchAction =
  | { kind: "claim"; run: DueRun; worker_id: string }
  | { kind: "skip"; run: DueRun; message: string }
  | { kind: "cancel"; run: DueRun; message: string }
  | { kind: "wait"; run: DueRun; message: string };

/** Names of runs that catch-up may skip: slots that simply came due, not retries or queued runs. */
const SLOT_NAMES = new Set(["Scheduled", "Late"]);

function catchupSkip(run: DueRun, laterInGroup: boolean, now: Date): string | null {
  if (!run.schedule_key || !SLOT_NAMES.has(run.state_name)) return null;
  const policy = run.catchup ?? "latest";
  if (policy === "latest" && laterInGroup) {
    return "skipped: a later slot of the same schedule is also due and runs instead (catch-up: latest)";
  }
  const lateMs = now.getTime() - Date.parse(run.expected_start_time);
  if (policy === "none" && lateMs > LATE_THRESHOLD_SECONDS * 1000) {
    return "skipped: the slot was missed and the schedule does not catch up (catch-up: none)";
  }
  return null;
}

/** Picks the worker with the most free slots, so runs spread over the pool; slow workers last. */
function pickWorker(workers: FreeWorker[]): FreeWorker | undefined {
  let best: FreeWorker | undefined;
  for (const w of workers) {
    if (w.free <= 0) continue;
    const better = !best || (best.slow && !w.slow) || (!!best.slow === !!w.slow && w.free > best.free);
    if (better) best = w;
  }
  return best;
}

export function planDispatch(input: DispatchInput): { actions: DispatchAction[]; full: boolean } {
  const workers = input.workers.map((w) => ({ ...w }));
  const active = new Map(input.activeByDeployment);
  let poolFree = input.poolFree;
  const actions: DispatchAction[] = [];
  // The last due run of each schedule in this page; earlier ones have a later sibling.
  const lastOfGroup = new Map<string, string>();
  for (const run of input.due) if (run.schedule_key) lastOfGroup.set(run.schedule_key, run.id);

  for (const run of input.due) {
    const key = run.schedule_key;
    const laterInGroup = key !== null && (lastOfGroup.get(key) !== run.id || input.laterDue.has(key));
    const skip = catchupSkip(run, laterInGroup, input.now);
    if (skip) {
      actions.push({ kind: "skip", run, message: skip });
      continue;
    }
    if (run.deployment_id !== null && run.deployment_limit !== null) {
      const running = active.get(run.deployment_id) ?? 0;
      if (running >= run.deployment_limit) {
        const limit = `deployment concurrency limit of ${run.deployment_limit} reached`;
        actions.push(
          run.collision_strategy === "CANCEL_NEW"
            ? { kind: "cancel", run, message: `cancelled: ${limit} (collision strategy CANCEL_NEW)` }
            : { kind: "wait", run, message: `waiting: ${limit}; the run starts when a slot frees` },
        );
        continue;
      }
    }
    const worker = poolFree > 0 ? pickWorker(workers) : undefined;
    if (!worker) return { actions, full: true };
    worker.free -= 1;
    poolFree -= 1;
    if (run.deployment_id !== null) active.set(run.deployment_id, (active.get(run.deployment_id) ?? 0) + 1);
    actions.push({ kind: "claim", run, worker_id: worker.worker_id });
  }
  return { actions, full: false };
}

/** `{deployment}:{schedule}` of a scheduler-made run's idempotency key `scheduled:{dep}:{sched}:{slot}`. */
export function scheduleKeyOf(idempotencyKey: string | null, autoScheduled: boolean): string | null {
  if (!autoScheduled || !idempotencyKey?.startsWith("scheduled:")) return null;
  const [, deployment, schedule] = idempotencyKey.split(":");
  return deployment && schedule ? `${deployment}:${schedule}` : null;
}
