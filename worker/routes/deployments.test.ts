import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flowRuns } from "../db/schema";
import { api } from "../test/http";
import { db, inMinutes, insertRun, makeDeployment, makeFlow, makePool, runIdsOf, unique } from "./deployment-fixtures";

const MISSING = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";
const countOfFlow = async (flowId: string) => (await api("POST", "/deployments/count", { flows: { id: { any_: [flowId] } } })).body;

describe("deployments", () => {
  it("creates once and upserts by flow and name: 201, then 200 with the same id", async () => {
    const flow = await makeFlow();
    const pool = await makePool();
    const body = { name: unique("dep"), flow_id: flow.id, work_pool_name: pool, tags: ["a"], entrypoint: "flows/a.ts:a" };
    const created = await api("POST", "/deployments/", body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: body.name, flow_name: flow.name, work_pool_name: pool, tags: ["a"], paused: false });
    const again = await api("POST", "/deployments", { ...body, tags: ["b"], work_pool_name: null });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: created.body.id, tags: ["b"], work_pool_name: null });
    expect(again.body.created).toBe(created.body.created);
  });

  it("leaves one deployment and one set of schedules after 10 parallel identical creates", async () => {
    const flow = await makeFlow();
    const body = { name: unique("dep"), flow_id: flow.id, schedules: [{ schedule: { cron: "*/5 * * * *" } }] };
    const answers = await Promise.all(Array.from({ length: 10 }, () => api("POST", "/deployments/", body)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(9);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await countOfFlow(flow.id)).toBe(1);
    expect((await api("GET", `/deployments/${answers[0]!.body.id}/schedules`)).body).toHaveLength(1);
  });

  it("answers with its schedules, in the order given, as Prefect's DeploymentResponse", async () => {
    const schedules = [{ schedule: { cron: "0 9 * * *", timezone: "Europe/Berlin" } }, { schedule: { interval: 3600 }, slug: "hourly" }];
    const { deployment, flow } = await makeDeployment({ schedules });
    const plain = await makeDeployment();
    expect((deployment.schedules as { schedule: object }[]).map((s) => s.schedule)).toEqual([
      { cron: "0 9 * * *", timezone: "Europe/Berlin", day_or: true },
      expect.objectContaining({ interval: 3600, anchor_date: expect.any(String) }),
    ]);
    const byId = (await api("GET", `/deployments/${deployment.id}`)).body;
    expect(byId.schedules).toEqual(deployment.schedules);
    expect((await api("GET", `/deployments/name/${flow.name}/${deployment.name}`)).body.schedules).toEqual(deployment.schedules);
    const listed = (await api("POST", "/deployments/filter", { deployments: { id: { any_: [deployment.id, plain.deployment.id] } } })).body;
    const byListedId = Object.fromEntries(listed.map((d: { id: string; schedules: unknown[] }) => [d.id, d.schedules]));
    expect(byListedId).toEqual({ [deployment.id]: deployment.schedules, [plain.deployment.id]: [] });
  });

  it("reads by id and by flow and deployment name; 404 names what is missing", async () => {
    const { flow, deployment } = await makeDeployment();
    expect((await api("GET", `/deployments/${deployment.id}`)).body.name).toBe(deployment.name);
    const byName = await api("GET", `/deployments/name/${flow.name}/${deployment.name}`);
    expect(byName.body).toMatchObject({ id: deployment.id, flow_name: flow.name });
    const missing = await api("GET", `/deployments/${MISSING}`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe(`deployment "${MISSING}" not found`);
    const noName = await api("GET", `/deployments/name/${flow.name}/nope`);
    expect(noName.status).toBe(404);
    expect(noName.body.detail).toBe(`deployment "${flow.name}/nope" not found`);
    expect((await api("GET", "/deployments/not-a-uuid")).status).toBe(422);
  });

  it("filters by name, tags, paused, flow and work pool, sorts and pages, and counts", async () => {
    const flow = await makeFlow();
    const pool = await makePool();
    const tag = unique("t");
    const make = (name: string, extra: object) => api("POST", "/deployments/", { name, flow_id: flow.id, tags: [tag], ...extra });
    await make("alpha", { work_pool_name: pool });
    await make("beta", { paused: true, tags: [tag, "x"] });
    await make("gamma", {});
    const names = async (body: object) =>
      (await api("POST", "/deployments/filter", { flows: { name: { any_: [flow.name] } }, ...body })).body.map((d: { name: string }) => d.name);
    expect(await names({})).toEqual(["alpha", "beta", "gamma"]);
    expect(await names({ sort: "NAME_DESC", limit: 2, offset: 1 })).toEqual(["beta", "alpha"]);
    expect(await names({ deployments: { paused: { eq_: true } } })).toEqual(["beta"]);
    expect(await names({ deployments: { tags: { all_: [tag, "x"] } } })).toEqual(["beta"]);
    expect(await names({ deployments: { name: { like_: "amm" } } })).toEqual(["gamma"]);
    expect(await names({ work_pools: { name: { any_: [pool] } } })).toEqual(["alpha"]);
    expect(await names({ flows: { id: { any_: [flow.id] } }, deployments: { name: { any_: ["alpha", "gamma"] } } })).toEqual(["alpha", "gamma"]);
    expect((await api("POST", "/deployments/count", { deployments: { tags: { all_: [tag] } } })).body).toBe(3);
    expect((await api("POST", "/deployments/filter", { limit: 201 })).status).toBe(422);
  });

  it("stays under D1's 100 bound parameters with every list of a filter full, and refuses longer lists", async () => {
    const ids = Array.from({ length: 90 }, () => crypto.randomUUID());
    const names = ids.map((_, i) => `n${i}`);
    const body = {
      deployments: { id: { any_: ids }, name: { any_: names, like_: "n" }, tags: { all_: names.slice(0, 50) }, paused: { eq_: false } },
      flows: { id: { any_: ids }, name: { any_: names } },
      work_pools: { name: { any_: names } },
    };
    expect(await api("POST", "/deployments/filter", body)).toMatchObject({ status: 200, body: [] });
    expect(await api("POST", "/deployments/count", body)).toMatchObject({ status: 200, body: 0 });
    const tooMany = await api("POST", "/deployments/filter", { deployments: { name: { any_: [...names, "one-more"] } } });
    expect(tooMany.status).toBe(422);
  });

  it("answers 404 for an unknown flow and 422 for an unknown work pool, writing nothing", async () => {
    const flow = await makeFlow();
    const noFlow = await api("POST", "/deployments/", { name: unique("dep"), flow_id: MISSING });
    expect(noFlow.status).toBe(404);
    expect(noFlow.body.detail).toBe(`flow "${MISSING}" not found`);
    const noPool = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, work_pool_name: "nope" });
    expect(noPool.status).toBe(422);
    expect(noPool.body.detail).toBe('work pool "nope" does not exist; create it first (npx baton work-pool create nope)');
    expect(noPool.body.errors[0].path).toBe("body.work_pool_name");
    expect(await countOfFlow(flow.id)).toBe(0);
  });

  it.each([
    ["a cron that never fires", { cron: "0 0 31 2 *" }, /never fires/],
    ["an unknown time zone", { cron: "0 9 * * *", timezone: "Mars/Olympus_Mons" }, /unknown time zone "Mars\/Olympus_Mons"/],
    ["an rrule without FREQ", { rrule: "INTERVAL=2;BYHOUR=9" }, /invalid rrule: .*FREQ/],
    ["a zero interval", { interval: 0 }, /interval: must be at least 1 second/],
  ])("refuses %s with 422 naming the schedule, and writes nothing", async (_, schedule, reason) => {
    const { flow, deployment } = await makeDeployment({ tags: ["before"] });
    const schedules = [{ schedule: { interval: 60 } }, { schedule }];
    const res = await api("POST", "/deployments/", { name: deployment.name, flow_id: flow.id, tags: ["after"], schedules });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(reason);
    expect(res.body.errors[0].path).toMatch(/^body\.schedules\.1\.schedule/);
    const fresh = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, schedules });
    expect(fresh.status).toBe(422);
    expect(await countOfFlow(flow.id)).toBe(1);
    expect((await api("GET", `/deployments/${deployment.id}`)).body.tags).toEqual(["before"]);
    expect((await api("GET", `/deployments/${deployment.id}/schedules`)).body).toEqual([]);
  });

  it("updates with PATCH (204), with the same checks as create", async () => {
    const { deployment } = await makeDeployment({ description: "old" });
    const pool = await makePool();
    const url = `/deployments/${deployment.id}`;
    expect((await api("PATCH", url, { description: "new", work_pool_name: pool, retries: 2 })).status).toBe(204);
    expect((await api("GET", url)).body).toMatchObject({ description: "new", work_pool_name: pool, retries: 2, name: deployment.name });
    const badPool = await api("PATCH", url, { work_pool_name: "nope", description: "x" });
    expect(badPool.status).toBe(422);
    const badSchedule = await api("PATCH", url, { description: "x", schedules: [{ schedule: { cron: "0 0 30 2 *" } }] });
    expect(badSchedule.status).toBe(422);
    expect(badSchedule.body.errors[0].path).toBe("body.schedules.0.schedule");
    expect((await api("GET", url)).body).toMatchObject({ description: "new", work_pool_name: pool });
    expect((await api("PATCH", url, { schedules: [{ schedule: { interval: 3600 } }] })).status).toBe(204);
    expect((await api("GET", `${url}/schedules`)).body).toHaveLength(1);
    expect((await api("PATCH", `/deployments/${MISSING}`, { description: "x" })).status).toBe(404);
    expect((await api("PATCH", url, { name: "renamed" })).status).toBe(204);
    expect((await api("GET", url)).body.name).toBe(deployment.name);
  });

  it("pauses and resumes; pausing drops only the upcoming auto-scheduled runs", async () => {
    const { deployment } = await makeDeployment();
    const sched = crypto.randomUUID();
    await insertRun(deployment, { schedule: sched, start: inMinutes(10) });
    const late = await insertRun(deployment, { schedule: sched, start: inMinutes(-10) });
    const manual = await insertRun(deployment, { start: inMinutes(10) });
    expect((await api("POST", `/deployments/${deployment.id}/pause_deployment`)).status).toBe(204);
    expect((await api("GET", `/deployments/${deployment.id}`)).body.paused).toBe(true);
    expect(await runIdsOf(deployment.id)).toEqual([late, manual].sort());
    expect((await api("POST", `/deployments/${deployment.id}/resume_deployment`)).status).toBe(204);
    expect((await api("GET", `/deployments/${deployment.id}`)).body.paused).toBe(false);
    expect((await api("POST", `/deployments/${MISSING}/pause_deployment`)).status).toBe(404);
    expect((await api("POST", `/deployments/${MISSING}/resume_deployment`)).status).toBe(404);
  });

  it("deletes a deployment, its schedules and its upcoming auto runs; cancels its waiting runs and keeps the others (unlinked, as Prefect)", async () => {
    const { flow, deployment } = await makeDeployment({ schedules: [{ schedule: { interval: 60 } }] });
    const [schedule] = (await api("GET", `/deployments/${deployment.id}/schedules`)).body;
    const upcoming = await insertRun(deployment, { schedule: schedule.id, start: inMinutes(5) });
    const waiting = [
      await insertRun(deployment, { schedule: schedule.id, start: inMinutes(-5), state: ["SCHEDULED", "Late"] }),
      await insertRun(deployment, { start: inMinutes(30) }),
      (await api("POST", `/deployments/${deployment.id}/create_flow_run`, {})).body.id as string,
    ];
    const kept = [
      await insertRun(deployment, { schedule: schedule.id, start: inMinutes(-1), state: ["PENDING", "Pending"] }),
      await insertRun(deployment, { schedule: schedule.id, start: inMinutes(-2), state: ["RUNNING", "Running"] }),
      await insertRun(deployment, { schedule: schedule.id, start: inMinutes(-60), state: ["COMPLETED", "Completed"] }),
      // An AwaitingRetry its worker retries in-process: it holds the claim, so the run is under way.
      await insertRun(deployment, { start: inMinutes(1), state: ["SCHEDULED", "AwaitingRetry"] }),
    ];
    await db.update(flowRuns).set({ lease_token: "held" }).where(eq(flowRuns.id, kept[3]!));
    expect((await api("DELETE", `/deployments/${deployment.id}`)).status).toBe(204);
    expect((await api("GET", `/deployments/${deployment.id}`)).status).toBe(404);
    expect((await api("GET", `/deployments/${deployment.id}/schedules`)).status).toBe(404);
    expect(await runIdsOf(deployment.id)).toEqual([]);
    expect((await api("GET", `/flow_runs/${upcoming}`)).status).toBe(404);
    for (const id of waiting) {
      const run = (await api("GET", `/flow_runs/${id}`)).body;
      expect(run).toMatchObject({ id, deployment_id: null, state_type: "CANCELLED", state_name: "Cancelled", state: { message: `deployment ${flow.name}/${deployment.name} was deleted` } });
      expect(run.end_time).not.toBeNull();
      const history = (await api("GET", `/flow_runs/${id}/states`)).body as { id: string; type: string }[];
      expect(history.at(-1)).toMatchObject({ id: run.state.id, type: "CANCELLED" });
    }
    // Inserted without a state id, so the API shows no state: read the columns.
    const states = await Promise.all(kept.map((id) => db.select().from(flowRuns).where(eq(flowRuns.id, id)).get()));
    expect(states.map((r) => [r!.deployment_id, r!.state_name])).toEqual([
      [null, "Pending"],
      [null, "Running"],
      [null, "Completed"],
      [null, "AwaitingRetry"],
    ]);
    expect((await api("DELETE", `/deployments/${deployment.id}`)).status).toBe(404);
  });
});
