import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newDeployment, newFlow, sqlFirst, sqlRun } from "../test/runs";
import { connectWorker } from "../test/sockets";
import type { WorkPool } from "./work-pool";

describe("push dispatch over the worker socket", () => {
  it("offers a deployment's new run to a connected worker, which acks and reports it to Completed", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId, { entrypoint: "flows/hello.ts:helloFlow", path: "/src" });
    const w = await connectWorker(dep.poolName);
    const created = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { name: "Ada" } });
    expect(created.status).toBe(201);
    const offer = await w.next("offer");
    expect(offer.flow_run.id).toBe(created.body.id);
    expect(offer.flow_run.state_type).toBe("PENDING");
    expect(offer.deployment).toMatchObject({ id: dep.id, entrypoint: "flows/hello.ts:helloFlow", path: "/src" });
    expect(offer.flow_run.parameters).toEqual({ name: "Ada" });
    const row = await sqlFirst<{ worker_id: string; lease_token: string }>("SELECT worker_id, lease_token FROM flow_runs WHERE id = ?", offer.flow_run.id);
    expect(row).toEqual({ worker_id: w.worker_id, lease_token: offer.lease_token });

    w.send({ type: "ack", run_id: offer.flow_run.id, lease_token: offer.lease_token });
    w.send({ type: "state", request_id: "r1", run_id: offer.flow_run.id, lease_token: offer.lease_token, state: { type: "RUNNING" } });
    const running = await w.next("state_result");
    expect(running).toMatchObject({ request_id: "r1", result: { status: "ACCEPT", state: { type: "RUNNING" } } });
    w.send({ type: "state", request_id: "r2", run_id: offer.flow_run.id, lease_token: offer.lease_token, state: { type: "COMPLETED" } });
    expect((await w.next("state_result")).result.status).toBe("ACCEPT");
    const after = await api("GET", `/flow_runs/${offer.flow_run.id}`);
    expect(after.body.state_type).toBe("COMPLETED");
    w.close();
  });
});

const poolStub = (poolId: string) => env.WORK_POOL.get(env.WORK_POOL.idFromName(poolId));
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const complete = (runId: string, lease: string) => api("POST", `/flow_runs/${runId}/set_state`, { state: { type: "COMPLETED", state_details: { lease_token: lease } } });

describe("when runs are handed out", () => {
  it("a run whose time has not come is dispatched by the object's alarm, set to its time", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName);
    const at = inSeconds(3600);
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, { scheduled_time: at })).body;
    const stub = poolStub(dep.poolId);
    // The alarm is set for the earliest thing due: here the worker's heartbeat deadline, then the run.
    await expect.poll(() => runInDurableObject(stub, (instance: WorkPool) => instance.store.getMeta("next_due"))).toBe(String(Date.parse(at)));
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Date.parse(at));
    expect(w.pending("offer")).toEqual([]);
    // The clock cannot be moved inside workerd: the run's time is moved instead, then the alarm fires.
    await sqlRun("UPDATE flow_runs SET expected_start_time = ? WHERE id = ?", new Date(Date.now() - 1).toISOString(), run.id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await w.next("offer")).flow_run.id).toBe(run.id);
    w.close();
  });

  it("a run due in a second is offered at its time, not before", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName);
    const at = inSeconds(1);
    await api("POST", `/deployments/${dep.id}/create_flow_run`, { scheduled_time: at });
    await w.next("offer", 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(at));
    w.close();
  });

  it("a paused pool hands out nothing until it is resumed", async () => {
    const dep = await newDeployment(await newFlow());
    expect((await api("POST", `/work_pools/${dep.poolName}/pause`)).status).toBe(204);
    const w = await connectWorker(dep.poolName);
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    await runInDurableObject(poolStub(dep.poolId), (instance: WorkPool) => instance.poke(dep.poolId));
    expect(w.pending("offer")).toEqual([]);
    expect((await api("POST", `/work_pools/${dep.poolName}/resume`)).status).toBe(204);
    expect((await w.next("offer")).flow_run.id).toBe(run.id);
    w.close();
  });

  it("the pool's concurrency limit holds runs back until a slot frees", async () => {
    const dep = await newDeployment(await newFlow());
    await api("PATCH", `/work_pools/${dep.poolName}`, { concurrency_limit: 1 });
    const w = await connectWorker(dep.poolName, { capacity: 5 });
    const first = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const second = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const offer = await w.next("offer");
    expect(offer.flow_run.id).toBe(first.id);
    await runInDurableObject(poolStub(dep.poolId), (instance: WorkPool) => instance.poke(dep.poolId));
    expect(w.pending("offer")).toEqual([]);
    expect((await complete(first.id, offer.lease_token)).body.status).toBe("ACCEPT");
    expect((await w.next("offer")).flow_run.id).toBe(second.id);
    w.close();
  });

  it("deployment limit with ENQUEUE: the next run waits as AwaitingConcurrencySlot and starts when the first ends", async () => {
    const dep = await newDeployment(await newFlow(), { concurrency_limit: 1 });
    const w = await connectWorker(dep.poolName, { capacity: 5 });
    const first = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const offer = await w.next("offer");
    const second = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    await expect.poll(async () => (await api("GET", `/flow_runs/${second.id}`)).body.state_name).toBe("AwaitingConcurrencySlot");
    expect(w.pending("offer")).toEqual([]);
    await complete(first.id, offer.lease_token);
    expect((await w.next("offer")).flow_run.id).toBe(second.id);
    w.close();
  });

  it("deployment limit with CANCEL_NEW: the next run is cancelled with the reason", async () => {
    const dep = await newDeployment(await newFlow(), { concurrency_limit: 1, collision_strategy: "CANCEL_NEW" });
    const w = await connectWorker(dep.poolName, { capacity: 5 });
    await api("POST", `/deployments/${dep.id}/create_flow_run`, {});
    await w.next("offer");
    const second = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    await expect.poll(async () => (await api("GET", `/flow_runs/${second.id}`)).body.state_type).toBe("CANCELLED");
    const run = (await api("GET", `/flow_runs/${second.id}`)).body;
    expect(run.state.message).toMatch(/concurrency limit of 1 reached.*CANCEL_NEW/);
    w.close();
  });

  it("a long-poll waits for a run to be created and claims it", async () => {
    const dep = await newDeployment(await newFlow());
    const poll = api("POST", `/work_pools/${dep.poolName}/get_scheduled_flow_runs`, { worker_name: "slow-proxy", wait_seconds: 10 });
    await new Promise((r) => setTimeout(r, 200));
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const res = await poll;
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({ work_pool_id: dep.poolId, flow_run: { id: run.id, state_type: "PENDING" } });
    const row = await sqlFirst<{ lease_token: string }>("SELECT lease_token FROM flow_runs WHERE id = ?", run.id);
    expect(res.body[0].lease_token).toBe(row!.lease_token);
    expect((await api("POST", `/work_pools/${dep.poolName}/get_scheduled_flow_runs`, {})).body).toEqual([]);
  });

  it("a run rescheduled by hand loses its worker's claim and is handed out again", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName);
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const offer = await w.next("offer");
    w.send({ type: "ack", run_id: run.id, lease_token: offer.lease_token });
    await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "CRASHED" } });
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "SCHEDULED" }, force: true })).body.status).toBe("ACCEPT");
    const again = await w.next("offer");
    expect(again.flow_run.id).toBe(run.id);
    expect(again.lease_token).not.toBe(offer.lease_token);
    w.close();
  });

  it("a finished run forced back to SCHEDULED, even named AwaitingRetry, is handed out again", async () => {
    const dep = await newDeployment(await newFlow());
    const w = await connectWorker(dep.poolName);
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const offer = await w.next("offer");
    await complete(run.id, offer.lease_token);
    const retried = await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "SCHEDULED", name: "AwaitingRetry" }, force: true });
    expect(retried.body.status).toBe("ACCEPT");
    expect((await w.next("offer")).flow_run.id).toBe(run.id);
    w.close();
  });

  it("an AwaitingRetry run stays with the worker that retries it in-process", async () => {
    const dep = await newDeployment(await newFlow(), { retries: 1, retry_delay_seconds: 0 });
    const w = await connectWorker(dep.poolName);
    const other = await connectWorker(dep.poolName);
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const holder = await Promise.race([w.next("offer").then((o) => ({ o, ws: w })), other.next("offer").then((o) => ({ o, ws: other }))]);
    const lease = { lease_token: holder.o.lease_token };
    await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING", state_details: lease } });
    const failed = await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "FAILED", state_details: lease } });
    expect(failed.body.state.name).toBe("AwaitingRetry");
    await runInDurableObject(poolStub(dep.poolId), (instance: WorkPool) => instance.poke(dep.poolId));
    expect([...w.pending("offer"), ...other.pending("offer")]).toEqual([]);
    const retrying = await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING", state_details: lease } });
    expect(retrying.body.state.name).toBe("Retrying");
    w.close();
    other.close();
  });
});

describe("catch-up when dispatching", () => {
  it("of several missed slots of one schedule only the latest runs; the others are recorded as Skipped", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const scheduleId = crypto.randomUUID();
    const slots = [-300, -200, -100].map((s) => inSeconds(s));
    const ids: string[] = [];
    for (const slot of slots) {
      const res = await api("POST", "/flow_runs/", {
        flow_id: flowId,
        deployment_id: dep.id,
        idempotency_key: `scheduled:${dep.id}:${scheduleId}:${slot}`,
        state: { type: "SCHEDULED", state_details: { scheduled_time: slot } },
      });
      ids.push(res.body.id);
    }
    await sqlRun(`UPDATE flow_runs SET auto_scheduled = 1 WHERE id IN (?, ?, ?)`, ...ids);
    const w = await connectWorker(dep.poolName, { capacity: 5 });
    expect((await w.next("offer")).flow_run.id).toBe(ids[2]);
    for (const id of ids.slice(0, 2)) {
      await expect.poll(async () => (await api("GET", `/flow_runs/${id}`)).body.state_type).toBe("CANCELLED");
      const run = (await api("GET", `/flow_runs/${id}`)).body;
      expect(run).toMatchObject({ state_type: "CANCELLED", state_name: "Skipped" });
      expect(run.state.message).toMatch(/catch-up: latest/);
    }
    await runInDurableObject(poolStub(dep.poolId), (instance: WorkPool) => instance.poke(dep.poolId));
    expect(w.pending("offer")).toEqual([]);
    w.close();
  });
});
