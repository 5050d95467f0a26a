import type { Log } from "../../../protocol/logs";
import type { TaskRun } from "../../../protocol/task-runs";
import type { RunStateChange } from "./runs-pager";
import { elapsedSeconds } from "../format";

/*
 * Pure merging for the run detail page: live task-run changes onto the loaded task runs, new log lines onto
 * the loaded ones, and the timeline's bars.
 */

/**
 * Task runs with the changes applied. `missing` says a change named a task run not loaded (just created):
 * the caller then reloads the list, since a change carries only the state, not the task's name or inputs.
 */
export function mergeTaskChanges(
  taskRuns: readonly TaskRun[],
  changes: readonly (RunStateChange & { created?: boolean })[],
): { taskRuns: TaskRun[]; missing: boolean } {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const known = new Set<string>();
  const next = taskRuns.map((t) => {
    known.add(t.id);
    const c = byId.get(t.id);
    if (!c || c.timestamp < (t.state?.timestamp ?? "")) return t;
    return {
      ...t,
      state_type: c.state_type as TaskRun["state_type"],
      state_name: c.state_name,
      state: t.state && { ...t.state, type: c.state_type as NonNullable<TaskRun["state_type"]>, name: c.state_name ?? t.state.name, timestamp: c.timestamp },
    };
  });
  return { taskRuns: next, missing: changes.some((c) => !known.has(c.id)) };
}

/** Loaded lines plus newly fetched ones, each line once, in time order. */
export function mergeLogs(loaded: readonly Log[], incoming: readonly Log[]): Log[] {
  if (!incoming.length) return loaded as Log[];
  const seen = new Set(loaded.map((l) => l.id));
  const fresh = incoming.filter((l) => !seen.has(l.id));
  if (!fresh.length) return loaded as Log[];
  const merged = [...loaded, ...fresh];
  const last = loaded.at(-1)?.timestamp ?? "";
  // Usually the new lines come after the loaded ones; sort only when they do not.
  return fresh.every((l) => l.timestamp >= last) && isSorted(fresh) ? merged : merged.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

const isSorted = (logs: readonly Log[]) => logs.every((l, i) => i === 0 || logs[i - 1]!.timestamp <= l.timestamp);

export interface TimelineBar {
  id: string;
  name: string;
  state_type: TaskRun["state_type"];
  state_name: string | null;
  /** Position and width as percentages of the run's span. */
  left: number;
  width: number;
  start: string;
  /** From the first start to the end (or now): what the bar spans, waits between retries included. */
  seconds: number;
  /** Time spent running, over all attempts: what the Task runs table shows (Prefect's run time). */
  runSeconds: number;
}

/**
 * A task run's run time: the seconds spent Running over all its attempts, retry waits left out, with the
 * current attempt counted while it runs (the stored total grows only when an attempt ends).
 */
export function taskRunSeconds(t: Pick<TaskRun, "total_run_time" | "state_type" | "state">, now: number): number {
  if (t.state_type !== "RUNNING" || !t.state) return t.total_run_time;
  return t.total_run_time + (elapsedSeconds(t.state.timestamp, null, now) ?? 0);
}

/** One bar per task run that started, placed on the span from the first start to the last end (or now). */
export function timelineBars(taskRuns: readonly TaskRun[], now: number): { bars: TimelineBar[]; from: number; to: number } {
  const started = taskRuns.filter((t) => t.start_time);
  if (!started.length) return { bars: [], from: now, to: now };
  const startOf = (t: TaskRun) => Date.parse(t.start_time!);
  const endOf = (t: TaskRun) => (t.end_time ? Date.parse(t.end_time) : now);
  const from = started.reduce((min, t) => Math.min(min, startOf(t)), Infinity);
  const to = started.reduce((max, t) => Math.max(max, endOf(t)), from + 1);
  const span = to - from;
  const bars = started
    .map((t) => {
      const s = startOf(t);
      const e = Math.max(s, endOf(t));
      return {
        id: t.id,
        name: t.name,
        state_type: t.state_type,
        state_name: t.state_name,
        left: ((s - from) / span) * 100,
        // Instant tasks still get a visible sliver.
        width: Math.max(0.4, ((e - s) / span) * 100),
        start: t.start_time!,
        seconds: (e - s) / 1000,
        runSeconds: taskRunSeconds(t, now),
      };
    })
    .sort((a, b) => a.left - b.left);
  return { bars, from, to };
}
