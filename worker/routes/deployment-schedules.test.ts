import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { inMinutes, insertRun, makeDeployment, runIdsOf } from "./deployment-fixtures";

const MISSING = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";

/** A deployment with two interval schedules, and runs of every kind for its first schedule. */
async function deploymentWithRuns() {
  const { deployment } = await makeDeployment();
  const url = `/deployments/${deployment.id}/schedules`;
  const [a, b] = (await api("POST", url, [{ schedule: { interval: 60 } }, { schedule: { interval: 120 } }])).body;
  const upcoming = await insertRun(deployment, { schedule: a.id, start: inMinutes(5) });
  const survivors = [
    await insertRun(deployment, { schedule: b.id, start: inMinutes(5) }),
    await insertRun(deployment, { schedule: a.id, start: inMinutes(-5), state: ["SCHEDULED", "Late"] }),
    await insertRun(deployment, { schedule: a.id, start: inMinutes(-3), state: ["SCHEDULED", "Scheduled"] }),
    await insertRun(deployment, { schedule: a.id, start: inMinutes(-1), state: ["PENDING", "Pending"] }),
    await insertRun(deployment, { schedule: a.id, start: inMinutes(-2), state: ["RUNNING", "Running"] }),
    await insertRun(deployment, { schedule: a.id, start: inMinutes(9), state: ["SCHEDULED", "AwaitingRetry"] }),
    await insertRun(deployment, { start: inMinutes(5) }),
  ];
  return { deployment, url, a, b, upcoming, survivors: survivors.sort() };
}

describe("deployment schedules", () => {
  it("adds schedules (201), anchoring intervals at creation, and lists them", async () => {
    const { deployment } = await makeDeployment();
    const url = `/deployments/${deployment.id}/schedules`;
    const before = Date.now();
    const added = await api("POST", url, [
      { schedule: { interval: 300 } },
      { schedule: { cron: "0 9 * * 1-5", timezone: "Europe/Paris" }, active: false, slug: "weekdays", parameters: { x: 1 } },
      { schedule: { rrule: "FREQ=DAILY;BYHOUR=6" }, max_scheduled_runs: 5, catchup: "none" },
    ]);
    expect(added.status).toBe(201);
    expect(added.body).toHaveLength(3);
    const anchor = Date.parse(added.body[0].schedule.anchor_date);
    expect(anchor).toBeGreaterThanOrEqual(before - 1000);
    expect(anchor).toBeLessThanOrEqual(Date.now());
    expect(added.body[1]).toMatchObject({ deployment_id: deployment.id, active: false, slug: "weekdays", parameters: { x: 1 } });
    expect(added.body[1].schedule).toEqual({ cron: "0 9 * * 1-5", timezone: "Europe/Paris", day_or: true });
    expect(added.body[2]).toMatchObject({ max_scheduled_runs: 5, catchup: "none", active: true });
    const listed = await api("GET", url);
    expect(listed.body).toEqual(added.body);
  });

  it("refuses a bad schedule with 422 naming its index, adding none of the batch", async () => {
    const { deployment } = await makeDeployment();
    const url = `/deployments/${deployment.id}/schedules`;
    const res = await api("POST", url, [{ schedule: { interval: 60 } }, { schedule: { cron: "0 0 31 2 *" } }]);
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/never fires/);
    expect(res.body.errors).toEqual([{ path: "body.1.schedule", message: expect.stringMatching(/never fires/) }]);
    expect((await api("POST", url, [])).status).toBe(422);
    expect((await api("GET", url)).body).toEqual([]);
    expect((await api("POST", `/deployments/${MISSING}/schedules`, [{ schedule: { interval: 60 } }])).status).toBe(404);
    expect((await api("GET", `/deployments/${MISSING}/schedules`)).status).toBe(404);
  });

  it("pausing a schedule deletes only its upcoming runs that are still Scheduled", async () => {
    const { deployment, url, a, upcoming, survivors } = await deploymentWithRuns();
    expect(await runIdsOf(deployment.id)).toContain(upcoming);
    expect((await api("PATCH", `${url}/${a.id}`, { active: false })).status).toBe(204);
    expect(await runIdsOf(deployment.id)).toEqual(survivors);
    expect((await api("GET", url)).body[0]).toMatchObject({ id: a.id, active: false });
  });

  it("changing a schedule's definition deletes its upcoming runs; other fields keep them", async () => {
    const { deployment, url, a, upcoming, survivors } = await deploymentWithRuns();
    expect((await api("PATCH", `${url}/${a.id}`, { max_scheduled_runs: 3, catchup: "all", slug: "s" })).status).toBe(204);
    expect(await runIdsOf(deployment.id)).toContain(upcoming);
    // An interval sent again without anchor keeps the stored anchor, so its slots do not move.
    expect((await api("PATCH", `${url}/${a.id}`, { schedule: { interval: 60 } })).status).toBe(204);
    expect((await api("GET", url)).body[0].schedule).toEqual(a.schedule);
    expect(await runIdsOf(deployment.id)).toContain(upcoming);
    expect((await api("PATCH", `${url}/${a.id}`, { schedule: { interval: 90 } })).status).toBe(204);
    expect(await runIdsOf(deployment.id)).toEqual(survivors);
    expect((await api("GET", url)).body[0]).toMatchObject({ max_scheduled_runs: 3, catchup: "all", slug: "s", schedule: { interval: 90 } });
  });

  it("refuses a bad update with 422 and changes nothing; unknown ids are 404", async () => {
    const { deployment, url, a, upcoming } = await deploymentWithRuns();
    const res = await api("PATCH", `${url}/${a.id}`, { schedule: { cron: "0 9 * * *", timezone: "Nowhere/City" }, active: false });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toEqual({ path: "body.schedule", message: 'unknown time zone "Nowhere/City"' });
    expect((await api("GET", url)).body[0]).toEqual(a);
    expect(await runIdsOf(deployment.id)).toContain(upcoming);
    expect((await api("PATCH", `${url}/${MISSING}`, { active: false })).status).toBe(404);
    expect((await api("PATCH", `/deployments/${MISSING}/schedules/${a.id}`, { active: false })).status).toBe(404);
    expect((await api("DELETE", `${url}/${MISSING}`)).status).toBe(404);
  });

  it("deleting a schedule removes it and its upcoming runs only", async () => {
    const { deployment, url, a, b, survivors } = await deploymentWithRuns();
    expect((await api("DELETE", `${url}/${a.id}`)).status).toBe(204);
    expect((await api("GET", url)).body.map((s: { id: string }) => s.id)).toEqual([b.id]);
    expect(await runIdsOf(deployment.id)).toEqual(survivors);
    expect((await api("DELETE", `${url}/${a.id}`)).status).toBe(404);
  });

  it("redeploying with the same schedules keeps their ids and upcoming runs; a changed one loses its runs", async () => {
    const { flow, deployment } = await makeDeployment();
    const body = {
      name: deployment.name,
      flow_id: flow.id,
      schedules: [{ schedule: { interval: 600 } }, { schedule: { cron: "0 * * * *" }, slug: "hourly" }],
    };
    expect((await api("POST", "/deployments/", body)).status).toBe(200);
    const [interval, hourly] = (await api("GET", `/deployments/${deployment.id}/schedules`)).body;
    const intervalRun = await insertRun(deployment, { schedule: interval.id, start: inMinutes(10) });
    const hourlyRun = await insertRun(deployment, { schedule: hourly.id, start: inMinutes(60) });
    await Promise.all(Array.from({ length: 5 }, () => api("POST", "/deployments/", body)));
    expect((await api("GET", `/deployments/${deployment.id}/schedules`)).body).toEqual([interval, hourly]);
    expect(await runIdsOf(deployment.id)).toEqual([intervalRun, hourlyRun].sort());
    const changed = { ...body, schedules: [body.schedules[0], { schedule: { cron: "30 * * * *" }, slug: "hourly" }] };
    expect((await api("POST", "/deployments/", changed)).status).toBe(200);
    const after = (await api("GET", `/deployments/${deployment.id}/schedules`)).body;
    expect(after.map((s: { id: string }) => s.id)).toEqual([interval.id, hourly.id]);
    expect(after[1].schedule.cron).toBe("30 * * * *");
    expect(await runIdsOf(deployment.id)).toEqual([intervalRun]);
    expect((await api("POST", "/deployments/", { ...body, schedules: [] })).status).toBe(200);
    expect((await api("GET", `/deployments/${deployment.id}/schedules`)).body).toEqual([]);
    expect(await runIdsOf(deployment.id)).toEqual([]);
  });
});
