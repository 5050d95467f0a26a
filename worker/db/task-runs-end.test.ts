import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { createRun, disconnected, fireAlarm, graceOver, poolSql, runOf, startRun } from "../test/pool";
import { newDeployment, newFlow, newFlowRun, setFlowRunState, setTaskRunState, sqlFirst } from "../test/runs";
import { connectWorker } from "../test/sockets";
import { openStream } from "../test/stream";
import { createDb } from "./client";
import { setFlowRunState as setFlowRunStateDb } from "./flow-run-state";
import { endOpenTaskRuns } from "./task-runs-end";

const db = createDb(env.DB);
const taskRun = async (id: string) => (await api("GET", `/task_runs/${id}`)).body;
const taskStates = async (id: string) => (await api("GET", `/task_runs/${id}/states`)).body as { id: string; type: string; message: string | null }[];

/** A RUNNING flow run with a task run in each of RUNNING (started 2 s ago), PENDING and COMPLETED. */
async function runWithTasks(flowRunId?: string) {
  const runId = flowRunId ?? (await newFlowRun({ state: { type: "RUNNING" } })).id;
  const started = new Date(Date.now() - 2_000).toISOString();
  const create = [
    { flow_run_id: runId, name: "running", task_key: "running", state: { type: "RUNNING", timestamp: started } },
    { flow_run_id: runId, name: "pending", task_key: "pending", state: { type: "PENDING" } },
    { flow_run_id: runId, name: "done", task_key: "done", state: { type: "COMPLETED" } },
  ];
  const bulk = await api("POST", "/task_runs/bulk", { create });
  expect(bulk.status).toBe(200);
  const [running, pending, done] = (bulk.body.create as { task_run: { id: string } }[]).map((c) => c.task_run.id) as [string, string, string];
  return { runId, running, pending, done };
}

describe("task runs of a flow run that ends", () => {
  it("end CANCELLED with the flow run's cancellation, end_time and run time set; a finished one is left as it was", async () => {
    const { runId, running, pending, done } = await runWithTasks();
    const doneBefore = await taskRun(done);
    const cancelled = await setFlowRunState(runId, { type: "CANCELLED", message: "killed" });
    expect(cancelled.body.status).toBe("ACCEPT");
    const at = cancelled.body.state.timestamp;

    const r = await taskRun(running);
    expect(r).toMatchObject({ state_type: "CANCELLED", state_name: "Cancelled", end_time: at });
    expect(r.state.message).toBe("the flow run was cancelled while this task run was running");
    expect(r.total_run_time).toBeGreaterThanOrEqual(1.9);
    const history = await taskStates(running);
    expect(history.map((s) => s.type)).toEqual(["RUNNING", "CANCELLED"]);
    // The state and its history entry are the same state.
    expect(history.at(-1)!.id).toBe(r.state.id);

    const p = await taskRun(pending);
    expect(p).toMatchObject({ state_type: "CANCELLED", end_time: at, start_time: null });
    expect(p.state.message).toBe("the flow run was cancelled while this task run was pending");
    expect(p.state.id).not.toBe(r.state.id);

    expect(await taskRun(done)).toEqual(doneBefore);
  });

  it("refuses the killed process's late reports: RUNNING is ABORTed, COMPLETED rejected, the task run stays CANCELLED", async () => {
    const { runId, running } = await runWithTasks();
    await setFlowRunState(runId, { type: "CANCELLED" });
    expect((await setTaskRunState(running, { type: "RUNNING" })).body.status).toBe("ABORT");
    expect((await setTaskRunState(running, { type: "COMPLETED" })).body.status).toBe("REJECT");
    const bulk = await api("POST", "/task_runs/bulk", { set_state: [{ task_run_id: running, state: { type: "RUNNING" } }] });
    expect(bulk.body.set_state[0].result.status).toBe("ABORT");
    expect(await taskRun(running)).toMatchObject({ state_type: "CANCELLED" });
  });

  it("end CRASHED with a crashed flow run, and with a FAILED or COMPLETED one (a task it never awaited), saying why", async () => {
    for (const [type, because] of [
      ["CRASHED", "the flow run crashed"],
      ["FAILED", "the flow run ended FAILED"],
      ["COMPLETED", "the flow run ended COMPLETED"],
    ] as const) {
      const { runId, running } = await runWithTasks();
      expect((await setFlowRunState(runId, { type })).body.status).toBe("ACCEPT");
      const r = await taskRun(running);
      expect(r).toMatchObject({ state_type: "CRASHED", state_name: "Crashed", state: { message: `${because} while this task run was running` } });
      expect(r.end_time).not.toBeNull();
      expect((await setTaskRunState(running, { type: "COMPLETED" })).body.status).toBe("REJECT");
    }
  });

  it("are left alone while the flow run is only CANCELLING, or is retried (AwaitingRetry is not an end)", async () => {
    const { runId, running } = await runWithTasks();
    await setFlowRunState(runId, { type: "CANCELLING" });
    expect((await taskRun(running)).state_type).toBe("RUNNING");

    const retried = await runWithTasks((await newFlowRun({ state: { type: "RUNNING" }, empirical_policy: { retries: 1, retry_delay: 0 } })).id);
    expect((await setFlowRunState(retried.runId, { type: "FAILED" })).body.state.name).toBe("AwaitingRetry");
    expect((await taskRun(retried.running)).state_type).toBe("RUNNING");
  });

  it("costs no row write when none is open, and writes nothing unless the flow run's transition was stored", async () => {
    const plain = (await newFlowRun({ state: { type: "RUNNING" } })).id;
    const withDone = (await newFlowRun({ state: { type: "RUNNING" } })).id;
    await api("POST", "/task_runs/", { flow_run_id: withDone, name: "t", task_key: "t", state: { type: "COMPLETED" } });
    const done = { state: { type: "COMPLETED" as const, state_details: {} }, force: false };
    const a = await setFlowRunStateDb(db, plain, done);
    const b = await setFlowRunStateDb(db, withDone, done);
    expect(b.ended_task_runs).toEqual([]);
    expect(b.rows_written).toBe(a.rows_written);

    // The statement alone, against a state the flow run does not hold (a transition that lost its race).
    const { runId, running } = await runWithTasks();
    const stale = { id: crypto.randomUUID(), type: "CANCELLED" as const, name: "Cancelled", timestamp: new Date().toISOString(), message: null, state_details: {} };
    expect((await endOpenTaskRuns(db, runId, stale).all()).results).toEqual([]);
    expect((await taskRun(running)).state_type).toBe("RUNNING");
  });

  it("are told to the flow run's live stream as task run state changes", async () => {
    const { runId, running, pending } = await runWithTasks();
    const s = await openStream();
    await s.subscribe([`flow_run:${runId}`]);
    await api("POST", `/flow_runs/${runId}/cancel`);
    const batch = await s.next("task_runs", (m) => m.flow_run_id === runId);
    expect(batch.task_runs.map((t) => [t.id, t.state_type]).sort()).toEqual([[pending, "CANCELLED"], [running, "CANCELLED"]].sort());
    s.close();
  });
});

describe("task runs of a flow run the pool ends", () => {
  it("end CRASHED when the run's worker is lost", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName, { name: "lost" });
    const flowRunId = await createRun(dep.id);
    await startRun(w, flowRunId);
    const { running } = await runWithTasks(flowRunId);
    await disconnected(dep.poolId, w);
    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    expect((await runOf(flowRunId)).state_type).toBe("CRASHED");
    const r = await taskRun(running);
    expect(r).toMatchObject({ state_type: "CRASHED", state: { message: "the flow run crashed while this task run was running" } });
    expect(r.end_time).not.toBeNull();
  });

  it("end CANCELLED when the worker never confirms a cancellation", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName);
    const flowRunId = await createRun(dep.id);
    await startRun(w, flowRunId);
    const { running } = await runWithTasks(flowRunId);
    await api("POST", `/flow_runs/${flowRunId}/cancel`);
    await w.next("cancel");
    expect((await taskRun(running)).state_type).toBe("RUNNING");
    await poolSql(dep.poolId, "UPDATE held SET deadline = 1 WHERE run_id = ?", flowRunId);
    await fireAlarm(dep.poolId);
    expect((await runOf(flowRunId)).state_type).toBe("CANCELLED");
    expect(await sqlFirst("SELECT state_type, end_time IS NOT NULL AS ended FROM task_runs WHERE id = ?", running)).toEqual({ state_type: "CANCELLED", ended: 1 });
    w.close();
  });
});
