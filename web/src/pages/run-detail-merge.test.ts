import { describe, expect, it } from "vitest";
import type { Log } from "../../../protocol/logs";
import type { TaskRun } from "../../../protocol/task-runs";
import { mergeLogs, mergeTaskChanges, taskRunSeconds, timelineBars } from "./run-detail-merge";

const log = (id: string, timestamp: string): Log => ({ id, timestamp, created: timestamp, flow_run_id: "r", task_run_id: null, name: "x", level: 20, message: id });
const task = (id: string, over: Partial<TaskRun> = {}): TaskRun =>
  ({
    id,
    name: id,
    state_type: "RUNNING",
    state_name: "Running",
    state: { id: "s", type: "RUNNING", name: "Running", timestamp: "2026-01-01T00:00:00Z", message: null, state_details: {} },
    start_time: null,
    end_time: null,
    ...over,
  }) as TaskRun;

describe("mergeTaskChanges", () => {
  it("moves known tasks and says when one is not loaded", () => {
    const { taskRuns, missing } = mergeTaskChanges(
      [task("a"), task("b")],
      [{ id: "a", state_type: "COMPLETED", state_name: "Completed", timestamp: "2026-01-01T00:00:01Z" }],
    );
    expect(taskRuns.map((t) => t.state_type)).toEqual(["COMPLETED", "RUNNING"]);
    expect(taskRuns[0]!.state?.name).toBe("Completed");
    expect(missing).toBe(false);
    expect(mergeTaskChanges([task("a")], [{ id: "new", state_type: "PENDING", state_name: null, timestamp: "x", created: true }]).missing).toBe(true);
  });

  it("keeps a newer state than the change", () => {
    const { taskRuns } = mergeTaskChanges([task("a")], [{ id: "a", state_type: "PENDING", state_name: "Pending", timestamp: "2025-01-01T00:00:00Z" }]);
    expect(taskRuns[0]!.state_type).toBe("RUNNING");
  });
});

describe("mergeLogs", () => {
  it("adds new lines once, in time order", () => {
    const loaded = [log("1", "2026-01-01T00:00:01Z"), log("2", "2026-01-01T00:00:02Z")];
    expect(mergeLogs(loaded, [log("2", "2026-01-01T00:00:02Z"), log("3", "2026-01-01T00:00:03Z")]).map((l) => l.id)).toEqual(["1", "2", "3"]);
    expect(mergeLogs(loaded, [log("0", "2026-01-01T00:00:00Z")]).map((l) => l.id)).toEqual(["0", "1", "2"]);
    expect(mergeLogs(loaded, [])).toBe(loaded);
  });
});

describe("timelineBars", () => {
  it("places started tasks on the run's span, running ones up to now", () => {
    const now = Date.parse("2026-01-01T00:00:10Z");
    const { bars } = timelineBars(
      [
        task("a", { start_time: "2026-01-01T00:00:00Z", end_time: "2026-01-01T00:00:05Z" }),
        task("b", { start_time: "2026-01-01T00:00:05Z" }),
        task("c"),
      ],
      now,
    );
    expect(bars.map((b) => [b.id, b.left, b.width])).toEqual([
      ["a", 0, 50],
      ["b", 50, 50],
    ]);
    expect(timelineBars([task("c")], now).bars).toEqual([]);
  });
});

describe("task run time", () => {
  it("a retried task's bar spans its retry wait, while its run time (the table's) leaves the wait out", () => {
    const retried = task("fetch", {
      state_type: "COMPLETED",
      start_time: "2026-01-01T00:00:00Z",
      end_time: "2026-01-01T00:00:01.030Z",
      total_run_time: 0.023,
    });
    const [bar] = timelineBars([retried], Date.parse("2026-01-01T00:00:05Z")).bars;
    expect(bar!.seconds).toBeCloseTo(1.03);
    expect(bar!.runSeconds).toBe(0.023);
  });

  it("counts the attempt still running on top of the finished ones", () => {
    const running = task("a", { total_run_time: 2, start_time: "2026-01-01T00:00:00Z" });
    expect(taskRunSeconds(running, Date.parse("2026-01-01T00:00:03Z"))).toBe(5);
    expect(taskRunSeconds({ ...running, state_type: "COMPLETED" }, Date.parse("2026-01-01T00:00:03Z"))).toBe(2);
  });
});

