import { describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol/worker-socket";
import {
  createRun,
  disconnected,
  eventually,
  fireAlarm,
  graceOver,
  greet,
  heldRun,
  knownWorker,
  poolSql,
  report,
  restReport,
  runOf,
  startRun,
  takeRun,
} from "../test/pool";
import { api } from "../test/http";
import { newDeployment, newFlow, sqlFirst, sqlRun } from "../test/runs";
import { connectWorker } from "../test/sockets";

const pool = async (fields: Record<string, unknown> = {}) => newDeployment(await newFlow(), fields);

describe("a worker whose socket closes", () => {
  it("keeps its runs during the grace; after it, a RUNNING run is CRASHED saying which worker and why", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "crashy" });
    const runId = await createRun(dep.id);
    await startRun(w, runId);
    await disconnected(dep.poolId, w);
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("RUNNING");

    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    const run = await runOf(runId);
    expect(run.state_type).toBe("CRASHED");
    expect(run.state.message).toMatch(/worker crashy disconnected and did not reconnect in time/);
    expect(await sqlFirst("SELECT worker_id, lease_token FROM flow_runs WHERE id = ?", runId)).toEqual({ worker_id: null, lease_token: null });
    expect(await heldRun(dep.poolId, runId)).toBeUndefined();
    expect(await knownWorker(dep.poolId, w.worker_id)).toBeUndefined();
  });

  it("sends a PENDING run (acked, never started) back to SCHEDULED and offers it to another worker", async () => {
    const dep = await pool();
    const a = await connectWorker(dep.poolName);
    const runId = await createRun(dep.id);
    await takeRun(a, runId);
    const b = await connectWorker(dep.poolName);
    await disconnected(dep.poolId, a);
    expect(b.pending("offer")).toEqual([]);

    await graceOver(dep.poolId, a.worker_id);
    await fireAlarm(dep.poolId);
    const offer = await b.next("offer");
    expect(offer.flow_run.id).toBe(runId);
    const history = await sqlFirst<{ state_history: string }>("SELECT state_history FROM flow_runs WHERE id = ?", runId);
    const names = JSON.parse(history!.state_history).map((s: { type: string }) => s.type);
    expect(names).toEqual(["SCHEDULED", "PENDING", "SCHEDULED", "PENDING"]);
    b.close();
  });

  it("applies the deployment's retries: the crash becomes AwaitingRetry and the run is offered again", async () => {
    const dep = await pool({ retries: 1 });
    const a = await connectWorker(dep.poolName);
    const runId = await createRun(dep.id);
    await startRun(a, runId);
    await disconnected(dep.poolId, a);
    await graceOver(dep.poolId, a.worker_id);
    await fireAlarm(dep.poolId);
    const run = await runOf(runId);
    expect([run.state_type, run.state_name]).toEqual(["SCHEDULED", "AwaitingRetry"]);
    const crash = await sqlFirst<{ state_history: string }>("SELECT state_history FROM flow_runs WHERE id = ?", runId);
    expect(crash!.state_history).toMatch(/disconnected and did not reconnect in time/);

    const b = await connectWorker(dep.poolName);
    const retry = await startRun(b, runId);
    expect((await runOf(runId)).state_name).toBe("Retrying");
    expect(await report(b, retry, "COMPLETED")).toMatchObject({ result: { status: "ACCEPT" } });
    b.close();
  });

  it("releases an AwaitingRetry run its worker would have retried in-process, so another worker runs it", async () => {
    const dep = await pool({ retries: 1 });
    const a = await connectWorker(dep.poolName);
    const runId = await createRun(dep.id);
    const lease = await startRun(a, runId);
    expect(await report(a, lease, "FAILED")).toMatchObject({ result: { status: "ACCEPT", state: { name: "AwaitingRetry" } } });
    expect(await sqlFirst("SELECT lease_token FROM flow_runs WHERE id = ?", runId)).toEqual({ lease_token: lease.lease_token });
    const b = await connectWorker(dep.poolName);
    await disconnected(dep.poolId, a);
    expect(b.pending("offer")).toEqual([]);

    await graceOver(dep.poolId, a.worker_id);
    await fireAlarm(dep.poolId);
    await startRun(b, runId);
    expect((await runOf(runId)).state_name).toBe("Retrying");
    expect((await restReport(lease, "COMPLETED")).status).toBe(409);
    b.close();
  });
});

describe("a worker that stops sending heartbeats", () => {
  it("is closed with 4001 and its runs are CRASHED", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "silent", heartbeat_interval_seconds: 5 });
    const runId = await createRun(dep.id);
    await startRun(w, runId);
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("RUNNING");

    // Both clocks: the object's, and D1's (a heartbeat over REST counts as a sign of life too).
    await poolSql(dep.poolId, "UPDATE workers SET last_beat = last_beat - 15001 WHERE worker_id = ?", w.worker_id);
    await sqlRun("UPDATE workers SET last_heartbeat_time = ? WHERE id = ?", new Date(Date.now() - 15_001).toISOString(), w.worker_id);
    await fireAlarm(dep.poolId);
    await eventually(() => expect(w.closed?.code).toBe(CLOSE_CODES.missedHeartbeats));
    const run = await runOf(runId);
    expect(run.state_type).toBe("CRASHED");
    expect(run.state.message).toMatch(/worker silent stopped sending heartbeats/);
  });

  it("is kept alive by a heartbeat over REST, even when its socket stays quiet", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "rest-beater", heartbeat_interval_seconds: 5 });
    const runId = await createRun(dep.id);
    await startRun(w, runId);
    await poolSql(dep.poolId, "UPDATE workers SET last_beat = last_beat - 15001 WHERE worker_id = ?", w.worker_id);
    await sqlRun("UPDATE workers SET last_heartbeat_time = ? WHERE id = ?", new Date(Date.now() - 15_001).toISOString(), w.worker_id);
    const beat = await api("POST", `/work_pools/${dep.poolName}/workers/heartbeat`, { name: "rest-beater", heartbeat_interval_seconds: 5 });
    expect(beat.status).toBe(204);
    await fireAlarm(dep.poolId);
    expect(w.closed).toBeNull();
    expect((await runOf(runId)).state_type).toBe("RUNNING");
    w.close();
  });
});

describe("a polling worker that stops polling", () => {
  it("has its runs CRASHED once its heartbeats are overdue", async () => {
    const dep = await pool();
    const polled = async () => (await api("POST", `/work_pools/${dep.poolName}/get_scheduled_flow_runs`, { worker_name: "poller", heartbeat_interval_seconds: 5 })).body;
    const runId = await createRun(dep.id);
    const [claim] = await polled();
    expect(claim.flow_run.id).toBe(runId);
    expect((await restReport({ run_id: runId, lease_token: claim.lease_token }, "RUNNING")).status).toBe(201);
    const poller = await sqlFirst<{ id: string }>("SELECT id FROM workers WHERE name = 'poller' AND work_pool_id = ?", dep.poolId);
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("RUNNING");

    await poolSql(dep.poolId, "UPDATE workers SET last_beat = last_beat - 15001 WHERE worker_id = ?", poller!.id);
    await sqlRun("UPDATE workers SET last_heartbeat_time = ? WHERE id = ?", new Date(Date.now() - 15_001).toISOString(), poller!.id);
    await fireAlarm(dep.poolId);
    const run = await runOf(runId);
    expect(run.state_type).toBe("CRASHED");
    expect(run.state.message).toMatch(/worker poller stopped polling and sending heartbeats/);
  });
});

describe("a worker that reconnects within the grace", () => {
  it("keeps the runs its hello lists and can still report them; a run it omits is lost", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "comeback", capacity: 2 });
    const [r1, r2] = [await createRun(dep.id), await createRun(dep.id)];
    const kept = await startRun(w, r1);
    const dropped = await startRun(w, r2);
    await disconnected(dep.poolId, w);

    const stranger = crypto.randomUUID();
    const { w: again, welcome } = await greet(dep.poolName, { name: "comeback", capacity: 2, runs: [kept, { run_id: stranger, lease_token: "x" }] });
    expect(welcome).toMatchObject({ runs_kept: [r1], runs_lost: [stranger] });
    expect(again.worker_id).toBe(w.worker_id);
    expect((await knownWorker(dep.poolId, w.worker_id))?.lost_at).toBeNull();
    const lost = await runOf(r2);
    expect(lost.state_type).toBe("CRASHED");
    expect(lost.state.message).toMatch(/worker comeback reconnected without the run/);
    expect((await restReport(dropped, "COMPLETED")).status).toBe(409);

    await fireAlarm(dep.poolId);
    expect((await runOf(r1)).state_type).toBe("RUNNING");
    expect(await report(again, kept, "COMPLETED")).toMatchObject({ type: "state_result", result: { status: "ACCEPT" } });
    expect((await runOf(r1)).state_type).toBe("COMPLETED");
    again.close();
  });

  it("keeps its runs when the new connection arrives before the old one closed, which is closed as replaced", async () => {
    const dep = await pool();
    const old = await connectWorker(dep.poolName, { name: "twin" });
    const runId = await createRun(dep.id);
    const lease = await startRun(old, runId);
    const { w: fresh, welcome } = await greet(dep.poolName, { name: "twin", runs: [lease] });
    expect(welcome.runs_kept).toEqual([runId]);
    await eventually(() => expect(old.closed?.code).toBe(CLOSE_CODES.replaced));
    await fireAlarm(dep.poolId);
    expect((await knownWorker(dep.poolId, fresh.worker_id))?.lost_at).toBeNull();
    expect(await report(fresh, lease, "COMPLETED")).toMatchObject({ result: { status: "ACCEPT" } });
    fresh.close();
  });
});

describe("a stale worker after its run was declared CRASHED", () => {
  it("has its RUNNING and COMPLETED reports refused with 409, and the run stays CRASHED", async () => {
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "stale" });
    const runId = await createRun(dep.id);
    const lease = await startRun(w, runId);
    await disconnected(dep.poolId, w);
    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    expect((await runOf(runId)).state_type).toBe("CRASHED");

    for (const type of ["RUNNING", "COMPLETED"]) {
      const res = await restReport(lease, type);
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/lease_token/);
    }
    const { w: late, welcome } = await greet(dep.poolName, { name: "stale", runs: [lease] });
    expect(welcome).toMatchObject({ runs_kept: [], runs_lost: [runId] });
    expect(await report(late, lease, "COMPLETED")).toMatchObject({ type: "error", code: "lease_lost" });
    expect((await runOf(runId)).state_type).toBe("CRASHED");
    late.close();
  });
});
