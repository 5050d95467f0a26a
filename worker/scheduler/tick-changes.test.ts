import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../index";
import { createDb } from "../db/client";
import { deleteSchedule, getSchedule, updateSchedule } from "../db/deployment-schedules";
import { deleteDeployment, setDeploymentPaused, updateDeployment } from "../db/deployments";
import { dueSchedules, fillStatements } from "../db/schedule-fill";
import { restartFill } from "../db/upcoming-runs";
import { insertRun } from "../routes/deployment-fixtures";
import { api } from "../test/http";
import { newDeployment, newFlow, sqlRun } from "../test/runs";
import { autoRuns, bookkeeping, newSchedule, slotsOf } from "../test/schedules";
import { planFill } from "./plan";
import { scheduledRun } from "./scheduled-runs";
import { runScheduler } from "./tick";

/*
 * What happens to the scheduler's runs when schedules and deployments change. Changes go through
 * worker/db (not the routes, which also start a tick with the real clock) while ticks run on fixed
 * clocks years ahead, so every run they create is still upcoming for the real one.
 */
const db = createDb(env.DB);
const T = Date.parse("2032-05-05T10:00:30Z");
const at = (minutes: number) => new Date(T + minutes * 60_000);
const every = (seconds: number) => ({ interval: seconds, anchor_date: "2032-01-01T00:00:00.000Z", timezone: "UTC" });

/** A deployment whose 5-minute schedule was filled 2 hours ahead, with its first two runs taken by a worker. */
async function filled() {
  const flowId = await newFlow();
  const dep = await newDeployment(flowId);
  const scheduleId = await newSchedule(dep.id, every(300));
  const tick = (now: Date) => runScheduler(env, now, { deploymentIds: [dep.id] });
  await tick(at(0));
  await tick(at(3));
  const [running, pending] = await autoRuns(dep.id);
  await sqlRun("UPDATE flow_runs SET state_type = 'RUNNING', state_name = 'Running' WHERE id = ?", running!.id);
  await sqlRun("UPDATE flow_runs SET state_type = 'PENDING', state_name = 'Pending' WHERE id = ?", pending!.id);
  const schedule = (await getSchedule(db, dep.id, scheduleId))!;
  return { flowId, dep, scheduleId, schedule, tick, started: [running!.id, pending!.id] };
}
const ids = (runs: { id: string }[]) => runs.map((r) => r.id);

describe("changes to schedules and deployments", () => {
  it("changing a schedule discards its untouched upcoming runs; the next tick creates the new ones", async () => {
    const { dep, schedule, scheduleId, tick, started } = await filled();
    expect((await autoRuns(dep.id)).length).toBe(25);
    await updateSchedule(db, schedule, { schedule: every(600) });
    expect(ids(await autoRuns(dep.id))).toEqual(started);
    expect(await bookkeeping(scheduleId)).toEqual({ scheduled_until: null, refill_at: "", fill_generation: 1 });
    await tick(at(5));
    await tick(at(10));
    // 10:10 already has its (pending) run under the same key: it is not created twice.
    expect(slotsOf(await autoRuns(dep.id))).toEqual([
      "2032-05-05T10:05:00.000Z",
      ...Array.from({ length: 14 }, (_, i) => new Date(Date.parse("2032-05-05T10:10:00Z") + i * 600_000).toISOString()),
    ]);
  });

  it("pausing and resuming a schedule", async () => {
    const { dep, schedule, scheduleId, tick, started } = await filled();
    await updateSchedule(db, schedule, { active: false });
    expect(ids(await autoRuns(dep.id))).toEqual(started);
    expect(await tick(at(5))).toMatchObject({ schedules: 0, runs_created: 0 });
    await updateSchedule(db, (await getSchedule(db, dep.id, scheduleId))!, { active: true });
    await tick(at(60));
    // From the tick's time on: the slots of the pause are not caught up.
    expect(slotsOf(await autoRuns(dep.id)).slice(2)).toEqual(["2032-05-05T11:05:00.000Z"]);
  });

  it("deleting a schedule discards its upcoming runs, and no tick creates more", async () => {
    const { dep, scheduleId, tick, started } = await filled();
    await deleteSchedule(db, dep.id, scheduleId);
    expect(ids(await autoRuns(dep.id))).toEqual(started);
    expect(await tick(at(60))).toMatchObject({ schedules: 0 });
  });

  it("pausing the deployment discards them; resuming fills again from then, catching nothing up", async () => {
    const { dep, scheduleId, tick, started } = await filled();
    await setDeploymentPaused(db, dep.id, true);
    expect(ids(await autoRuns(dep.id))).toEqual(started);
    expect(await tick(at(5))).toMatchObject({ schedules: 0 });
    await setDeploymentPaused(db, dep.id, false);
    expect((await bookkeeping(scheduleId))!.scheduled_until).toBeNull();
    await tick(at(24 * 60));
    const runs = await autoRuns(dep.id);
    expect(slotsOf(runs).slice(2)).toEqual(["2032-05-06T10:05:00.000Z"]);
    expect(runs.every((r) => r.state_message === null)).toBe(true);
  });

  it("a deployment change that outdates its runs discards them; the next runs carry the new values", async () => {
    const { dep, tick, started } = await filled();
    await updateDeployment(db, dep.id, { parameters: { x: 2 } });
    expect(ids(await autoRuns(dep.id))).toEqual(started);
    await tick(at(5));
    await tick(at(10));
    const run = (await autoRuns(dep.id)).find((r) => r.expected_start_time === "2032-05-05T10:15:00.000Z");
    expect((await api("GET", `/flow_runs/${run!.id}`)).body.parameters).toEqual({ x: 2 });
  });

  /** A tick's writes for a fresh schedule, prepared from what it read; `meanwhile` happens before they run. */
  async function raced(meanwhile: (dep: { id: string; poolId: string }) => Promise<unknown>) {
    const dep = await newDeployment(await newFlow());
    const scheduleId = await newSchedule(dep.id, every(300));
    const [due] = await dueSchedules(db, at(0).toISOString(), 10, undefined, [dep.id]);
    const plan = planFill({ ...due!, scheduled_until: null }, at(0));
    const update = { id: due!.id, fill_generation: due!.fill_generation, was_until: null, scheduled_until: plan.scheduled_until.toISOString(), refill_at: plan.refill_at.toISOString() };
    const { inserts, moves } = fillStatements(env.DB, plan.runs.map((r) => scheduledRun(due!, r, update, at(0))), [update]);
    await meanwhile(dep);
    const changes = (await env.DB.batch([...inserts, ...moves])).map((r) => r.meta.changes);
    return { dep, scheduleId, changes };
  }

  it("writes nothing, and fails nothing, when the deployment was deleted after the read", async () => {
    const { dep, changes } = await raced((d) => deleteDeployment(db, d.id));
    expect(changes).toEqual([0, 0]);
    expect(await autoRuns(dep.id)).toEqual([]);
  });

  it("writes nothing when the schedule's runs were discarded after the read", async () => {
    const { dep, scheduleId, changes } = await raced((d) => db.batch([restartFill(db, d.id)]));
    expect(changes).toEqual([0, 0]);
    expect(await autoRuns(dep.id)).toEqual([]);
    expect(await bookkeeping(scheduleId)).toEqual({ scheduled_until: null, refill_at: "", fill_generation: 1 });
  });

  it("takes the pool as it is when writing: one deleted after the read leaves the run without a pool", async () => {
    const { dep, changes } = await raced((d) => sqlRun("DELETE FROM work_pools WHERE id = ?", d.poolId));
    expect(changes).toEqual([1, 1]);
    const [run] = await autoRuns(dep.id);
    expect((await api("GET", `/flow_runs/${run!.id}`)).body.work_pool_name).toBeNull();
  });
});

describe("through the API and the Cron Trigger (real clock)", () => {
  const runsOf = async (deploymentId: string) => (await autoRuns(deploymentId)).filter((r) => r.expected_start_time > new Date().toISOString());

  it("redeploying the same deployment ten times at once leaves one run per slot, and every run already Late, Pending or Running", async () => {
    const flow = (await api("POST", "/flows/", { name: `redeploy-${crypto.randomUUID()}` })).body;
    const body = { name: "ten-times", flow_id: flow.id, schedules: [{ schedule: { interval: 60 } }, { schedule: { cron: "*/5 * * * *" }, slug: "five" }] };
    const dep = (await api("POST", "/deployments/", body)).body;
    const [minute, five] = dep.schedules as { id: string }[];
    await vi.waitFor(async () => expect((await runsOf(dep.id)).length).toBeGreaterThan(0));
    await runScheduler(env, new Date(Date.now() + 11 * 60_000), { deploymentIds: [dep.id] });
    const [running, pending] = await runsOf(dep.id);
    await sqlRun("UPDATE flow_runs SET state_type = 'RUNNING', state_name = 'Running' WHERE id = ?", running!.id);
    await sqlRun("UPDATE flow_runs SET state_type = 'PENDING', state_name = 'Pending' WHERE id = ?", pending!.id);
    const late = await insertRun(dep, { schedule: five!.id, start: new Date(Date.now() - 10 * 60_000).toISOString() });
    await Promise.all([
      ...Array.from({ length: 10 }, () => api("POST", "/deployments/", body)),
      runScheduler(env, new Date(), { deploymentIds: [dep.id] }),
    ]);
    await runScheduler(env, new Date(Date.now() + 11 * 60_000), { deploymentIds: [dep.id] });
    const runs = await autoRuns(dep.id);
    expect(runs.map((r) => r.id)).toEqual(expect.arrayContaining([running!.id, pending!.id, late]));
    const perSlot = runs.map((r) => `${r.idempotency_key.split(":")[2]} ${r.expected_start_time}`);
    expect(new Set(perSlot).size).toBe(runs.length);
    expect(new Set(runs.map((r) => r.idempotency_key.split(":")[2]))).toEqual(new Set([minute!.id, five!.id]));
  });

  it("creating a schedule or resuming a deployment creates its runs at once, without waiting for the cron", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    expect((await api("POST", `/deployments/${dep.id}/schedules`, [{ schedule: { interval: 3600 } }])).status).toBe(201);
    await vi.waitFor(async () => expect(await runsOf(dep.id)).toHaveLength(1));
    expect((await api("POST", `/deployments/${dep.id}/pause_deployment`)).status).toBe(204);
    expect(await runsOf(dep.id)).toEqual([]);
    expect((await api("POST", `/deployments/${dep.id}/resume_deployment`)).status).toBe(204);
    await vi.waitFor(async () => expect(await runsOf(dep.id)).toHaveLength(1));
  });

  it("the Cron Trigger runs the tick", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    await newSchedule(dep.id, { interval: 60 });
    const waits: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p), passThroughOnException() {} } as unknown as ExecutionContext;
    await worker.scheduled(createScheduledController(), env, ctx);
    await Promise.all(waits);
    expect((await runsOf(dep.id)).length).toBeGreaterThan(0);
  });
});
