import type { Log } from "../../../protocol/logs";
import type { TaskRun } from "../../../protocol/task-runs";

/*
 * Which run wrote a log line. A flow run's logs mix its own lines with its task runs' lines, and both
 * count attempts ("Attempt 2 failed…" from a task, then "Attempt 1 failed…" from the flow): without the
 * writer's name the two read as a contradiction.
 */

export interface LogSource {
  kind: "task" | "flow";
  /** The task run's name (`fetch-temperature-2`), or the flow run's. */
  label: string;
  /** Longer words for the tooltip. */
  title: string;
}

/** Task run names by id, from the task runs the page has loaded. */
export const taskRunNames = (taskRuns: readonly Pick<TaskRun, "id" | "name">[]): Map<string, string> =>
  new Map(taskRuns.map((t) => [t.id, t.name]));

/**
 * The writer of a line: its task run when it has one, else the flow run. A task run not loaded (just
 * created, or past the pages the run page loads) is still a task: it shows by the start of its id until
 * the task list catches up.
 */
export function logSource(line: Pick<Log, "task_run_id">, names: ReadonlyMap<string, string>, flowRunName: string): LogSource {
  if (!line.task_run_id) return { kind: "flow", label: flowRunName, title: `Flow run ${flowRunName}` };
  const name = names.get(line.task_run_id);
  return name
    ? { kind: "task", label: name, title: `Task run ${name}` }
    : { kind: "task", label: `task ${line.task_run_id.slice(0, 8)}`, title: `Task run ${line.task_run_id}` };
}
