import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newFlow, newFlowRun, sqlFirst, sqlRun } from "../test/runs";

const UNKNOWN = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";
const countRuns = async (flowId: string) => (await api("POST", "/flow_runs/count", { flows: { id: { any_: [flowId] } } })).body;

describe("creating flow runs", () => {
  it("creates a PENDING run with a generated name and its first state in the history", async () => {
    const flowId = await newFlow();
    const res = await api("POST", "/flow_runs/", {
      flow_id: flowId,
      parameters: { n: 1 },
      tags: ["a"],
      empirical_policy: { retries: 2, retry_delay: [1, 5] },
    });
    expect(res.status).toBe(201);
    const run = res.body;
    expect(run).toMatchObject({
      flow_id: flowId,
      parameters: { n: 1 },
      tags: ["a"],
      state_type: "PENDING",
      state_name: "Pending",
      run_count: 0,
      start_time: null,
      work_pool_name: null,
      empirical_policy: { retries: 2, retry_delay: [1, 5] },
    });
    expect(run.name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(run.state).toMatchObject({ type: "PENDING", name: "Pending", id: expect.any(String) });
    expect(run.expected_start_time).toBe(run.state.timestamp);
    expect((await api("GET", `/flow_runs/${run.id}`)).body).toEqual({ ...run, estimated_start_time_delta: expect.any(Number) });
    const states = await api("GET", `/flow_runs/${run.id}/states`);
    expect(states.body).toEqual([expect.objectContaining({ id: run.state.id, type: "PENDING" })]);
  });

  it("stores a client's times with offsets in UTC, so runs sort and filter by time", async () => {
    const flowId = await newFlow();
    const due = "2031-01-01T05:00:00+05:00";
    const run = await newFlowRun({ flow_id: flowId, state: { type: "SCHEDULED", timestamp: "2031-01-01 00:00:00Z", state_details: { scheduled_time: due } } });
    expect(run).toMatchObject({ expected_start_time: "2031-01-01T00:00:00.000Z", state: { timestamp: "2031-01-01T00:00:00.000Z" } });
    const started = await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING", timestamp: "2031-01-01T02:00:00+01:00" } });
    expect(started.body.state.timestamp).toBe("2031-01-01T01:00:00.000Z");
    expect((await api("GET", `/flow_runs/${run.id}`)).body.start_time).toBe("2031-01-01T01:00:00.000Z");
    const inWindow = { flows: { id: { any_: [flowId] } }, flow_runs: { expected_start_time: { after_: "2030-12-31T23:59:00Z", before_: "2031-01-01T00:01:00Z" } } };
    expect(await countRuns(flowId)).toBe(1);
    expect((await api("POST", "/flow_runs/count", inWindow)).body).toBe(1);
  });

  it("answers 404 for an unknown flow or deployment and creates nothing", async () => {
    const missing = await api("POST", "/flow_runs/", { flow_id: UNKNOWN });
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe(`flow "${UNKNOWN}" not found`);
    const flowId = await newFlow();
    const noDeployment = await api("POST", "/flow_runs/", { flow_id: flowId, deployment_id: UNKNOWN });
    expect(noDeployment.status).toBe(404);
    expect(noDeployment.body.detail).toContain("deployment");
    expect(await countRuns(flowId)).toBe(0);
  });

  it("refuses an initial state the rules refuse, and oversized state data, with 422", async () => {
    const flowId = await newFlow();
    const cancelling = await api("POST", "/flow_runs/", { flow_id: flowId, state: { type: "CANCELLING" } });
    expect(cancelling.status).toBe(422);
    expect(cancelling.body.detail).toMatch(/body\.state: run has no state to cancel yet/);
    const big = await api("POST", "/flow_runs/", { flow_id: flowId, state: { type: "PENDING", data: "x".repeat(70_000) } });
    expect(big.status).toBe(422);
    expect(big.body.errors[0].path).toBe("body.state.data");
    expect(await countRuns(flowId)).toBe(0);
  });

  it("answers the existing run with 200 when the client's id is sent again", async () => {
    const flowId = await newFlow();
    const id = crypto.randomUUID();
    const first = await api("POST", "/flow_runs/", { id, flow_id: flowId, name: "first" });
    const again = await api("POST", "/flow_runs/", { id, flow_id: flowId, name: "second" });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toMatchObject({ id, name: "first" });
    const otherFlow = await api("POST", "/flow_runs/", { id, flow_id: await newFlow() });
    expect(otherFlow.status).toBe(409);
    expect(otherFlow.body.detail).toContain("another flow");
  });

  it("creates one run for parallel requests with the same idempotency key", async () => {
    const flowId = await newFlow();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api("POST", "/flow_runs/", { flow_id: flowId, idempotency_key: "nightly-2024-01-01" })),
    );
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(9);
    expect(await countRuns(flowId)).toBe(1);
    // The key is per flow: another flow may use it too.
    expect((await api("POST", "/flow_runs/", { flow_id: await newFlow(), idempotency_key: "nightly-2024-01-01" })).status).toBe(201);
  });

  it("shows a SCHEDULED run past its time as Late, with how late it is", async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const late = await newFlowRun({ state: { type: "SCHEDULED", state_details: { scheduled_time: past } } });
    expect(late).toMatchObject({ state_type: "SCHEDULED", state_name: "Late", expected_start_time: past });
    expect(late.state.name).toBe("Late");
    expect(late.estimated_start_time_delta).toBeGreaterThanOrEqual(60);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const onTime = await newFlowRun({ state: { type: "SCHEDULED", state_details: { scheduled_time: future } } });
    expect(onTime).toMatchObject({ state_name: "Scheduled", expected_start_time: future, estimated_start_time_delta: 0 });
  });
});

describe("reading, updating and deleting flow runs", () => {
  it("answers 404 for unknown runs and 422 for malformed ids", async () => {
    for (const [method, path] of [
      ["GET", `/flow_runs/${UNKNOWN}`],
      ["DELETE", `/flow_runs/${UNKNOWN}`],
      ["GET", `/flow_runs/${UNKNOWN}/states`],
      ["POST", `/flow_runs/${UNKNOWN}/cancel`],
    ] as const) {
      const res = await api(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.detail).toBe(`flow run "${UNKNOWN}" not found`);
    }
    const patched = await api("PATCH", `/flow_runs/${UNKNOWN}`, { name: "x" });
    expect(patched.status).toBe(404);
    const bad = await api("GET", "/flow_runs/not-a-uuid");
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("path.id");
  });

  it("renames and retags with PATCH, and refuses bad fields without changing anything", async () => {
    const run = await newFlowRun({ tags: ["old"] });
    expect((await api("PATCH", `/flow_runs/${run.id}`, { name: "renamed", tags: ["new", "x"] })).status).toBe(204);
    const bad = await api("PATCH", `/flow_runs/${run.id}`, { name: "a/b", tags: ["y"] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("body.name");
    expect((await api("GET", `/flow_runs/${run.id}`)).body).toMatchObject({ name: "renamed", tags: ["new", "x"] });
  });

  it("deletes a run with its task runs and logs", async () => {
    const run = await newFlowRun();
    const other = await newFlowRun();
    for (const flowRun of [run, other]) {
      const task = await api("POST", "/task_runs/", { flow_run_id: flowRun.id, name: "t", task_key: "t" });
      expect(task.status).toBe(201);
      await sqlRun(
        "INSERT INTO logs (id, created, flow_run_id, task_run_id, name, level, message, timestamp) VALUES (?, ?, ?, ?, 'x', 20, 'hi', ?)",
        crypto.randomUUID(), run.created, flowRun.id, task.body.id, run.created,
      );
    }
    expect((await api("DELETE", `/flow_runs/${run.id}`)).status).toBe(204);
    expect((await api("GET", `/flow_runs/${run.id}`)).status).toBe(404);
    const left = async (id: string) => ({
      tasks: (await sqlFirst<{ n: number }>("SELECT count(*) AS n FROM task_runs WHERE flow_run_id = ?", id))!.n,
      logs: (await sqlFirst<{ n: number }>("SELECT count(*) AS n FROM logs WHERE flow_run_id = ?", id))!.n,
    });
    expect(await left(run.id)).toEqual({ tasks: 0, logs: 0 });
    expect(await left(other.id)).toEqual({ tasks: 1, logs: 1 });
  });

  it("answers the state history at /flow_run_states/?flow_run_id=", async () => {
    const run = await newFlowRun();
    await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING", message: "go", data: { rows: 3 } } });
    const res = await api("GET", `/flow_run_states/?flow_run_id=${run.id}`);
    expect(res.status).toBe(200);
    expect(res.body.map((s: { type: string }) => s.type)).toEqual(["PENDING", "RUNNING"]);
    expect(res.body[1]).toMatchObject({ name: "Running", message: "go", state_details: {} });
    // Only the current state carries its data; the history keeps the rest, so it cannot outgrow a row.
    expect(res.body[1].data).toBeUndefined();
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state.data).toEqual({ rows: 3 });
    expect((await api("GET", `/flow_run_states/?flow_run_id=${UNKNOWN}`)).status).toBe(404);
    const missing = await api("GET", "/flow_run_states/");
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].path).toBe("query.flow_run_id");
  });
});
