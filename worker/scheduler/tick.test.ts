import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { dueSchedulesQuery } from "../db/schedule-fill";
import { api } from "../test/http";
import { newDeployment, newFlow, sqlFirst } from "../test/runs";
import { autoRuns, bookkeeping, newSchedule, slotsOf } from "../test/schedules";
import { runScheduler, type SchedulerOptions } from "./tick";

// Fixed clocks, years away from the real one. Schedules are inserted directly, so no route starts a
// tick of its own with the real clock.
const T = Date.parse("2031-03-03T10:00:30Z");
const at = (minutes: number) => new Date(T + minutes * 60_000);
const every = (seconds: number) => ({ interval: seconds, anchor_date: "2031-01-01T00:00:00.000Z", timezone: "UTC" });
/** ISO times from `from` to `to`, `step` minutes apart. */
const times = (from: string, to: string, step = 5) => {
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += step * 60_000) out.push(new Date(t).toISOString());
  return out;
};

async function setup(schedule: Record<string, unknown>, fields: Parameters<typeof newSchedule>[2] = {}, deployment: Record<string, unknown> = {}) {
  const flowId = await newFlow();
  const dep = await newDeployment(flowId, deployment);
  const scheduleId = await newSchedule(dep.id, schedule, fields);
  const tick = (now: Date, opts: SchedulerOptions = {}) => runScheduler(env, now, { deploymentIds: [dep.id], ...opts });
  return { flowId, dep, scheduleId, tick };
}

describe("the scheduler tick", () => {
  it("creates the runs of an interval schedule as the deployment's runs: parameters, tags, retries, pool, state", async () => {
    const { dep, scheduleId, tick } = await setup(every(300), { parameters: { b: 3 } }, {
      parameters: { a: 1, b: 2 },
      tags: ["nightly"],
      retries: 2,
      retry_delay_seconds: 30,
    });
    expect(await tick(at(0))).toEqual({ schedules: 1, runs_created: 1, conflicts: 0, failed: 0, more_due: false });
    const [first] = await autoRuns(dep.id);
    const run = (await api("GET", `/flow_runs/${first!.id}`)).body;
    expect(run).toMatchObject({
      deployment_id: dep.id,
      work_pool_name: dep.poolName,
      parameters: { a: 1, b: 3 },
      tags: ["nightly", "auto-scheduled"],
      empirical_policy: { retries: 2, retry_delay: 30 },
      auto_scheduled: true,
      idempotency_key: `scheduled:${dep.id}:${scheduleId}:2031-03-03T10:05:00.000Z`,
      expected_start_time: "2031-03-03T10:05:00.000Z",
      state: { type: "SCHEDULED", name: "Scheduled", message: null, state_details: { scheduled_time: "2031-03-03T10:05:00.000Z" } },
    });
    expect(run.name).toMatch(/^[a-z]+-[a-z]+$/);
    expect((await api("GET", `/flow_runs/${first!.id}/states`)).body).toHaveLength(1);
    // Nothing to do until the refill is due; then up to 2 hours ahead.
    expect((await tick(at(1))).schedules).toBe(0);
    expect((await tick(at(3))).runs_created).toBe(24);
    expect(slotsOf(await autoRuns(dep.id))).toEqual(times("2031-03-03T10:05:00Z", "2031-03-03T12:05:00Z"));
    expect(await bookkeeping(scheduleId)).toMatchObject({ scheduled_until: "2031-03-03T12:05:00.000Z", refill_at: "2031-03-03T11:05:00.000Z" });
  });

  it("follows a cron schedule's time zone through London's spring-forward", async () => {
    const { dep, tick } = await setup({ cron: "30 1 * * *", timezone: "Europe/London", day_or: true });
    await tick(new Date("2027-03-26T12:00:00Z"));
    await tick(new Date("2027-03-26T12:10:00Z"));
    expect(slotsOf(await autoRuns(dep.id))).toEqual([
      "2027-03-27T01:30:00.000Z", // 01:30 GMT
      // 2027-03-28: 01:30 does not exist in London
      ...["29", "30", "31"].map((d) => `2027-03-${d}T00:30:00.000Z`), // 01:30 BST
      "2027-04-01T00:30:00.000Z",
      "2027-04-02T00:30:00.000Z",
    ]);
  });

  it("follows an rrule schedule's time zone through New York's spring-forward", async () => {
    const { dep, tick } = await setup({ rrule: "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=0", timezone: "America/New_York" });
    await tick(new Date("2027-03-10T12:00:00Z"));
    await tick(new Date("2027-03-10T12:10:00Z"));
    expect(slotsOf(await autoRuns(dep.id))).toEqual([
      "2027-03-11T14:00:00.000Z", // 09:00 EST
      "2027-03-15T13:00:00.000Z", // 09:00 EDT
      "2027-03-18T13:00:00.000Z",
      "2027-03-22T13:00:00.000Z",
      "2027-03-25T13:00:00.000Z",
      "2027-03-29T13:00:00.000Z",
    ]);
  });

  it("creates each slot once, ticking twice, two ticks at once, or with clocks a minute apart", async () => {
    const { dep, tick } = await setup(every(60));
    await tick(at(0));
    expect((await tick(at(0))).runs_created).toBe(0);
    const both = await Promise.all([tick(at(1)), tick(at(1))]);
    expect(both.reduce((n, r) => n + r.runs_created, 0)).toBe(99);
    const ahead = async (now: Date) => (await autoRuns(dep.id)).filter((r) => r.expected_start_time > now.toISOString());
    expect(await ahead(at(1))).toHaveLength(100);
    await Promise.all([tick(at(40)), tick(at(41)), tick(at(41))]);
    const runs = await autoRuns(dep.id);
    expect(new Set(runs.map((r) => r.idempotency_key)).size).toBe(runs.length);
    expect(slotsOf(runs)).toEqual(times("2031-03-03T10:01:00Z", slotsOf(runs).at(-1)!, 1));
    expect(await ahead(at(41))).toHaveLength(100);
  });

  it("creates runs of a deployment without a work pool", async () => {
    const { dep, tick } = await setup(every(3600), {}, { work_pool_id: null });
    await tick(at(0));
    const [run] = await autoRuns(dep.id);
    expect(await sqlFirst("SELECT work_pool_id FROM flow_runs WHERE id = ?", run!.id)).toEqual({ work_pool_id: null });
  });

  it("creates nothing for an inactive schedule or a paused deployment", async () => {
    const inactive = await setup(every(300), { active: false });
    const paused = await setup(every(300), {}, { paused: 1 });
    expect((await runScheduler(env, at(0), { deploymentIds: [inactive.dep.id, paused.dep.id] })).schedules).toBe(0);
    expect(await autoRuns(inactive.dep.id)).toEqual([]);
    expect(await autoRuns(paused.dep.id)).toEqual([]);
  });
});

describe("catch-up after the scheduler was down", () => {
  /** Filled at T, then nothing until a day later (00:00:30 → 10:00:30 the next day). */
  async function outage(catchup: string, max_scheduled_runs: number | null = null) {
    const s = await setup(every(300), { catchup, max_scheduled_runs });
    await s.tick(at(0));
    await s.tick(at(3));
    await s.tick(at(24 * 60));
    const runs = await autoRuns(s.dep.id);
    const missed = runs.filter((r) => r.expected_start_time > "2031-03-03T12:05:00.000Z" && r.expected_start_time < "2031-03-04T10:00:00.000Z");
    return { ...s, runs, missed };
  }

  it('"latest" runs the latest missed slot once, saying how many were skipped and when', async () => {
    const { missed, runs } = await outage("latest");
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({
      expected_start_time: "2031-03-04T09:55:00.000Z",
      state_type: "SCHEDULED",
      state_name: "Scheduled",
      state_message:
        'Missed with no run queued (scheduler stopped, or deployment moved to another pool); runs now, once: 261 slots from 2031-03-03T12:10:00.000Z to 2031-03-04T09:50:00.000Z were skipped (catch-up "latest")',
    });
    expect(slotsOf(runs).filter((s) => s >= "2031-03-04T10:00:00.000Z")).toEqual(times("2031-03-04T10:00:00Z", "2031-03-04T12:05:00Z"));
  });

  it('"none" records the latest missed slot as a cancelled "Skipped" run and runs nothing missed', async () => {
    const { missed } = await outage("none");
    expect(missed).toHaveLength(1);
    const run = (await api("GET", `/flow_runs/${missed[0]!.id}`)).body;
    expect(run).toMatchObject({
      expected_start_time: "2031-03-04T09:55:00.000Z",
      state: {
        type: "CANCELLED",
        name: "Skipped",
        message: 'Not run: 262 slots from 2031-03-03T12:10:00.000Z to 2031-03-04T09:55:00.000Z were missed with no run queued (scheduler stopped, or deployment moved to another pool) (catch-up "none")',
      },
    });
    expect(run.end_time).not.toBeNull();
  });

  it('"all" runs the missed slots, at most max_scheduled_runs of them, saying how many were dropped', async () => {
    const { missed } = await outage("all");
    expect(slotsOf(missed)).toEqual(times("2031-03-04T01:40:00Z", "2031-03-04T09:55:00Z"));
    expect(missed.every((r) => r.state_type === "SCHEDULED")).toBe(true);
    // At most 5: the queue before the outage held 5 runs too (10:05 to 10:25).
    const few = await outage("all", 5);
    expect(slotsOf(few.runs).filter((s) => s > "2031-03-03T10:25:00.000Z" && s < "2031-03-04T10:00:00.000Z")).toEqual(
      times("2031-03-04T09:35:00Z", "2031-03-04T09:55:00Z"),
    );
    expect(few.runs.find((r) => r.expected_start_time === "2031-03-04T09:35:00.000Z")!.state_message).toBe(
      'Missed with no run queued (scheduler stopped, or deployment moved to another pool); runs now (catch-up "all"); 277 slots from 2031-03-03T10:30:00.000Z to 2031-03-04T09:30:00.000Z were dropped: catch-up "all" runs at most 5',
    );
  });
});

describe("work per tick", () => {
  it("stops at its bounds, and the schedules left over go first next time", async () => {
    const flowId = await newFlow();
    const dep = await newDeployment(flowId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await newSchedule(dep.id, every(600 + i * 60)));
    const tick = (opts: SchedulerOptions) => runScheduler(env, at(0), { deploymentIds: [dep.id], ...opts });
    expect(await tick({ maxSchedules: 2 })).toMatchObject({ schedules: 2, runs_created: 2, more_due: true });
    const filled = async () => (await Promise.all(ids.map(bookkeeping))).map((b) => b!.scheduled_until !== null);
    expect((await filled()).filter(Boolean)).toHaveLength(2);
    expect(await tick({ maxRuns: 1 })).toMatchObject({ schedules: 1, runs_created: 1, more_due: true });
    expect(await tick({ maxSchedules: 2 })).toMatchObject({ schedules: 2, runs_created: 2, more_due: false });
    expect(await filled()).toEqual([true, true, true, true, true]);
    expect(await tick({})).toMatchObject({ schedules: 0, more_due: false });
  });

  it("reads its queue off deployment_schedules_refill, and counts queued runs off the idempotency index", async () => {
    const query = new SQLiteSyncDialect().sqlToQuery(dueSchedulesQuery(at(0).toISOString(), 1000, { refill_at: "", id: "x" }));
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).bind(...query.params).all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join("\n");
    expect(details).toMatch(/SEARCH deployment_schedules USING INDEX deployment_schedules_refill \(\(refill_at,id\)>\(\?,\?\) AND refill_at<\?\)/);
    expect(details).toMatch(/SEARCH flow_runs USING COVERING INDEX flow_runs_idempotency \(flow_id=\? AND idempotency_key>\? AND idempotency_key<\?\)/);
    expect(details).not.toMatch(/TEMP B-TREE/);
  });
});
