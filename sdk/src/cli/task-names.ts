import type { Log } from "../../../protocol/logs";
import type { TaskRun, TaskRunFilter } from "../../../protocol/task-runs";
import type { ApiClient } from "../client/http";

const PAGE = 1000;
/** Ids per filter request (the API's lists stay well under D1's 100 bound parameters). */
const IDS_PER_REQUEST = 50;

type Filter = Omit<Partial<TaskRunFilter>, "limit" | "offset">;

/**
 * The names of a flow run's task runs (`boom-0`), for log lines that a task wrote. The run's task runs are
 * fetched once, when a line first names one; a task run that starts later (while following a run) is
 * asked for by id, once, so a long run is not fetched again for each new task.
 */
export class TaskNames {
  readonly #names = new Map<string, string>();
  /** Ids asked for already, found or not (a task run the server does not have is not asked for again). */
  readonly #asked = new Set<string>();
  #fetchedAll = false;

  constructor(
    private readonly client: ApiClient,
    private readonly flowRunId: string,
  ) {}

  /** Learns the names of the task runs these lines come from that are not known yet. */
  async learn(logs: readonly Pick<Log, "task_run_id">[]): Promise<void> {
    const unknown = [...new Set(logs.flatMap((l) => (l.task_run_id && !this.#asked.has(l.task_run_id) ? [l.task_run_id] : [])))];
    if (unknown.length === 0) return;
    const byRun: Filter = { flow_runs: { id: { any_: [this.flowRunId] } } };
    if (!this.#fetchedAll) {
      await this.#fetch(byRun);
      this.#fetchedAll = true;
    } else {
      for (let i = 0; i < unknown.length; i += IDS_PER_REQUEST) {
        await this.#fetch({ ...byRun, task_runs: { id: { any_: unknown.slice(i, i + IDS_PER_REQUEST) } } });
      }
    }
    for (const id of unknown) this.#asked.add(id);
  }

  /** The task run's name, when the line comes from a task run that was found. */
  nameOf(taskRunId: string | null | undefined): string | undefined {
    return taskRunId ? this.#names.get(taskRunId) : undefined;
  }

  async #fetch(filter: Filter): Promise<void> {
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.client.post<TaskRun[]>("/task_runs/filter", { ...filter, sort: "EXPECTED_START_TIME_ASC", limit: PAGE, offset });
      for (const run of page) {
        this.#names.set(run.id, run.name);
        this.#asked.add(run.id);
      }
      if (page.length < PAGE) return;
    }
  }
}
