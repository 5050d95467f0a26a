import { describe, expect, it } from "vitest";
import type { TaskRun } from "../../../protocol/task-runs";
import { layoutTaskGraph, NODE_WIDTH, taskEdges } from "./task-graph";

const task = (id: string, inputs: Record<string, { input_type: string; id?: string }[]> = {}): TaskRun =>
  ({ id, name: `task-${id}`, task_inputs: inputs, state_type: "COMPLETED", state_name: "Completed" }) as unknown as TaskRun;

describe("task graph", () => {
  const extract = task("a");
  const transform = task("b", { rows: [{ input_type: "task_run", id: "a" }] });
  const load = task("c", {
    data: [{ input_type: "task_run", id: "b" }],
    again: [{ input_type: "task_run", id: "b" }],
    cfg: [{ input_type: "parameter" }],
    other: [{ input_type: "task_run", id: "not-in-this-run" }],
  });

  it("draws an edge per upstream task run, once, and none to tasks elsewhere", () => {
    expect(taskEdges([extract, transform, load])).toEqual([
      { from: "a", to: "b" },
      { from: "b", to: "c" },
    ]);
  });

  it("lays a chain out left to right", () => {
    const g = layoutTaskGraph([extract, transform, load]);
    const x = (id: string) => g.nodes.find((n) => n.id === id)!.x;
    expect(x("a")).toBeLessThan(x("b"));
    expect(x("b")).toBeLessThan(x("c"));
    expect(g.width).toBeGreaterThanOrEqual(3 * NODE_WIDTH);
    expect(g.edges[0]!.points.length).toBeGreaterThan(1);
  });

  it("stacks independent tasks (a map) in one column", () => {
    const mapped = ["m1", "m2", "m3"].map((id) => task(id, { x: [{ input_type: "task_run", id: "a" }] }));
    const g = layoutTaskGraph([extract, ...mapped]);
    const xs = new Set(g.nodes.filter((n) => n.id.startsWith("m")).map((n) => n.x));
    expect(xs.size).toBe(1);
  });
});
