import type { FlowRun } from "../../../../protocol/flow-runs";
import type { Log } from "../../../../protocol/logs";
import type { State } from "../../../../protocol/states";
import type { TaskRun } from "../../../../protocol/task-runs";
import { ApiClient } from "../../client/http";

/** Reads what a test's flows recorded on a real server. */
export class RecordedRuns {
  readonly client: ApiClient;

  constructor(readonly apiUrl: string) {
    this.client = new ApiClient({ apiUrl, apiKey: undefined, configured: true });
  }

  /** The flow runs of a flow, newest first. */
  flowRuns(flowName: string): Promise<FlowRun[]> {
    return this.client.post<FlowRun[]>("/flow_runs/filter", { flows: { name: { any_: [flowName] } } });
  }

  async onlyRun(flowName: string): Promise<FlowRun> {
    const runs = await this.flowRuns(flowName);
    if (runs.length !== 1) throw new Error(`expected one run of ${flowName}, found ${runs.length}`);
    return runs[0]!;
  }

  async taskRuns(flowRunId: string): Promise<TaskRun[]> {
    const all: TaskRun[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.client.post<TaskRun[]>("/task_runs/filter", { flow_runs: { id: { any_: [flowRunId] } }, sort: "NAME_ASC", limit: 1000, offset });
      all.push(...page);
      if (page.length < 1000) return all;
    }
  }

  async logs(flowRunId: string): Promise<Log[]> {
    const all: Log[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.client.post<Log[]>("/logs/filter", { logs: { flow_run_id: { any_: [flowRunId] } }, limit: 1000, offset });
      all.push(...page);
      if (page.length < 1000) return all;
    }
  }

  flowRunStates(id: string): Promise<State[]> {
    return this.client.get<State[]>(`/flow_runs/${id}/states`);
  }

  taskRunStates(id: string): Promise<State[]> {
    return this.client.get<State[]>(`/task_runs/${id}/states`);
  }
}
