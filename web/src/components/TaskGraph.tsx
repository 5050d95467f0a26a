import { createMemo, For, Show } from "solid-js";
import type { TaskRun } from "../../../protocol/task-runs";
import { layoutTaskGraph, MAX_GRAPH_NODES } from "./task-graph";

/** The task dependency graph. Layout only reruns when tasks or edges change, not on every state change. */
export function TaskGraph(props: { taskRuns: readonly TaskRun[] }) {
  const structure = createMemo(
    () => props.taskRuns.map((t) => `${t.id}:${Object.values(t.task_inputs).flat().map((i) => i.id).join(",")}`).join(";"),
  );
  const graph = createMemo(() => {
    structure();
    const tasks = props.taskRuns;
    return tasks.length && tasks.length <= MAX_GRAPH_NODES ? layoutTaskGraph(tasks) : undefined;
  });
  const stateOf = createMemo(() => new Map(props.taskRuns.map((t) => [t.id, t])));

  return (
    <Show
      when={graph()}
      fallback={
        <p class="muted">
          {props.taskRuns.length
            ? `${props.taskRuns.length} task runs are too many to draw; see the table below.`
            : "No task runs yet."}
        </p>
      }
    >
      {(g) => (
        <div class="graph-scroll" tabindex="0" aria-label="Task dependency graph, scrollable">
          <svg width={g().width} height={g().height} role="img" aria-label={`${g().nodes.length} tasks, ${g().edges.length} dependencies`}>
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                <path d="M0,0 L10,5 L0,10 z" class="graph-arrow" />
              </marker>
            </defs>
            <For each={g().edges}>
              {(e) => (
                <polyline
                  class="graph-edge"
                  marker-end="url(#arrow)"
                  points={e.points.map((p) => `${p.x},${p.y}`).join(" ")}
                />
              )}
            </For>
            <For each={g().nodes}>
              {(n) => {
                const task = () => stateOf().get(n.id);
                return (
                  <g class="graph-node" data-state={task()?.state_type ?? undefined} transform={`translate(${n.x},${n.y})`}>
                    <title>{`${n.name}: ${task()?.state_name ?? "no state"}`}</title>
                    <rect width={n.width} height={n.height} rx="6" />
                    <circle cx="14" cy={n.height / 2} r="5" />
                    <text x="26" y={n.height / 2 + 4}>
                      {n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name}
                    </text>
                  </g>
                );
              }}
            </For>
          </svg>
        </div>
      )}
    </Show>
  );
}
