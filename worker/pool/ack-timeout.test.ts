import { describe, expect, it } from "vitest";
import { createRun, eventually, fireAlarm, heldRun, poolSql, report, restReport, runOf, takeRun } from "../test/pool";
import { newDeployment, newFlow, sqlFirst } from "../test/runs";
import { connectWorker } from "../test/sockets";

const pool = async () => newDeployment(await newFlow());

describe("an offer not acknowledged in time", () => {
  it("goes back to the pool: the worker gets revoke, another worker the offer, and the late worker's reports are refused", async () => {
    const dep = await pool();
    const slow = await connectWorker(dep.poolName, { name: "slow" });
    const runId = await createRun(dep.id);
    const offer = await slow.next("offer");
    // More free slots than the slow worker, so the pool picks it for the run that comes back.
    const quick = await connectWorker(dep.poolName, { capacity: 2 });
    await fireAlarm(dep.poolId);
    expect(slow.pending("revoke")).toEqual([]);

    await poolSql(dep.poolId, "UPDATE held SET deadline = 1 WHERE run_id = ?", runId);
    await fireAlarm(dep.poolId);
    expect(await slow.next("revoke")).toMatchObject({ run_id: runId });
    const history = JSON.parse((await sqlFirst<{ state_history: string }>("SELECT state_history FROM flow_runs WHERE id = ?", runId))!.state_history);
    expect(history.at(-2)).toMatchObject({ type: "SCHEDULED", message: expect.stringMatching(/worker slow did not acknowledge the run in time/) });
    const reoffer = await quick.next("offer");
    expect(reoffer.flow_run.id).toBe(runId);
    expect(reoffer.lease_token).not.toBe(offer.lease_token);

    const late = { run_id: runId, lease_token: offer.lease_token };
    slow.send({ type: "ack", ...late });
    expect(await slow.next("error")).toMatchObject({ code: "lease_lost", run_id: runId });
    expect(await report(slow, late, "RUNNING")).toMatchObject({ type: "error", code: "lease_lost" });
    expect((await restReport(late, "RUNNING")).status).toBe(409);
    expect(await runOf(runId)).toMatchObject({ state_type: "PENDING" });
    expect(await sqlFirst("SELECT worker_id, lease_token FROM flow_runs WHERE id = ?", runId)).toEqual({ worker_id: quick.worker_id, lease_token: reoffer.lease_token });

    const lease = { run_id: runId, lease_token: reoffer.lease_token };
    quick.send({ type: "ack", ...lease });
    expect(await report(quick, lease, "RUNNING")).toMatchObject({ type: "state_result", result: { status: "ACCEPT" } });
    slow.close();
    quick.close();
  });

  it("stays with a worker that acknowledged it in time", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName);
    const runId = await createRun(dep.id);
    await takeRun(w, runId);
    // The ack clears the deadline: no alarm will take the run back.
    await eventually(async () => expect(await heldRun(dep.poolId, runId)).toMatchObject({ phase: "acked", deadline: null }));
    await fireAlarm(dep.poolId);
    expect(w.pending("revoke")).toEqual([]);
    expect((await runOf(runId)).state_type).toBe("PENDING");
    w.close();
  });
});
