import { describe, expect, it } from "vitest";
import { logSource, taskRunNames } from "./log-source";

const TASK = "0b6f4c1e-9d1a-4c55-8a63-2f1d7e0c9a11";
const OTHER = "7d2e0a43-1b7c-4f0e-9a3b-5c6d7e8f9a0b";

describe("logSource", () => {
  const names = taskRunNames([
    { id: TASK, name: "fetch-temperature-2" },
    { id: OTHER, name: "warmest-0" },
  ]);

  it("names the task run that wrote a line, so a task's attempt 2 and the flow's attempt 1 read apart", () => {
    expect(logSource({ task_run_id: TASK }, names, "fancy-bobcat")).toEqual({
      kind: "task",
      label: "fetch-temperature-2",
      title: "Task run fetch-temperature-2",
    });
    expect(logSource({ task_run_id: OTHER }, names, "fancy-bobcat").label).toBe("warmest-0");
  });

  it("names the flow run for lines written outside any task", () => {
    expect(logSource({ task_run_id: null }, names, "fancy-bobcat")).toEqual({ kind: "flow", label: "fancy-bobcat", title: "Flow run fancy-bobcat" });
  });

  it("still marks a line of a task run not loaded yet as a task's, by the start of its id", () => {
    const unknown = "c0ffee00-0000-4000-8000-000000000000";
    expect(logSource({ task_run_id: unknown }, names, "fancy-bobcat")).toEqual({
      kind: "task",
      label: "task c0ffee00",
      title: `Task run ${unknown}`,
    });
  });
});
