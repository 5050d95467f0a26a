import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import { taskRunsByKey } from "../db/task-run-create";
import { api } from "../test/http";
import { newFlowRun } from "../test/runs";

const UNKNOWN = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";
const bulk = (body: Record<string, unknown>) => api("POST", "/task_runs/bulk", body);

describe("task run bulk", () => {
  it("creates many task runs and moves them in one request, answering per item", async () => {
    const run = await newFlowRun();
    const ids = Array.from({ length: 300 }, () => crypto.randomUUID());
    const create = ids.map((id, i) => ({
      id,
      flow_run_id: run.id,
      name: `t${i}`,
      task_key: "t",
      dynamic_key: String(i),
      state: i % 2 ? { type: "COMPLETED", data: { i } } : { type: "RUNNING" },
      task_inputs: i ? { x: [{ input_type: "task_run", id: ids[i - 1] }] } : {},
    }));
    // RUNNING then COMPLETED for the same run in one request: applied in order.
    const set_state = ids.filter((_, i) => i % 2 === 0).map((task_run_id) => ({ task_run_id, state: { type: "COMPLETED" } }));
    const res = await bulk({ create, set_state });
    expect(res.status).toBe(200);
    expect(res.body.create).toHaveLength(300);
    expect(res.body.create.every((c: { status: number; task_run: { id: string } }, i: number) => c.status === 201 && c.task_run.id === ids[i])).toBe(true);
    expect(res.body.create[1].task_run).toMatchObject({ state_type: "COMPLETED", state: { data: { i: 1 } }, task_inputs: { x: [{ input_type: "task_run", id: ids[0] }] } });
    expect(res.body.set_state.every((s: { status: number; result: { status: string } }) => s.status === 201 && s.result.status === "ACCEPT")).toBe(true);
    const completed = await api("POST", "/task_runs/count", { flow_runs: { id: { any_: [run.id] } }, task_runs: { state: { type: { any_: ["COMPLETED"] } } } });
    expect(completed.body).toBe(300);
    const first = (await api("GET", `/task_runs/${ids[0]}`)).body;
    expect(first).toMatchObject({ run_count: 1, start_time: expect.any(String), end_time: expect.any(String) });
  });

  it("keeps items independent: bad ones are reported, the others apply", async () => {
    const run = await newFlowRun();
    const existing = (await api("POST", "/task_runs/", { flow_run_id: run.id, name: "e", task_key: "e" })).body;
    const res = await bulk({
      create: [
        { flow_run_id: run.id, name: "ok", task_key: "ok" },
        { flow_run_id: UNKNOWN, name: "orphan", task_key: "x" },
        { flow_run_id: run.id, name: "again", task_key: "e" },
        { flow_run_id: run.id, name: "bad", task_key: "bad", state: { type: "CANCELLING" } },
        { flow_run_id: run.id, name: "big", task_key: "big", state: { type: "COMPLETED", data: "x".repeat(70_000) } },
      ],
      set_state: [
        { task_run_id: UNKNOWN, state: { type: "RUNNING" } },
        { task_run_id: existing.id, state: { type: "RUNNING" } },
        { task_run_id: existing.id, state: { type: "RUNNING" } },
        { task_run_id: existing.id, state: { type: "COMPLETED", data: "x".repeat(70_000) } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.create.map((c: { status: number }) => c.status)).toEqual([201, 404, 200, 422, 422]);
    expect(res.body.create[1].detail).toBe(`flow run "${UNKNOWN}" not found`);
    expect(res.body.create[2].task_run.id).toBe(existing.id);
    expect(res.body.create[4].detail).toMatch(/body\.create\.4\.state\.data/);
    expect(res.body.set_state.map((s: { status: number }) => s.status)).toEqual([404, 201, 200, 422]);
    expect(res.body.set_state[0]).toMatchObject({ task_run_id: UNKNOWN, detail: `task run "${UNKNOWN}" not found`, result: null });
    expect(res.body.set_state[2].result).toMatchObject({ status: "REJECT", state: { type: "RUNNING" } });
    const names = (await api("POST", "/task_runs/filter", { flow_runs: { id: { any_: [run.id] } }, sort: "NAME_ASC" })).body;
    expect(names.map((t: { name: string; state_type: string }) => `${t.name}:${t.state_type}`)).toEqual(["e:RUNNING", "ok:PENDING"]);
  });

  it("answers 422 for a malformed body and applies nothing", async () => {
    const run = await newFlowRun();
    const res = await bulk({ create: [{ flow_run_id: run.id, name: "fine", task_key: "f" }, { flow_run_id: run.id, task_key: "no-name" }] });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe("body.create.1.name");
    expect((await bulk({ create: Array.from({ length: 501 }, () => ({ flow_run_id: run.id, name: "n", task_key: "k" })) })).status).toBe(422);
    expect((await api("POST", "/task_runs/count", { flow_runs: { id: { any_: [run.id] } } })).body).toBe(0);
  });

  it("records when a task run created already finished started: start and end, run time, one attempt, RUNNING in its history", async () => {
    const run = await newFlowRun();
    const start = new Date(Date.now() - 60_000);
    const at = (ms: number) => new Date(start.getTime() + ms).toISOString();
    const res = await bulk({
      create: [
        { flow_run_id: run.id, name: "ok", task_key: "ok", start_time: at(0), state: { type: "COMPLETED", timestamp: at(1_500), data: 42 } },
        { flow_run_id: run.id, name: "bad", task_key: "bad", start_time: at(0), state: { type: "FAILED", timestamp: at(250), message: "boom" } },
        { flow_run_id: run.id, name: "cached", task_key: "cached", state: { type: "COMPLETED", name: "Cached" } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.create.map((c: { status: number }) => c.status)).toEqual([201, 201, 201]);
    const [ok, bad, cached] = res.body.create.map((c: { task_run: Record<string, unknown> }) => c.task_run);
    expect(ok).toMatchObject({ state_type: "COMPLETED", start_time: at(0), end_time: at(1_500), total_run_time: 1.5, run_count: 1, expected_start_time: at(0) });
    expect(bad).toMatchObject({ state_type: "FAILED", start_time: at(0), end_time: at(250), total_run_time: 0.25, run_count: 1 });
    // A cached result never ran: no start, no attempt.
    expect(cached).toMatchObject({ state_name: "Cached", start_time: null, run_count: 0, total_run_time: 0 });
    const history = (await api("GET", `/task_runs/${ok.id}/states`)).body;
    expect(history.map((s: { type: string; timestamp: string }) => `${s.type}@${s.timestamp}`)).toEqual([`RUNNING@${at(0)}`, `COMPLETED@${at(1_500)}`]);
    expect((await api("GET", `/task_runs/${ok.id}`)).body).toMatchObject({ start_time: at(0), run_count: 1, total_run_time: 1.5 });
  });

  it("refuses a start_time with a state that is not final, or later than the state", async () => {
    const run = await newFlowRun();
    const now = Date.now();
    const res = await bulk({
      create: [
        { flow_run_id: run.id, name: "running", task_key: "r", start_time: new Date(now - 1_000).toISOString(), state: { type: "RUNNING" } },
        { flow_run_id: run.id, name: "none", task_key: "n", start_time: new Date(now - 1_000).toISOString() },
        { flow_run_id: run.id, name: "late", task_key: "l", start_time: new Date(now).toISOString(), state: { type: "COMPLETED", timestamp: new Date(now - 1_000).toISOString() } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.create.map((c: { status: number }) => c.status)).toEqual([422, 422, 422]);
    expect(res.body.create[0].detail).toMatch(/^invalid body\.create\.0\.start_time: only a task run created in a final state/);
    expect(res.body.create[1].detail).toMatch(/^invalid body\.create\.1\.start_time: only a task run created in a final state/);
    expect(res.body.create[2].detail).toMatch(/^invalid body\.create\.2\.start_time: .* is after the state's timestamp/);
    expect((await api("POST", "/task_runs/count", { flow_runs: { id: { any_: [run.id] } } })).body).toBe(0);
    const malformed = await bulk({ create: [{ flow_run_id: run.id, name: "x", task_key: "x", start_time: "yesterday", state: { type: "COMPLETED" } }] });
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors[0].path).toBe("body.create.0.start_time");
  });

  it("lets one of many parallel bulk starts of the same task run win", async () => {
    const run = await newFlowRun();
    const task = (await api("POST", "/task_runs/", { flow_run_id: run.id, name: "t", task_key: "t" })).body;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => bulk({ set_state: [{ task_run_id: task.id, state: { type: "RUNNING" } }] })),
    );
    const accepted = answers.filter((a) => a.body.set_state[0].result.status === "ACCEPT");
    expect(accepted).toHaveLength(1);
    const states = (await api("GET", `/task_runs/${task.id}/states`)).body.map((s: { type: string }) => s.type);
    expect(states).toEqual(["PENDING", "RUNNING"]);
  });
});

describe("task run bulk query plan", () => {
  it("reads created runs back through the unique key index, not a scan", async () => {
    const query = taskRunsByKey(createDb(env.DB), [[UNKNOWN, "k", "0"], [UNKNOWN, "k", "1"]]).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).bind(...query.params).all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join("\n");
    expect(details).toMatch(/SEARCH task_runs USING INDEX task_runs_flow_run_key \(flow_run_id=\? AND task_key=\? AND dynamic_key=\?\)/);
    expect(details).not.toMatch(/SCAN task_runs/);
  });
});
