import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createDb } from "../db/client";
import { updateDeployment } from "../db/deployments";
import { releaseClaim, setRunStateAsPool } from "../db/flow-run-state";
import { api } from "../test/http";
import { createRun, fireAlarm, poolSql } from "../test/pool";
import { newDeployment, newFlow, sqlFirst, sqlRun, unique } from "../test/runs";
import { connectWorker } from "../test/sockets";
import { autoRuns, bookkeeping, newSchedule, slotsOf } from "../test/schedules";
import { runScheduler } from "./tick";

/*
 * A deployment that moves to another work pool (a served flow stopped, then deployed to a real pool)
 * takes its runs that have not started along: the scheduler's are made again for the new pool, the
 * overdue ones under the schedule's catch-up setting; the others move. Changes go through worker/db on
 * fixed clocks years ahead, as in tick-changes.test.ts; the last test goes through the routes.
 */
const db = createDb(env.DB);
const T = Date.parse("2033-07-07T10:00:30Z");
const at = (minutes: number) => new Date(T + minutes * 60_000);
const every = (seconds: number) => ({ interval: seconds, anchor_date: "2033-01-01T00:00:00.000Z", timezone: "UTC" });

async function newPool(): Promise<{ id: string; name: string }> {
  const id = crypto.randomUUID();
  const name = unique("pool");
  const now = new Date().toISOString();
  await sqlRun("INSERT INTO work_pools (id, created, updated, name) VALUES (?, ?, ?, ?)", id, now, now, name);
  return { id, name };
}

/** A run inserted as a user, a trigger or a worker would have left it, in `poolId`. */
async function handRun(dep: { id: string }, flowId: string, poolId: string, start: Date, state: [string, string] = ["SCHEDULED", "Scheduled"], lease: string | null = null) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await sqlRun(
    `INSERT INTO flow_runs (id, created, updated, name, flow_id, deployment_id, work_pool_id, state_type, state_name, expected_start_time, lease_token)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id, now, now, unique("run"), flowId, dep.id, poolId, state[0], state[1], start.toISOString(), lease,
  );
  return id;
}

const poolOf = async (runId: string) => (await sqlFirst<{ work_pool_id: string | null }>("SELECT work_pool_id FROM flow_runs WHERE id = ?", runId))?.work_pool_id;
const scheduledIn = async (deploymentId: string, poolId: string) =>
  (await env.DB.prepare("SELECT id FROM flow_runs WHERE deployment_id = ? AND work_pool_id = ? AND state_type = 'SCHEDULED'").bind(deploymentId, poolId).all()).results.length;

/**
 * A deployment with a 5-minute schedule filled 2 hours ahead at 10:00, whose workers then stopped:
 * at 10:32 its runs of 10:05 to 10:30 are overdue (Late), still in the old pool.
 */
async function stoppedAt1032(catchup: "latest" | "none" | "all" = "latest") {
  const flowId = await newFlow();
  const dep = await newDeployment(flowId);
  const scheduleId = await newSchedule(dep.id, every(300), { catchup });
  const tick = (now: Date) => runScheduler(env, now, { deploymentIds: [dep.id] });
  await tick(at(0));
  await tick(at(3));
  expect(slotsOf(await autoRuns(dep.id)).slice(0, 2)).toEqual(["2033-07-07T10:05:00.000Z", "2033-07-07T10:10:00.000Z"]);
  return { flowId, dep, scheduleId, tick, to: await newPool() };
}

describe("moving a deployment to another work pool", () => {
  it("deletes every untouched run of the scheduler, Late ones too, and resets the bookkeeping to the first overdue slot, in one change", async () => {
    const { dep, scheduleId, to } = await stoppedAt1032();
    await updateDeployment(db, dep.id, { work_pool_id: to.id }, at(32));
    expect(await autoRuns(dep.id)).toEqual([]);
    expect(await bookkeeping(scheduleId)).toEqual({ scheduled_until: "2033-07-07T10:04:59.999Z", refill_at: "", fill_generation: 1 });
    expect(await scheduledIn(dep.id, dep.poolId)).toBe(0);
  });

  it("the next tick catches the overdue slots up by the schedule's setting (latest: once) and fills ahead, all in the new pool", async () => {
    const { dep, tick, to } = await stoppedAt1032("latest");
    await updateDeployment(db, dep.id, { work_pool_id: to.id }, at(32));
    await tick(at(32));
    const runs = await autoRuns(dep.id);
    expect(runs[0]).toMatchObject({
      expected_start_time: "2033-07-07T10:30:00.000Z",
      state_type: "SCHEDULED",
      state_message:
        'Missed with no run queued (scheduler stopped, or deployment moved to another pool); runs now, once: 5 slots from 2033-07-07T10:05:00.000Z to 2033-07-07T10:25:00.000Z were skipped (catch-up "latest")',
    });
    expect(slotsOf(runs.slice(1, 3))).toEqual(["2033-07-07T10:35:00.000Z", "2033-07-07T10:40:00.000Z"]);
    expect(await scheduledIn(dep.id, to.id)).toBe(runs.length);
    expect(await scheduledIn(dep.id, dep.poolId)).toBe(0);
  });

  it("catch-up none records the overdue slots as skipped and runs none of them", async () => {
    const { dep, tick, to } = await stoppedAt1032("none");
    await updateDeployment(db, dep.id, { work_pool_id: to.id }, at(32));
    await tick(at(32));
    const [skipped, next] = await autoRuns(dep.id);
    expect(skipped).toMatchObject({
      expected_start_time: "2033-07-07T10:30:00.000Z",
      state_type: "CANCELLED",
      state_name: "Skipped",
      state_message: 'Not run: 6 slots from 2033-07-07T10:05:00.000Z to 2033-07-07T10:30:00.000Z were missed with no run queued (scheduler stopped, or deployment moved to another pool) (catch-up "none")',
    });
    expect(next).toMatchObject({ expected_start_time: "2033-07-07T10:35:00.000Z", state_type: "SCHEDULED" });
  });

  it("catch-up all runs every overdue slot again, in the new pool", async () => {
    const { dep, tick, to } = await stoppedAt1032("all");
    await updateDeployment(db, dep.id, { work_pool_id: to.id }, at(32));
    await tick(at(32));
    const runs = await autoRuns(dep.id);
    expect(slotsOf(runs.slice(0, 7))).toEqual(["05", "10", "15", "20", "25", "30", "35"].map((m) => `2033-07-07T10:${m}:00.000Z`));
    expect(await scheduledIn(dep.id, dep.poolId)).toBe(0);
  });

  it("moves the other runs nobody holds to the new pool; runs a worker has stay", async () => {
    const { flowId, dep, to } = await stoppedAt1032();
    const byHand = await handRun(dep, flowId, dep.poolId, at(20));
    const laterByHand = await handRun(dep, flowId, dep.poolId, at(90));
    const retrying = await handRun(dep, flowId, dep.poolId, at(25), ["SCHEDULED", "AwaitingRetry"]);
    const retriedInProcess = await handRun(dep, flowId, dep.poolId, at(25), ["SCHEDULED", "AwaitingRetry"], "lease-1");
    const pending = await handRun(dep, flowId, dep.poolId, at(10), ["PENDING", "Pending"], "lease-2");
    const running = await handRun(dep, flowId, dep.poolId, at(5), ["RUNNING", "Running"], "lease-3");
    await updateDeployment(db, dep.id, { work_pool_id: to.id }, at(32));
    for (const id of [byHand, laterByHand, retrying]) expect(await poolOf(id)).toBe(to.id);
    for (const id of [retriedInProcess, pending, running]) expect(await poolOf(id)).toBe(dep.poolId);
  });

  it("leaves a pool, to none: the runs follow it there too", async () => {
    const { flowId, dep, scheduleId } = await stoppedAt1032();
    const byHand = await handRun(dep, flowId, dep.poolId, at(20));
    await updateDeployment(db, dep.id, { work_pool_id: null }, at(32));
    expect(await autoRuns(dep.id)).toEqual([]);
    expect(await poolOf(byHand)).toBeNull();
    expect((await bookkeeping(scheduleId))!.scheduled_until).toBe("2033-07-07T10:04:59.999Z");
  });

  it("changes nothing of the kind when the pool stays: other changes keep Late runs where they are", async () => {
    const { dep, scheduleId } = await stoppedAt1032();
    await updateDeployment(db, dep.id, { work_pool_id: dep.poolId, parameters: { x: 1 } }, at(32));
    expect(slotsOf(await autoRuns(dep.id))).toEqual(["05", "10", "15", "20", "25", "30"].map((m) => `2033-07-07T10:${m}:00.000Z`));
    expect(await bookkeeping(scheduleId)).toEqual({ scheduled_until: null, refill_at: "", fill_generation: 1 });
  });
});

describe("runs a worker of the old pool held when the deployment moved", () => {
  const givenBack = { state: { type: "SCHEDULED" as const, message: "given back", state_details: {} }, force: false };

  it("a Pending run the pool gives back (no ack, worker lost) goes to the deployment's new pool", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const to = await newPool();
    const pending = await handRun(dep, flowId, dep.poolId, new Date(), ["PENDING", "Pending"], "lease-p");
    await updateDeployment(db, dep.id, { work_pool_id: to.id });
    expect(await poolOf(pending)).toBe(dep.poolId);
    // What reaper.ts loseRun does with a Pending run.
    const out = await setRunStateAsPool(db, pending, "lease-p", () => givenBack, true);
    expect(typeof out === "object" && out.result.status).toBe("ACCEPT");
    expect(await sqlFirst("SELECT work_pool_id, state_type, lease_token FROM flow_runs WHERE id = ?", pending)).toEqual({
      work_pool_id: to.id,
      state_type: "SCHEDULED",
      lease_token: null,
    });
  });

  it("an AwaitingRetry whose worker is gone is released into the new pool; a run of no deployment keeps its pool", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const to = await newPool();
    const retry = await handRun(dep, flowId, dep.poolId, new Date(), ["SCHEDULED", "AwaitingRetry"], "lease-r");
    const orphan = await handRun(dep, flowId, dep.poolId, new Date(), ["SCHEDULED", "AwaitingRetry"], "lease-o");
    await sqlRun("UPDATE flow_runs SET deployment_id = NULL WHERE id = ?", orphan);
    await updateDeployment(db, dep.id, { work_pool_id: to.id });
    expect(await releaseClaim(db, retry, "lease-r")).toEqual({ work_pool_id: to.id });
    expect(await releaseClaim(db, orphan, "lease-o")).toEqual({ work_pool_id: dep.poolId });
    expect(await sqlFirst("SELECT state_name, lease_token FROM flow_runs WHERE id = ?", retry)).toEqual({ state_name: "AwaitingRetry", lease_token: null });
  });

  it("through the pools' objects: an offer the old pool's worker never acknowledges is handed out by the new pool at once", async () => {
    const dep = await newDeployment(await newFlow());
    const to = unique("to");
    expect((await api("POST", "/work_pools/", { name: to })).status).toBe(201);
    const old = await connectWorker(dep.poolName, { name: "old" });
    const runId = await createRun(dep.id);
    await old.next("offer");
    const fresh = await connectWorker(to, { name: "fresh" });
    expect((await api("PATCH", `/deployments/${dep.id}`, { work_pool_name: to })).status).toBe(204);
    await poolSql(dep.poolId, "UPDATE held SET deadline = 1 WHERE run_id = ?", runId);
    await fireAlarm(dep.poolId);
    expect(await old.next("revoke")).toMatchObject({ run_id: runId });
    // No alarm or cron of the new pool: the old pool's nudge makes it dispatch.
    expect((await fresh.next("offer")).flow_run.id).toBe(runId);
    old.close();
    fresh.close();
  });
});

describe("two moves of one deployment at once", () => {
  it("X→Y and X→Z: its runs end in the pool the deployment ends in", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const [y, z] = [await newPool(), await newPool()];
    const byHand = await handRun(dep, flowId, dep.poolId, new Date());
    await Promise.all([updateDeployment(db, dep.id, { work_pool_id: y.id }), updateDeployment(db, dep.id, { work_pool_id: z.id })]);
    const d = await sqlFirst<{ work_pool_id: string }>("SELECT work_pool_id FROM deployments WHERE id = ?", dep.id);
    expect([y.id, z.id]).toContain(d?.work_pool_id);
    expect(await poolOf(byHand)).toBe(d?.work_pool_id);
  });

  it("a move whose read of the old pool is stale still takes the runs from wherever they are", async () => {
    // The second request read X before the first moved the runs to Y: deterministic form of the race.
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const [y, z] = [await newPool(), await newPool()];
    const byHand = await handRun(dep, flowId, y.id, new Date());
    await updateDeployment(db, dep.id, { work_pool_id: z.id });
    expect(await poolOf(byHand)).toBe(z.id);
  });
});

describe("through the routes (real clock): a served deployment redeployed to another pool", () => {
  it("leaves nothing in the serve pool, catches the Late slot up in the new pool, moves the run made by hand, and lets the old pool go", async () => {
    const [serve, prod] = [unique("serve"), unique("prod")];
    for (const name of [serve, prod]) expect((await api("POST", "/work_pools/", { name })).status).toBe(201);
    const flow = (await api("POST", "/flows/", { name: unique("served") })).body;
    const body = { name: "served", flow_id: flow.id, work_pool_name: serve, schedules: [{ schedule: { interval: 60 } }] };
    const created = await api("POST", "/deployments/", body);
    expect(created.status).toBe(201);
    const dep = created.body;
    const [schedule] = dep.schedules as { id: string; schedule: { anchor_date: string } }[];
    const serveId = (await api("GET", `/work_pools/${serve}`)).body.id;
    // The serve process stopped 10 minutes ago: its slot of then is Late, and a run asked for by hand waits.
    const lateSlot = new Date(Date.parse(schedule!.schedule.anchor_date) - 10 * 60_000).toISOString();
    await sqlRun(
      `INSERT INTO flow_runs (id, created, updated, name, flow_id, deployment_id, work_pool_id, auto_scheduled, idempotency_key, tags, state_type, state_name, expected_start_time)
       VALUES (?, ?, ?, 'late-one', ?, ?, ?, 1, ?, '["auto-scheduled"]', 'SCHEDULED', 'Scheduled', ?)`,
      crypto.randomUUID(), lateSlot, lateSlot, flow.id, dep.id, serveId, `scheduled:${dep.id}:${schedule!.id}:${lateSlot}`, lateSlot,
    );
    const byHand = (await api("POST", `/deployments/${dep.id}/create_flow_run`, { scheduled_time: new Date(Date.now() - 60_000).toISOString() })).body;
    expect(byHand.work_pool_name).toBe(serve);

    expect((await api("POST", "/deployments/", { ...body, work_pool_name: prod })).status).toBe(200);
    expect((await api("GET", `/flow_runs/${byHand.id}`)).body.work_pool_name).toBe(prod);
    // The latest missed slot, made again for the new pool (whose object may skip it at once for the slot
    // due since: catch-up "latest" at dispatch).
    const caughtUp = await vi.waitFor(async () => {
      const run = (await autoRuns(dep.id)).find((r) => Date.parse(r.expected_start_time) <= Date.now() - 60_000);
      expect(run?.state_message).toMatch(/catch-up/);
      return run!;
    });
    expect((await api("GET", `/flow_runs/${caughtUp.id}`)).body.work_pool_name).toBe(prod);
    expect(await scheduledIn(dep.id, serveId)).toBe(0);
    expect((await autoRuns(dep.id)).some((r) => r.name === "late-one")).toBe(false);

    expect((await api("DELETE", `/work_pools/${serve}`)).status).toBe(204);
    expect(await api("DELETE", `/work_pools/${prod}`)).toMatchObject({
      status: 409,
      body: { detail: `work pool "${prod}" is used by deployment ${flow.name}/served; deploy it to another pool or delete it first` },
    });
  });

  it("a pool the deployment left cannot be deleted while its workers still have runs of it in progress", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const to = await newPool();
    const running = await handRun(dep, flowId, dep.poolId, new Date(), ["RUNNING", "Running"], "lease-1");
    const retrying = await handRun(dep, flowId, dep.poolId, new Date(), ["SCHEDULED", "AwaitingRetry"], "lease-2");
    await updateDeployment(db, dep.id, { work_pool_id: to.id });
    expect(await api("DELETE", `/work_pools/${dep.poolName}`)).toMatchObject({
      status: 409,
      body: { detail: expect.stringMatching(new RegExp(`^work pool "${dep.poolName}" still has 2 runs in progress .*; wait for them to finish, or cancel them, then delete the pool$`)) },
    });
    await sqlRun("UPDATE flow_runs SET state_type = 'COMPLETED', state_name = 'Completed' WHERE id = ?", running);
    await sqlRun("UPDATE flow_runs SET lease_token = NULL WHERE id = ?", retrying);
    expect((await api("DELETE", `/work_pools/${dep.poolName}`)).status).toBe(204);
    // The released AwaitingRetry followed the deployment (db/pool-change.ts followDeployments).
    expect(await poolOf(retrying)).toBe(to.id);
  });
});
