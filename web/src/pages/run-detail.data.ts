import { batch, createResource, createSignal } from "solid-js";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { State } from "../../../protocol/states";
import type { TaskRun } from "../../../protocol/task-runs";
import { api } from "../api/client";
import { useLive } from "../live";
import { createLogs } from "./logs.data";
import { mergeTaskChanges } from "./run-detail-merge";

/** Task runs shown at most; a flow with more still shows its first ones, with counts saying so. */
const TASK_PAGES = 5;
const TASK_PAGE = 1_000;
/** Subflow lookups go by parent task run id, in lists under the API's 90-value cap. */
const ID_CHUNK = 90;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadTaskRuns(flowRunId: string): Promise<TaskRun[]> {
  const all: TaskRun[] = [];
  for (let page = 0; page < TASK_PAGES; page++) {
    const rows = await api.post<TaskRun[]>("/task_runs/filter", {
      flow_runs: { id: { any_: [flowRunId] } },
      sort: "EXPECTED_START_TIME_ASC",
      limit: TASK_PAGE,
      offset: page * TASK_PAGE,
    });
    all.push(...rows);
    if (rows.length < TASK_PAGE) break;
  }
  return all;
}

async function loadSubflows(taskRuns: TaskRun[]): Promise<FlowRun[]> {
  const ids = taskRuns.map((t) => t.id);
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length && chunks.length < 5; i += ID_CHUNK) chunks.push(ids.slice(i, i + ID_CHUNK));
  const found = await Promise.all(
    chunks.map((any_) => api.post<FlowRun[]>("/flow_runs/filter", { flow_runs: { parent_task_run_id: { any_ } }, limit: 200 })),
  );
  return found.flat();
}

/** A resource's value, or undefined while loading or failed: reading a failed resource throws in Solid. */
const safe = <T,>(r: { error: unknown; latest: T | undefined }) => (): T | undefined => (r.error ? undefined : r.latest);

/** Everything the run detail page shows about one flow run, kept current by the stream. */
export function createRunDetail(id: string) {
  // Subscribed before the loads below are asked for, so that a change made between the two is not lost
  // (the handlers run later, once the resources they use exist). A malformed id fails to load; following
  // it would only earn an error from the stream.
  if (UUID.test(id)) useLive(
    [`flow_run:${id}`],
    (m) => {
      if (m.type === "flow_run" && m.flow_run.id === id) {
        void refetchRun();
        void refetchStates();
      } else if (m.type === "task_runs") {
        const current = (taskRuns.error ? undefined : taskRuns.latest) ?? [];
        const merged = mergeTaskChanges(current, m.task_runs);
        setTasks(merged.taskRuns);
        if (merged.missing) reloadTasks();
      } else if (m.type === "logs") logs.newLinesStored();
    },
    () => reloadAll(),
  );

  const [run, { refetch: refetchRun }] = createResource(() => api.get<FlowRun>(`/flow_runs/${id}`));
  const [states, { refetch: refetchStates }] = createResource(() => api.get<State[]>(`/flow_runs/${id}/states`));
  const [taskRuns, { refetch: refetchTasks, mutate: setTasks }] = createResource(() => loadTaskRuns(id));
  const [subflows, { refetch: refetchSubflows }] = createResource(
    () => (taskRuns.state === "ready" && taskRuns().length ? taskRuns() : undefined),
    loadSubflows,
  );
  const [parentRunId] = createResource(
    () => (run.state === "ready" ? run().parent_task_run_id : undefined),
    async (taskRunId) => (await api.get<TaskRun>(`/task_runs/${taskRunId}`)).flow_run_id,
  );
  const logs = createLogs(id);

  // A burst of task changes naming tasks not loaded yet costs one reload, not one per message.
  const [reloadingTasks, setReloadingTasks] = createSignal(false);
  const reloadTasks = () => {
    if (reloadingTasks()) return;
    setReloadingTasks(true);
    setTimeout(() => {
      setReloadingTasks(false);
      void refetchTasks();
    }, 250);
  };

  const reloadAll = () =>
    batch(() => {
      void refetchRun();
      void refetchStates();
      void refetchTasks();
      void refetchSubflows();
      logs.reload();
    });

  return {
    run,
    states,
    taskRuns,
    subflows,
    parentRunId,
    value: { run: safe(run), states: safe(states), taskRuns: safe(taskRuns), subflows: safe(subflows), parentRunId: safe(parentRunId) },
    logs,
    refetchRun,
    refetchStates,
  };
}

export type RunDetail = ReturnType<typeof createRunDetail>;
