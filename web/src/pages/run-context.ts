import type { FlowRun } from "../../../protocol/flow-runs";
import type { WorkPool } from "../../../protocol/work-pools";
import { isTerminal } from "../../../protocol/states";
import { elapsedSeconds, formatDuration } from "../format";

/*
 * Pure parts of the run page's header: what the run belongs to, how long it has taken (or waited), and
 * why it may be stuck waiting. The loading is in run-context.data.ts.
 */

/** The Runs page narrowed to one flow's runs (its `flow` parameter takes the flow's id). */
export const flowRunsHref = (flowId: string) => `/runs?flow=${encodeURIComponent(flowId)}`;
export const deploymentHref = (deploymentId: string) => `/deployments/${encodeURIComponent(deploymentId)}`;
/** The Work pools page has no page per pool: its cards carry `pool-<id>` ids to jump to. */
export const workPoolHref = (pool: Pick<WorkPool, "id"> | undefined) => (pool ? `/work-pools#pool-${pool.id}` : "/work-pools");

type Timing = Pick<FlowRun, "state_type" | "start_time" | "end_time" | "expected_start_time" | "total_run_time">;

/**
 * The Duration fact: run time while and after it runs; a run that has not started has no duration yet
 * (a stored total of 0 would read "0 ms"), so it says how long it has been waiting, or when it is due.
 */
export function runDurationText(run: Timing, now: number): string {
  if (run.start_time) {
    if (run.state_type === "RUNNING") {
      const seconds = elapsedSeconds(run.start_time, null, now);
      return seconds === null ? "—" : formatDuration(seconds);
    }
    return formatDuration(run.total_run_time) || "—";
  }
  // Ended without starting (cancelled while scheduled, or every result cached): nothing ran.
  if (run.end_time || isTerminal(run.state_type)) return "— (never started)";
  const due = run.expected_start_time ? Date.parse(run.expected_start_time) : NaN;
  if (Number.isNaN(due)) return "— (not started)";
  const seconds = (now - due) / 1000;
  // A few seconds either way is the scheduler's rounding, not a wait worth reporting.
  if (seconds < -5) return `— (due in ${formatDuration(-seconds)})`;
  return seconds < 5 ? "— (not started)" : `— (waiting for ${formatDuration(seconds)})`;
}

export interface PoolNotice {
  text: string;
  /** What to do about it: a link to the Work pools page, or the command that starts a worker. */
  fix: { kind: "link"; text: string } | { kind: "command"; text: string };
}

/**
 * Why a run waiting for a worker is not picked up, when its pool says so: paused, or no worker online.
 * Only for runs still waiting (Scheduled); a run already handed to a worker no longer depends on the pool.
 */
export function poolNotice(run: Pick<FlowRun, "state_type" | "work_pool_name">, pool: Pick<WorkPool, "name" | "status"> | undefined): PoolNotice | undefined {
  if (!pool || run.state_type !== "SCHEDULED" || run.work_pool_name !== pool.name) return undefined;
  if (pool.status === "PAUSED")
    return { text: `Work pool ${pool.name} is paused, so no worker picks this run up —`, fix: { kind: "link", text: "resume it on the Work pools page" } };
  if (pool.status === "NOT_READY")
    return { text: `No worker of work pool ${pool.name} is online, so nothing picks this run up yet — start one:`, fix: { kind: "command", text: `npx baton worker start --pool ${pool.name}` } };
  return undefined;
}
