import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { createRun, disconnected, eventually, fireAlarm, graceOver, poolStub, restReport, startRun } from "../test/pool";
import { newDeployment, newFlow, newFlowRun, setFlowRunState } from "../test/runs";
import { connectWorker } from "../test/sockets";
import { autoRuns, newSchedule } from "../test/schedules";
import { isRun, openStream } from "../test/stream";
import { runScheduler } from "../scheduler/tick";

const pool = async () => newDeployment(await newFlow());

describe("the live event stream", () => {
  it("answers a plain GET with 426: it is a WebSocket", async () => {
    const res = await api("GET", "/events/stream");
    expect(res.status).toBe(426);
    expect(res.body.detail).toMatch(/WebSocket/);
  });

  it("tells flow_runs subscribers of created runs (the whole run) and of every state change: REST, claims, worker reports", async () => {
    const s = await openStream();
    await s.subscribe(["flow_runs"]);
    const dep = await pool();
    const runId = await createRun(dep.id);
    const created = await s.next("flow_run", isRun(runId));
    expect(created.flow_run).toMatchObject({ created: true, state_type: "SCHEDULED", state_name: "Scheduled" });
    expect(created.flow_run_full).toMatchObject({ id: runId, deployment_id: dep.id });

    const w = await connectWorker(dep.poolName);
    const claimed = await s.next("flow_run", isRun(runId));
    expect(claimed.flow_run).toMatchObject({ state_type: "PENDING", timestamp: expect.any(String) });
    expect(claimed.flow_run.created).toBeUndefined();
    const lease = await startRun(w, runId);
    expect((await s.next("flow_run", isRun(runId))).flow_run.state_type).toBe("RUNNING");
    expect((await restReport(lease, "COMPLETED")).status).toBe(201);
    expect((await s.next("flow_run", isRun(runId))).flow_run).toMatchObject({ state_type: "COMPLETED", state_name: "Completed" });

    const plain = await newFlowRun();
    expect((await s.next("flow_run", isRun(plain.id))).flow_run_full).toMatchObject({ id: plain.id });
    await setFlowRunState(plain.id, { type: "RUNNING" });
    expect((await s.next("flow_run", isRun(plain.id))).flow_run.state_type).toBe("RUNNING");
    w.close();
    s.close();
  });

  it("tells flow_run:<id> subscribers of task runs (batched per flow run) and of stored log counts", async () => {
    const run = await newFlowRun();
    const other = await newFlowRun();
    const s = await openStream();
    await s.subscribe([`flow_run:${run.id}`]);
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    const create = ids.map((id, i) => ({ id, flow_run_id: run.id, name: `t${i}`, task_key: "t", dynamic_key: String(i), state: { type: "PENDING" } }));
    const bulk = await api("POST", "/task_runs/bulk", { create, set_state: [{ task_run_id: ids[0], state: { type: "RUNNING" } }] });
    expect(bulk.status).toBe(200);
    const batch = await s.next("task_runs", (m) => m.flow_run_id === run.id);
    expect(batch.task_runs.map((t) => [t.id, t.created ?? false, t.state_type])).toEqual([
      [ids[0], true, "PENDING"],
      [ids[1], true, "PENDING"],
      [ids[0], false, "RUNNING"],
    ]);
    // A state set later, in a request that does not name the flow run.
    expect((await api("POST", `/task_runs/${ids[1]}/set_state`, { state: { type: "COMPLETED" } })).status).toBe(201);
    expect((await s.next("task_runs", (m) => m.flow_run_id === run.id)).task_runs).toEqual([expect.objectContaining({ id: ids[1], state_type: "COMPLETED" })]);

    const line = (flow_run_id: string, at: string) => ({ flow_run_id, level: 20, message: "hi", timestamp: at });
    const logs = await api("POST", "/logs/", [line(run.id, "2026-01-01T00:00:01.000Z"), line(other.id, "2026-01-01T00:00:05.000Z"), line(run.id, "2026-01-01T00:00:03.000Z")]);
    expect(logs.status).toBe(201);
    expect(await s.next("logs", (m) => m.flow_run_id === run.id)).toEqual({ type: "logs", flow_run_id: run.id, count: 2, latest: "2026-01-01T00:00:03.000Z" });
    // The run's own state goes to its topic too; the other run's logs and changes do not.
    await setFlowRunState(run.id, { type: "RUNNING" });
    await s.next("flow_run", isRun(run.id));
    expect(s.received.filter((m) => JSON.stringify(m).includes(other.id))).toEqual([]);
    s.close();
  });

  it("tells workers subscribers of a worker coming online and going offline", async () => {
    const s = await openStream();
    await s.subscribe(["workers"]);
    const dep = await pool();
    const w = await connectWorker(dep.poolName, { name: "streamed" });
    const online = await s.next("worker", (m) => m.worker_id === w.worker_id);
    expect(online).toEqual({ type: "worker", work_pool_id: dep.poolId, worker_id: w.worker_id, name: "streamed", status: "ONLINE" });
    await disconnected(dep.poolId, w);
    // The pool sets its alarm (the end of the reconnect grace) just after noticing the socket closed.
    await eventually(async () => expect(await runInDurableObject(poolStub(dep.poolId), (_, st) => st.storage.getAlarm())).not.toBeNull());
    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    expect((await s.next("worker", (m) => m.worker_id === w.worker_id)).status).toBe("OFFLINE");
    s.close();
  });

  it("tells flow_runs subscribers of the runs a scheduler tick creates", async () => {
    const s = await openStream();
    await s.subscribe(["flow_runs"]);
    const dep = await pool();
    await newSchedule(dep.id, { interval: 300, anchor_date: "2031-01-01T00:00:00.000Z", timezone: "UTC" });
    // A clock years away from the real one, as the scheduler's own tests use.
    const report = await runScheduler(env, new Date("2031-03-03T10:00:30Z"), { deploymentIds: [dep.id] });
    expect(report.runs_created).toBeGreaterThan(0);
    const [first] = await autoRuns(dep.id);
    expect((await s.next("flow_run", isRun(first!.id))).flow_run).toMatchObject({ created: true, state_type: "SCHEDULED" });
    s.close();
  });

  it("keeps subscriptions when the hub is evicted (they live in the sockets' attachments)", async () => {
    const s = await openStream();
    await s.subscribe(["flow_runs"]);
    await evictDurableObject(env.EVENT_HUB.get(env.EVENT_HUB.idFromName("events")));
    const run = await newFlowRun();
    expect((await s.next("flow_run", isRun(run.id))).flow_run.created).toBe(true);
    expect(s.closed).toBeNull();
    s.close();
  });

  it("answers malformed messages with an error and keeps the socket and its subscription", async () => {
    const s = await openStream();
    await s.subscribe(["flow_runs"]);
    const bad: (string | ArrayBuffer)[] = [
      "not json",
      new Uint8Array([1, 2]).buffer,
      JSON.stringify({ type: "subscribe", topics: ["everything"] }),
      JSON.stringify({ type: "subscribe", topics: Array.from({ length: 51 }, () => "flow_runs") }),
      JSON.stringify({ type: "subscribe", topics: ["x".repeat(20_000)] }),
      JSON.stringify([1]),
    ];
    for (const m of bad) {
      s.ws.send(m);
      expect((await s.next("error")).message).toMatch(/JSON|binary|topics|longer|type/);
    }
    s.send({ type: "ping" });
    const run = await newFlowRun();
    expect((await s.next("flow_run", isRun(run.id))).flow_run.created).toBe(true);
    expect(s.closed).toBeNull();
    s.close();
  });

  it("sends nothing before a subscription, and a new subscribe replaces the old one", async () => {
    const s = await openStream();
    const quiet = await openStream();
    await s.subscribe(["workers"]);
    await s.subscribe(["flow_runs"]);
    const run = await newFlowRun();
    await s.next("flow_run", isRun(run.id));
    const dep = await pool();
    const w = await connectWorker(dep.poolName);
    await newFlowRun();
    await quiet.subscribe(["workers"]);
    expect(s.received.filter((m) => m.type === "worker" && m.worker_id === w.worker_id)).toEqual([]);
    expect(quiet.received.filter((m) => m.type === "flow_run" && m.flow_run.id === run.id)).toEqual([]);
    w.close();
    s.close();
    quiet.close();
  });
});
