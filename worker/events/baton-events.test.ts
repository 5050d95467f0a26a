import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Event } from "../../protocol/events";
import type { StreamEvent } from "../stream/events";
import { api } from "../test/http";
import { createRun, disconnected, eventually, fireAlarm, graceOver, poolStub, restReport, startRun } from "../test/pool";
import { newDeployment, newFlow, newFlowRun, setFlowRunState, unique } from "../test/runs";
import { runScheduler } from "../scheduler/tick";
import { autoRuns, newSchedule } from "../test/schedules";
import { connectWorker } from "../test/sockets";
import { openStream } from "../test/stream";
import { deploymentEvent, flowRunStateEvent } from "./baton-events";
import { publishWithEvents } from "./from-stream";

/** Stored events of one resource (or related to it), newest first. */
async function storedFor(filter: Record<string, unknown>): Promise<Event[]> {
  const res = await api("POST", "/events/filter", { limit: 500, ...filter });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.events;
}
const ofResource = (id: string) => storedFor({ resource: { id: [id] } });
const names = (list: Event[]) => list.map((e) => e.event).reverse();

describe("Baton's own events", () => {
  it("stores a flow-run event per state change, related to its flow, deployment, pool and tags, whoever made the change", async () => {
    const flowId = await newFlow("evented");
    const dep = await newDeployment(flowId);
    const runId = await createRun(dep.id);
    const w = await connectWorker(dep.poolName);
    const lease = await startRun(w, runId);
    expect((await restReport(lease, "COMPLETED")).status).toBe(201);

    // SCHEDULED at creation (route), PENDING by the pool's claim, RUNNING over the socket, COMPLETED over REST.
    const events = await eventually(async () => {
      const list = await ofResource(`baton.flow-run.${runId}`);
      expect(names(list)).toEqual(["baton.flow-run.Scheduled", "baton.flow-run.Pending", "baton.flow-run.Running", "baton.flow-run.Completed"]);
      return list;
    });
    const run = (await api("GET", `/flow_runs/${runId}`)).body;
    const flow = (await api("GET", `/flows/${flowId}`)).body;
    const completed = events[0]!;
    expect(completed.resource).toEqual({
      "baton.resource.id": `baton.flow-run.${runId}`,
      "baton.resource.name": run.name,
      "baton.state-type": "COMPLETED",
      "baton.state-name": "Completed",
    });
    expect(completed.related).toEqual([
      { "baton.resource.id": `baton.flow.${flowId}`, "baton.resource.role": "flow", "baton.resource.name": flow.name },
      { "baton.resource.id": `baton.deployment.${dep.id}`, "baton.resource.role": "deployment", "baton.resource.name": expect.any(String) },
      { "baton.resource.id": `baton.work-pool.${dep.poolId}`, "baton.resource.role": "work-pool", "baton.resource.name": dep.poolName },
    ]);
    expect(completed.occurred).toBe(run.state.timestamp);
    expect(completed.payload).toEqual({ flow_run_id: runId, state: { type: "COMPLETED", name: "Completed", timestamp: run.state.timestamp } });
    // Every state of the deployment's runs, found through the related deployment.
    const byDeployment = await storedFor({ related: { id: [`baton.deployment.${dep.id}`] }, event: { prefix: ["baton.flow-run."] } });
    expect(byDeployment.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    w.close();
  });

  it("stores no event for the runs a scheduler tick creates ahead of time, but does for their later changes", async () => {
    const dep = await newDeployment(await newFlow());
    await newSchedule(dep.id, { interval: 300, anchor_date: "2031-01-01T00:00:00.000Z", timezone: "UTC" });
    const report = await runScheduler(env, new Date("2031-03-03T10:00:30Z"), { deploymentIds: [dep.id] });
    expect(report.runs_created).toBeGreaterThan(0);
    const [first] = await autoRuns(dep.id);
    // The tick awaits its publish: had it stored events, they would be there when it returns.
    expect(await storedFor({ related: { id: [`baton.deployment.${dep.id}`] } })).toEqual([]);
    expect((await setFlowRunState(first!.id, { type: "RUNNING" })).status).toBe(201);
    const events = await eventually(async () => {
      const list = await storedFor({ related: { id: [`baton.deployment.${dep.id}`] } });
      expect(list).toHaveLength(1);
      return list;
    });
    expect(events[0]).toMatchObject({ event: "baton.flow-run.Running", resource: { "baton.resource.id": `baton.flow-run.${first!.id}` } });
  });

  it("relates a run's tags, and names the event after a custom state name without spaces", async () => {
    const run = await newFlowRun({ tags: ["etl", "nightly"] });
    expect((await setFlowRunState(run.id, { type: "RUNNING" })).status).toBe(201);
    expect((await setFlowRunState(run.id, { type: "PAUSED", name: "Waiting for approval" })).status).toBe(201);
    const [paused] = await eventually(async () => {
      const list = await storedFor({ resource: { id: [`baton.flow-run.${run.id}`] }, event: { prefix: ["baton.flow-run.Waiting"] } });
      expect(list).toHaveLength(1);
      return list;
    });
    expect(paused!.event).toBe("baton.flow-run.Waiting-for-approval");
    expect(paused!.resource["baton.state-name"]).toBe("Waiting for approval");
    expect(paused!.related.filter((r) => r["baton.resource.role"] === "tag")).toEqual([
      { "baton.resource.id": "baton.tag.etl", "baton.resource.role": "tag", "baton.resource.name": "etl" },
      { "baton.resource.id": "baton.tag.nightly", "baton.resource.role": "tag", "baton.resource.name": "nightly" },
    ]);
  });

  it("streams flow-run and task-run events to the events topic; task-run events are not stored by default", async () => {
    const s = await openStream();
    await s.subscribe(["events"]);
    const run = await newFlowRun();
    await setFlowRunState(run.id, { type: "RUNNING" });
    const running = await s.next("event", (m) => m.event.event === "baton.flow-run.Running" && m.event.resource["baton.resource.id"] === `baton.flow-run.${run.id}`);
    expect(running.event.resource["baton.state-type"]).toBe("RUNNING");

    const taskId = crypto.randomUUID();
    const created = await api("POST", "/task_runs/", { id: taskId, flow_run_id: run.id, name: "extract-0", task_key: "extract", dynamic_key: "0", state: { type: "RUNNING" } });
    expect(created.status).toBe(201);
    const task = await s.next("event", (m) => m.event.resource["baton.resource.id"] === `baton.task-run.${taskId}`);
    expect(task.event).toMatchObject({
      event: "baton.task-run.Running",
      resource: { "baton.resource.name": "extract-0", "baton.state-type": "RUNNING", "baton.state-name": "Running" },
      related: [expect.objectContaining({ "baton.resource.id": `baton.flow-run.${run.id}`, "baton.resource.role": "flow-run", "baton.resource.name": run.name }), expect.objectContaining({ "baton.resource.role": "flow" })],
    });
    // The flow run's events (Pending at creation, Running) are stored; the task run's never is.
    await eventually(async () => expect(names(await ofResource(`baton.flow-run.${run.id}`))).toEqual(["baton.flow-run.Pending", "baton.flow-run.Running"]));
    expect(await ofResource(`baton.task-run.${taskId}`)).toEqual([]);
    s.close();
  });

  it("stores task-run events too when BATON_EVENTS_STORE_TASK_RUNS is true", async () => {
    const run = await newFlowRun();
    const taskId = crypto.randomUUID();
    const message: StreamEvent = {
      topics: [`flow_run:${run.id}`],
      message: { type: "task_runs", flow_run_id: run.id, task_runs: [{ id: taskId, state_type: "COMPLETED", state_name: "Cached", timestamp: "2030-08-01T00:00:00.000Z" }] },
    };
    await publishWithEvents(env, [message]);
    expect(await ofResource(`baton.task-run.${taskId}`)).toEqual([]);
    await publishWithEvents({ ...env, BATON_EVENTS_STORE_TASK_RUNS: "true" }, [message]);
    expect(names(await ofResource(`baton.task-run.${taskId}`))).toEqual(["baton.task-run.Cached"]);
  });

  it("stores baton.worker.online and baton.worker.offline, related to the worker's pool", async () => {
    const dep = await newDeployment(await newFlow());
    const name = unique("evented-worker");
    const w = await connectWorker(dep.poolName, { name });
    await disconnected(dep.poolId, w);
    await eventually(async () => expect(await runInDurableObject(poolStub(dep.poolId), (_, st) => st.storage.getAlarm())).not.toBeNull());
    await graceOver(dep.poolId, w.worker_id);
    await fireAlarm(dep.poolId);
    const events = await eventually(async () => {
      const list = await ofResource(`baton.worker.${w.worker_id}`);
      expect(names(list)).toEqual(["baton.worker.online", "baton.worker.offline"]);
      return list;
    });
    expect(events[0]!.resource).toEqual({ "baton.resource.id": `baton.worker.${w.worker_id}`, "baton.resource.name": name });
    expect(events[0]!.related).toEqual([{ "baton.resource.id": `baton.work-pool.${dep.poolId}`, "baton.resource.role": "work-pool", "baton.resource.name": dep.poolName }]);
  });

  it("stores work-pool events for create, update, pause, resume and delete", async () => {
    const name = unique("evented-pool");
    const created = await api("POST", "/work_pools/", { name });
    expect(created.status).toBe(201);
    const pool = `baton.work-pool.${created.body.id}`;
    expect((await api("PATCH", `/work_pools/${name}`, { description: "d", is_paused: true })).status).toBe(204);
    // Each request emits in the background: wait for one before the next, so the order is the requests'.
    await eventually(async () => expect(await ofResource(pool)).toHaveLength(3));
    expect((await api("POST", `/work_pools/${name}/resume`)).status).toBe(204);
    await eventually(async () => expect(await ofResource(pool)).toHaveLength(4));
    expect((await api("DELETE", `/work_pools/${name}`)).status).toBe(204);
    const events = await eventually(async () => {
      const list = await ofResource(pool);
      expect(list).toHaveLength(5);
      return list;
    });
    expect(new Set(names(events).slice(1, 3))).toEqual(new Set(["baton.work-pool.updated", "baton.work-pool.paused"]));
    expect([names(events)[0], ...names(events).slice(3)]).toEqual(["baton.work-pool.created", "baton.work-pool.resumed", "baton.work-pool.deleted"]);
    expect(events.find((e) => e.event === "baton.work-pool.updated")!.payload).toEqual({ work_pool_id: created.body.id, updated: ["description", "is_paused"] });
    expect(events.every((e) => e.resource["baton.resource.name"] === name)).toBe(true);
  });
});

describe("event builders", () => {
  it("deploymentEvent names the deployment and relates its flow, pool (when its id is known) and tags", () => {
    const d = { id: "d1", name: "nightly", flow_id: "f1", flow_name: "etl", tags: ["a"], work_pool_name: "pool", work_pool_id: "p1" };
    expect(deploymentEvent("paused", d, { by: "api" })).toEqual({
      event: "baton.deployment.paused",
      resource: { "baton.resource.id": "baton.deployment.d1", "baton.resource.name": "nightly" },
      related: [
        { "baton.resource.id": "baton.flow.f1", "baton.resource.role": "flow", "baton.resource.name": "etl" },
        { "baton.resource.id": "baton.work-pool.p1", "baton.resource.role": "work-pool", "baton.resource.name": "pool" },
        { "baton.resource.id": "baton.tag.a", "baton.resource.role": "tag", "baton.resource.name": "a" },
      ],
      payload: { deployment_id: "d1", by: "api" },
    });
    expect(deploymentEvent("deleted", { ...d, work_pool_id: null, tags: [] }).related).toHaveLength(1);
  });

  it("a flow run that is gone still gets its event, with what the message said", () => {
    const e = flowRunStateEvent({ id: "r1", state_type: "CRASHED", state_name: "Crashed", timestamp: "2030-01-01T00:00:00.000Z" }, undefined);
    expect(e).toEqual({
      event: "baton.flow-run.Crashed",
      occurred: "2030-01-01T00:00:00.000Z",
      resource: { "baton.resource.id": "baton.flow-run.r1", "baton.state-type": "CRASHED", "baton.state-name": "Crashed" },
      related: [],
      payload: { flow_run_id: "r1", state: { type: "CRASHED", name: "Crashed", timestamp: "2030-01-01T00:00:00.000Z" } },
    });
  });
});
