import { Graph, layout } from "@dagrejs/dagre";
import type { TaskRun } from "../../../protocol/task-runs";

/*
 * The task dependency graph of a flow run: a node per task run, an edge from each upstream task run named
 * in a task's inputs (task_inputs, as Prefect records them). Layout is dagre's, left to right.
 */

export interface GraphNode {
  id: string;
  name: string;
  state_type: TaskRun["state_type"];
  state_name: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface TaskGraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 40;
/** Past this the graph is unreadable and dagre slow; the table and timeline still list every task. */
export const MAX_GRAPH_NODES = 1_500;

/** Upstream → downstream pairs between task runs of the list (inputs from elsewhere are left out), without repeats. */
export function taskEdges(taskRuns: readonly TaskRun[]): { from: string; to: string }[] {
  const ids = new Set(taskRuns.map((t) => t.id));
  const seen = new Set<string>();
  const edges: { from: string; to: string }[] = [];
  for (const task of taskRuns) {
    for (const inputs of Object.values(task.task_inputs)) {
      for (const input of inputs) {
        if (input.input_type !== "task_run" || !input.id || !ids.has(input.id) || input.id === task.id) continue;
        const key = `${input.id}>${task.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        edges.push({ from: input.id, to: task.id });
      }
    }
  }
  return edges;
}

export function layoutTaskGraph(taskRuns: readonly TaskRun[]): TaskGraphLayout {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: 16, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of taskRuns) g.setNode(t.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const pairs = taskEdges(taskRuns);
  for (const e of pairs) g.setEdge(e.from, e.to);
  layout(g);

  const nodes = taskRuns.map((t) => {
    const n = g.node(t.id);
    // dagre gives centres; the view draws from the top-left corner.
    return {
      id: t.id,
      name: t.name,
      state_type: t.state_type,
      state_name: t.state_name,
      x: (n.x ?? 0) - NODE_WIDTH / 2,
      y: (n.y ?? 0) - NODE_HEIGHT / 2,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    };
  });
  const edges = pairs.map((e) => ({ ...e, points: g.edge(e.from, e.to)?.points ?? [] }));
  const graph = g.graph();
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}
