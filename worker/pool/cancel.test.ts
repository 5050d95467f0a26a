import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { createRun, disconnected, eventually, fireAlarm, graceOver, heldRun, poolSql, report, restReport, runOf, startRun } from "../test/pool";
import { newDeployment, newFlow } from "../test/runs";
import { connectWorker } from "../test/sockets";

const pool = async () => newDeployment(await newFlow());
const cancel = (runId: string) => api("POST", `/flow_runs/${runId}/cancel`);

describe("cancelling a run a connected worker holds", () => {
  it("makes it CANCELLING and pushes cancel to the worker at once; its confirmation ends it CANCELLED and frees the slot", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { capacity: 1 });
    const runId = await createRun(dep.id);
    const lease = await startRun(w, runId);
    const queued = await createRun(dep.id);

    expect((await cancel(runId)).status).toBe(200);
    expect((await runOf(runId)).state_type).toBe("CANCELLING");
    expect(await w.next("cancel")).toMatchObject({ run_id: runId, lease_token: lease.lease_token });
    expect(w.pending("offer")).toEqual([]);

    expect(await report(w, lease, "CANCELLED")).toMatchObject({ type: "state_result", result: { status: "ACCEPT", state: { type: "CANCELLED" } } });
    expect((await runOf(runId)).state_type).toBe("CANCELLED");
    expect((await w.next("offer")).flow_run.id).toBe(queued);
    w.close();
  });

  it("also frees the slot when the worker confirms over REST", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { capacity: 1 });
    const runId = await createRun(dep.id);
    const lease = await startRun(w, runId);
    const queued = await createRun(dep.id);
    await cancel(runId);
    await w.next("cancel");
    expect((await restReport(lease, "CANCELLED")).status).toBe(201);
    expect((await w.next("offer")).flow_run.id).toBe(queued);
    w.close();
  });

  it("ends CANCELLED when the worker never confirms, once the cancel deadline passes", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { capacity: 1 });
    const runId = await createRun(dep.id);
    await startRun(w, runId);
    const queued = await createRun(dep.id);
    await cancel(runId);
    await w.next("cancel");
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("CANCELLING");

    await poolSql(dep.poolId, "UPDATE held SET deadline = 1 WHERE run_id = ?", runId);
    await fireAlarm(dep.poolId);
    const run = await runOf(runId);
    expect(run.state_type).toBe("CANCELLED");
    expect(run.state.message).toMatch(/did not confirm the cancellation/);
    expect((await w.next("offer")).flow_run.id).toBe(queued);
    w.close();
  });
});

describe("cancelling a run no worker holds", () => {
  it("cancels a SCHEDULED run directly", async () => {
    const dep = await pool();
    const runId = await createRun(dep.id);
    const res = await cancel(runId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ACCEPT", state: { type: "CANCELLED" } });
    expect((await runOf(runId)).state_type).toBe("CANCELLED");
    // A worker that connects later is not offered it.
    const w = await connectWorker(dep.poolName);
    const next = await createRun(dep.id);
    expect((await w.next("offer")).flow_run.id).toBe(next);
    w.close();
  });
});

describe("cancelling the run of a disconnected worker", () => {
  it("cancels it once the grace is over, without waiting for the cancel deadline", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "gone" });
    const runId = await createRun(dep.id);
    await startRun(w, runId);
    await disconnected(dep.poolId, w);

    expect((await cancel(runId)).status).toBe(200);
    expect((await runOf(runId)).state_type).toBe("CANCELLING");
    await eventually(async () => expect((await heldRun(dep.poolId, runId))?.phase).toBe("cancelling"));
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("CANCELLING");

    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    const run = await runOf(runId);
    expect(run.state_type).toBe("CANCELLED");
    expect(run.state.message).toMatch(/worker gone disconnected and did not reconnect in time while the run was being cancelled/);
  });

  it("pushes the cancel to a worker that reconnects within the grace", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "back" });
    const runId = await createRun(dep.id);
    const lease = await startRun(w, runId);
    await disconnected(dep.poolId, w);
    await cancel(runId);
    await eventually(async () => expect((await heldRun(dep.poolId, runId))?.phase).toBe("cancelling"));

    const again = await connectWorker(dep.poolName, { name: "back", runs: [lease] });
    expect(await again.next("cancel", 2000)).toMatchObject({ run_id: runId });
    expect(await report(again, lease, "CANCELLED")).toMatchObject({ result: { status: "ACCEPT" } });
    again.close();
  });
});
