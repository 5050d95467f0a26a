import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { createRun, disconnected, fireAlarm, graceOver, heldRun, poolSql, runOf, startRun } from "../test/pool";
import { newDeployment, newFlow, newFlowRun, setFlowRunState, setTaskRunState } from "../test/runs";
import { connectWorker } from "../test/sockets";
import { openStream } from "../test/stream";
import { createDb } from "./client";
import { setFlowRunState as setFlowRunStateDb } from "./flow-run-state";
import { endOpenSubflowRuns } from "./subflow-runs-end";

const db = createDb(env.DB);
const flowRun = async (id: string) => (await api("GET", `/flow_runs/${id}`)).body;
const taskRun = async (id: string) => (await api("GET", `/task_runs/${id}`)).body;
const flowStates = async (id: string) => (await api("GET", `/flow_runs/${id}/states`)).body as { id: string; type: string }[];

async function task(flowRunId: string, name: string, type = "RUNNING"): Promise<string> {
  const res = await api("POST", "/task_runs/", { flow_run_id: flowRunId, name, task_key: name, state: { type } });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A subflow run of `parentId` as the SDK makes it (callSubflow): a RUNNING stand-in task run, then the run. */
async function subflow(parentId: string, name: string, type = "RUNNING"): Promise<{ id: string; name: string; standIn: string }> {
  const standIn = await task(parentId, `${name}-stand-in`, type === "RUNNING" ? "RUNNING" : type);
  const run = await newFlowRun({ name, parent_task_run_id: standIn, state: { type } });
  return { id: run.id, name: run.name, standIn };
}

/** parent → sub (a RUNNING task, a COMPLETED one) → subsub (a RUNNING task); parent → done (a finished subflow). */
async function family(parentId?: string) {
  const parent = parentId ?? (await newFlowRun({ name: `parent-${crypto.randomUUID().slice(0, 8)}`, state: { type: "RUNNING" } })).id;
  const parentName = (await flowRun(parent)).name as string;
  const sub = await subflow(parent, `sub-${crypto.randomUUID().slice(0, 8)}`);
  const subTask = await task(sub.id, "work");
  const subDone = await task(sub.id, "done", "COMPLETED");
  const subsub = await subflow(sub.id, `subsub-${crypto.randomUUID().slice(0, 8)}`);
  const subsubTask = await task(subsub.id, "deep");
  const done = await subflow(parent, `done-${crypto.randomUUID().slice(0, 8)}`, "COMPLETED");
  return { parent, parentName, sub, subTask, subDone, subsub, subsubTask, done };
}

describe("subflow runs of a flow run that ends", () => {
  it("end CANCELLED at any depth with the parent's cancellation, with their open task runs; finished ones are left as they were", async () => {
    const f = await family();
    const doneBefore = await flowRun(f.done.id);
    const subDoneBefore = await taskRun(f.subDone);
    const cancelled = await api("POST", `/flow_runs/${f.parent}/cancel`);
    expect(cancelled.body.status).toBe("ACCEPT");
    const at = cancelled.body.state.timestamp;

    const sub = await flowRun(f.sub.id);
    expect(sub).toMatchObject({ state_type: "CANCELLED", state_name: "Cancelled", end_time: at });
    expect(sub.state.message).toBe(`the parent flow run ${f.parentName} was cancelled while this subflow run was running`);
    expect(sub.total_run_time).toBeGreaterThanOrEqual(0);
    const history = await flowStates(f.sub.id);
    expect(history.map((s) => s.type)).toEqual(["RUNNING", "CANCELLED"]);
    expect(history.at(-1)!.id).toBe(sub.state.id);

    const subsub = await flowRun(f.subsub.id);
    expect(subsub).toMatchObject({ state_type: "CANCELLED", end_time: at });
    expect(subsub.state.message).toBe(`the parent flow run ${f.sub.name} was cancelled while this subflow run was running`);
    expect(subsub.state.id).not.toBe(sub.state.id);

    for (const id of [f.subTask, f.subsubTask, f.subsub.standIn, f.sub.standIn]) {
      const t = await taskRun(id);
      expect(t).toMatchObject({ state_type: "CANCELLED", end_time: at, state: { message: "the flow run was cancelled while this task run was running" } });
    }
    expect(await taskRun(f.subDone)).toEqual(subDoneBefore);
    expect(await flowRun(f.done.id)).toEqual(doneBefore);
  });

  it("refuse the killed process's late reports: RUNNING is ABORTed, COMPLETED rejected, the subflow run stays CANCELLED", async () => {
    const f = await family();
    await setFlowRunState(f.parent, { type: "CANCELLED" });
    expect((await setFlowRunState(f.sub.id, { type: "RUNNING" })).body.status).toBe("ABORT");
    expect((await setFlowRunState(f.subsub.id, { type: "COMPLETED" })).body.status).toBe("REJECT");
    expect((await setTaskRunState(f.subsubTask, { type: "RUNNING" })).body.status).toBe("ABORT");
    expect((await flowRun(f.sub.id)).state_type).toBe("CANCELLED");
    expect((await flowRun(f.subsub.id)).state_type).toBe("CANCELLED");
  });

  it("end CRASHED with a crashed, FAILED or COMPLETED parent, saying how the parent ended", async () => {
    for (const type of ["CRASHED", "FAILED", "COMPLETED"] as const) {
      const f = await family();
      expect((await setFlowRunState(f.parent, { type })).body.status).toBe("ACCEPT");
      const sub = await flowRun(f.sub.id);
      expect(sub).toMatchObject({ state_type: "CRASHED", state_name: "Crashed", state: { message: `the parent flow run ${f.parentName} ended ${type} while this subflow run was running` } });
      expect(sub.end_time).not.toBeNull();
      const subsub = await flowRun(f.subsub.id);
      expect(subsub).toMatchObject({ state_type: "CRASHED", state: { message: `the parent flow run ${f.sub.name} ended CRASHED while this subflow run was running` } });
      expect(await taskRun(f.subsubTask)).toMatchObject({ state_type: "CRASHED", state: { message: "the flow run crashed while this task run was running" } });
      expect((await setFlowRunState(f.sub.id, { type: "COMPLETED" })).body.status).toBe("REJECT");
    }
  });

  it("leave alone a run of a deployment started by a task of the parent (it runs elsewhere, held by its pool)", async () => {
    const parent = (await newFlowRun({ state: { type: "RUNNING" } })).id;
    const standIn = await task(parent, "run-deployment");
    const dep = await newDeployment(await newFlow());
    const res = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parent_task_run_id: standIn });
    expect(res.status).toBe(201);
    await setFlowRunState(parent, { type: "CANCELLED" });
    expect((await flowRun(res.body.id)).state_type).toBe("SCHEDULED");
  });

  it("are left alone while the parent is only CANCELLING", async () => {
    const f = await family();
    await setFlowRunState(f.parent, { type: "CANCELLING" });
    expect((await flowRun(f.sub.id)).state_type).toBe("RUNNING");
  });

  it("cost no row write without an open subflow run, and one row write per subflow run", async () => {
    const done = { state: { type: "COMPLETED" as const, state_details: {} }, force: false };
    // A parent whose only task run is open, and one with also a finished subflow run: the same cost.
    const plain = (await newFlowRun({ state: { type: "RUNNING" } })).id;
    await task(plain, "t");
    const withDone = (await newFlowRun({ state: { type: "RUNNING" } })).id;
    await task(withDone, "t");
    await subflow(withDone, "finished", "COMPLETED");
    const a = await setFlowRunStateDb(db, plain, done);
    const b = await setFlowRunStateDb(db, withDone, done);
    expect(b.ended_subflow_runs).toEqual([]);
    expect(b.rows_written).toBe(a.rows_written);
    // The statements alone write nothing for a parent that holds the state and has no open subflow run.
    const state = (await flowRun(withDone)).state;
    const [tasks, subflows] = await db.$client.batch(endOpenSubflowRuns(db, withDone, state));
    expect([tasks!.meta.rows_written, subflows!.meta.rows_written]).toEqual([0, 0]);

    // A parent whose open task run is a subflow's stand-in: the subflow run is one more row.
    const parent = (await newFlowRun({ state: { type: "RUNNING" } })).id;
    const sub = await subflow(parent, "costed");
    const c = await setFlowRunStateDb(db, parent, done);
    expect(c.ended_subflow_runs.map((s) => [s.id, s.state.type, s.task_runs])).toEqual([[sub.id, "CRASHED", []]]);
    expect(c.rows_written).toBe(a.rows_written + 1);
  });

  it("write nothing unless the parent's transition was stored", async () => {
    const f = await family();
    const stale = { id: crypto.randomUUID(), type: "CANCELLED" as const, name: "Cancelled", timestamp: new Date().toISOString(), message: null, state_details: {} };
    const [tasks, subflows] = await db.$client.batch(endOpenSubflowRuns(db, f.parent, stale));
    expect([tasks!.results, subflows!.results]).toEqual([[], []]);
    expect((await flowRun(f.sub.id)).state_type).toBe("RUNNING");
  });

  it("are told to the live stream: each subflow run's state, and its task runs", async () => {
    const f = await family();
    const s = await openStream();
    await s.subscribe([`flow_run:${f.sub.id}`, `flow_run:${f.subsub.id}`]);
    await api("POST", `/flow_runs/${f.parent}/cancel`);
    expect((await s.next("flow_run", (m) => m.flow_run.id === f.sub.id)).flow_run.state_type).toBe("CANCELLED");
    expect((await s.next("flow_run", (m) => m.flow_run.id === f.subsub.id)).flow_run.state_type).toBe("CANCELLED");
    const batch = await s.next("task_runs", (m) => m.flow_run_id === f.subsub.id);
    expect(batch.task_runs.map((t) => [t.id, t.state_type]).sort()).toEqual([[f.subsubTask, "CANCELLED"]]);
    const subBatch = await s.next("task_runs", (m) => m.flow_run_id === f.sub.id);
    expect(subBatch.task_runs.map((t) => [t.id, t.state_type]).sort()).toEqual([[f.subTask, "CANCELLED"], [f.subsub.standIn, "CANCELLED"]].sort());
    s.close();
  });
});

describe("subflow runs of a flow run the pool ends", () => {
  it("end CRASHED when the run's worker is lost; the pool never held them", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName, { name: "lost-with-subflows" });
    const flowRunId = await createRun(dep.id);
    await startRun(w, flowRunId);
    const f = await family(flowRunId);
    expect(await heldRun(dep.poolId, f.sub.id)).toBeUndefined();
    await disconnected(dep.poolId, w);
    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    expect((await runOf(flowRunId)).state_type).toBe("CRASHED");
    const sub = await flowRun(f.sub.id);
    expect(sub).toMatchObject({ state_type: "CRASHED", state: { message: `the parent flow run ${f.parentName} ended CRASHED while this subflow run was running` } });
    expect(sub.end_time).not.toBeNull();
    expect((await flowRun(f.subsub.id)).state_type).toBe("CRASHED");
    expect((await taskRun(f.subsubTask)).state_type).toBe("CRASHED");
    expect(await poolSql(dep.poolId, "SELECT run_id FROM held")).toEqual([]);
  });

  it("end CANCELLED when the worker never confirms a cancellation", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName);
    const flowRunId = await createRun(dep.id);
    await startRun(w, flowRunId);
    const f = await family(flowRunId);
    await api("POST", `/flow_runs/${flowRunId}/cancel`);
    await w.next("cancel");
    expect((await flowRun(f.sub.id)).state_type).toBe("RUNNING");
    await poolSql(dep.poolId, "UPDATE held SET deadline = 1 WHERE run_id = ?", flowRunId);
    await fireAlarm(dep.poolId);
    expect((await runOf(flowRunId)).state_type).toBe("CANCELLED");
    expect((await flowRun(f.sub.id)).state_type).toBe("CANCELLED");
    expect((await taskRun(f.subsubTask)).state_type).toBe("CANCELLED");
    w.close();
  });
});
