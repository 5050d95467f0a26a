import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newFlowRun, setTaskRunState, sqlRun } from "../test/runs";

const UNKNOWN = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";
const newTaskRun = async (body: Record<string, unknown>) => {
  const res = await api("POST", "/task_runs/", { name: "task", task_key: "task", ...body });
  expect(res.status).toBe(201);
  return res.body;
};

describe("task runs", () => {
  it("creates a PENDING task run once per flow run, task key and dynamic key", async () => {
    const run = await newFlowRun();
    const body = { flow_run_id: run.id, name: "add", task_key: "add-1a2b", dynamic_key: "3", tags: ["t"], task_inputs: { x: [{ input_type: "parameter" }] } };
    const first = await api("POST", "/task_runs/", body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ...body, state_type: "PENDING", state: { type: "PENDING" }, run_count: 0, cache_key: null });
    const answers = await Promise.all(Array.from({ length: 5 }, () => api("POST", "/task_runs/", { ...body, name: "again" })));
    expect(answers.every((a) => a.status === 200 && a.body.id === first.body.id && a.body.name === "add")).toBe(true);
    expect((await api("GET", `/task_runs/${first.body.id}`)).body).toMatchObject({ id: first.body.id, name: "add" });
    expect((await api("POST", "/task_runs/count", { flow_runs: { id: { any_: [run.id] } } })).body).toBe(1);
  });

  it("stores cache_expiration in UTC and refuses one Date cannot read", async () => {
    const run = await newFlowRun();
    const task = await newTaskRun({ flow_run_id: run.id, cache_key: "k", cache_expiration: "2031-01-01T02:00:00+02:00" });
    expect(task.cache_expiration).toBe("2031-01-01T00:00:00.000Z");
    const bad = await api("POST", "/task_runs/", { flow_run_id: run.id, name: "x", task_key: "x", cache_expiration: "2031-01-01T00:00:00 +02" });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("body.cache_expiration");
  });

  it("answers 404 for an unknown flow run and creates nothing", async () => {
    const res = await api("POST", "/task_runs/", { flow_run_id: UNKNOWN, name: "x", task_key: "x" });
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe(`flow run "${UNKNOWN}" not found`);
    expect((await api("POST", "/task_runs/count", { flow_runs: { id: { any_: [UNKNOWN] } } })).body).toBe(0);
  });

  it("answers 409 when the client's id belongs to another task run, and 422 for a refused state", async () => {
    const run = await newFlowRun();
    const task = await newTaskRun({ flow_run_id: run.id, task_key: "a" });
    const clash = await api("POST", "/task_runs/", { id: task.id, flow_run_id: run.id, name: "b", task_key: "b" });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain("already used");
    const paused = await api("POST", "/task_runs/", { flow_run_id: run.id, name: "c", task_key: "c", state: { type: "PAUSED" } });
    expect(paused.status).toBe(422);
    expect(paused.body.detail).toMatch(/^invalid body\.state: only a RUNNING run can pause/);
    expect((await api("POST", "/task_runs/count", { flow_runs: { id: { any_: [run.id] } } })).body).toBe(1);
  });

  it("moves through states with the rules, and one of ten parallel starts wins", async () => {
    const run = await newFlowRun();
    const task = await newTaskRun({ flow_run_id: run.id, empirical_policy: { retries: 1, retry_delay: 0 } });
    const starts = await Promise.all(Array.from({ length: 10 }, () => setTaskRunState(task.id, { type: "RUNNING" })));
    expect(starts.filter((s) => s.status === 201 && s.body.status === "ACCEPT")).toHaveLength(1);
    const failed = await setTaskRunState(task.id, { type: "FAILED" });
    expect(failed.body.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
    expect((await setTaskRunState(task.id, { type: "RUNNING" })).body.state.name).toBe("Retrying");
    expect((await setTaskRunState(task.id, { type: "COMPLETED", data: { v: 1 } })).status).toBe(201);
    const rejected = await setTaskRunState(task.id, { type: "RUNNING" });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: "REJECT", state: { type: "COMPLETED" } });
    expect((await api("GET", `/task_runs/${task.id}`)).body).toMatchObject({ run_count: 2, state_type: "COMPLETED", end_time: expect.any(String) });
    const states = (await api("GET", `/task_runs/${task.id}/states`)).body.map((s: { name: string }) => s.name);
    expect(states).toEqual(["Pending", "Running", "AwaitingRetry", "Retrying", "Completed"]);
    expect((await api("GET", `/task_run_states/?task_run_id=${task.id}`)).body).toHaveLength(5);
    expect((await api("GET", `/task_run_states/?task_run_id=${UNKNOWN}`)).status).toBe(404);
  });

  it("short-circuits to a Cached completion, which is not an attempt", async () => {
    const task = await newTaskRun({ flow_run_id: (await newFlowRun()).id, cache_key: "k-1" });
    const cached = await setTaskRunState(task.id, { type: "COMPLETED", name: "Cached", state_details: { cache_key: "k-1" }, data: { ref: "r" } });
    expect(cached.status).toBe(201);
    expect((await api("GET", `/task_runs/${task.id}`)).body).toMatchObject({
      state_type: "COMPLETED",
      state_name: "Cached",
      run_count: 0,
      start_time: null,
      end_time: cached.body.state.timestamp,
      cache_key: "k-1",
      state: { state_details: { cache_key: "k-1" }, data: { ref: "r" } },
    });
  });

  it("answers 404 and 422 on set_state without changing anything", async () => {
    const missing = await setTaskRunState(UNKNOWN, { type: "RUNNING" });
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe(`task run "${UNKNOWN}" not found`);
    const task = await newTaskRun({ flow_run_id: (await newFlowRun()).id });
    const big = await setTaskRunState(task.id, { type: "COMPLETED", data: "x".repeat(70_000) });
    expect(big.status).toBe(422);
    expect((await api("GET", `/task_runs/${task.id}`)).body.state_type).toBe("PENDING");
  });

  it("filters by flow run, state, name and tags, sorted", async () => {
    const run = await newFlowRun();
    const byRun = { flow_runs: { id: { any_: [run.id] } } };
    await newTaskRun({ flow_run_id: run.id, name: "b", task_key: "b", tags: ["x"], state: { type: "COMPLETED" } });
    await newTaskRun({ flow_run_id: run.id, name: "a", task_key: "a", tags: ["x", "y"], state: { type: "RUNNING" } });
    const list = async (body: Record<string, unknown>) =>
      (await api("POST", "/task_runs/filter", { ...byRun, ...body })).body.map((t: { name: string }) => t.name);
    expect(await list({})).toEqual(["b", "a"]);
    expect(await list({ sort: "NAME_ASC" })).toEqual(["a", "b"]);
    expect(await list({ sort: "NAME_ASC", limit: 1, offset: 1 })).toEqual(["b"]);
    expect(await list({ task_runs: { state: { type: { any_: ["RUNNING"] } } } })).toEqual(["a"]);
    expect(await list({ task_runs: { state: { name: { any_: ["Completed"] } } } })).toEqual(["b"]);
    expect(await list({ task_runs: { tags: { all_: ["x", "y"] } } })).toEqual(["a"]);
    expect(await list({ task_runs: { name: { any_: ["b"] } } })).toEqual(["b"]);
    expect((await api("POST", "/task_runs/filter", { limit: 1001 })).status).toBe(422);
    expect((await api("POST", "/task_runs/filter", { limit: 1000 })).status).toBe(200);
  });

  it("deletes a task run with its logs", async () => {
    const run = await newFlowRun();
    const task = await newTaskRun({ flow_run_id: run.id });
    const log = (taskRunId: string | null) =>
      sqlRun(
        "INSERT INTO logs (id, created, flow_run_id, task_run_id, name, level, message, timestamp) VALUES (?, ?, ?, ?, 'x', 20, 'hi', ?)",
        crypto.randomUUID(), run.created, run.id, taskRunId, run.created,
      );
    await log(task.id);
    await log(null);
    expect((await api("DELETE", `/task_runs/${task.id}`)).status).toBe(204);
    expect((await api("GET", `/task_runs/${task.id}`)).status).toBe(404);
    expect((await api("DELETE", `/task_runs/${task.id}`)).status).toBe(404);
    const left = await sqlRun("SELECT task_run_id FROM logs WHERE flow_run_id = ?", run.id);
    expect(left.results).toEqual([{ task_run_id: null }]);
  });
});
