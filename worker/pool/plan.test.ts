import { describe, expect, it } from "vitest";
import { planDispatch, scheduleKeyOf, type DispatchInput, type DueRun } from "./plan";

const now = new Date("2026-06-01T12:00:00.000Z");
let n = 0;
const run = (fields: Partial<DueRun> = {}): DueRun => ({
  id: `run-${n++}`,
  deployment_id: "dep",
  state_name: "Scheduled",
  expected_start_time: "2026-06-01T11:59:59.000Z",
  schedule_key: null,
  catchup: null,
  deployment_limit: null,
  collision_strategy: "ENQUEUE",
  ...fields,
});
const input = (fields: Partial<DispatchInput>): DispatchInput => ({
  due: [],
  laterDue: new Set(),
  workers: [{ worker_id: "w1", free: 10 }],
  poolFree: Infinity,
  activeByDeployment: new Map(),
  now,
  ...fields,
});
const kinds = (plan: ReturnType<typeof planDispatch>) => plan.actions.map((a) => `${a.kind}:${a.run.id}${a.kind === "claim" ? `@${a.worker_id}` : ""}`);

describe("planDispatch", () => {
  it("spreads runs over the workers with the most free slots and stops when all are full", () => {
    const due = [run({ id: "a" }), run({ id: "b" }), run({ id: "c" }), run({ id: "d" })];
    const plan = planDispatch(input({ due, workers: [{ worker_id: "w1", free: 1 }, { worker_id: "w2", free: 2 }] }));
    expect(kinds(plan)).toEqual(["claim:a@w2", "claim:b@w1", "claim:c@w2"]);
    expect(plan.full).toBe(true);
  });

  it("asks a worker that let an offer time out last, but still asks it when it is the only one", () => {
    const due = [run({ id: "a" }), run({ id: "b" })];
    const workers = [{ worker_id: "slow", free: 5, slow: true }, { worker_id: "ok", free: 1 }];
    expect(kinds(planDispatch(input({ due, workers })))).toEqual(["claim:a@ok", "claim:b@slow"]);
  });

  it("respects the pool's free slots", () => {
    const plan = planDispatch(input({ due: [run({ id: "a" }), run({ id: "b" })], poolFree: 1 }));
    expect(kinds(plan)).toEqual(["claim:a@w1"]);
    expect(plan.full).toBe(true);
  });

  it("ENQUEUE keeps a run waiting when its deployment is at its limit, and others still go", () => {
    const due = [run({ id: "a", deployment_limit: 1 }), run({ id: "b", deployment_limit: 1 }), run({ id: "c", deployment_id: "other" })];
    const plan = planDispatch(input({ due }));
    expect(kinds(plan)).toEqual(["claim:a@w1", "wait:b", "claim:c@w1"]);
    expect(plan.actions[1]).toMatchObject({ message: expect.stringContaining("concurrency limit of 1") });
  });

  it("counts runs workers already hold against the deployment's limit", () => {
    const due = [run({ id: "a", deployment_limit: 2, collision_strategy: "CANCEL_NEW" })];
    expect(kinds(planDispatch(input({ due, activeByDeployment: new Map([["dep", 2]]) })))).toEqual(["cancel:a"]);
    expect(kinds(planDispatch(input({ due, activeByDeployment: new Map([["dep", 1]]) })))).toEqual(["claim:a@w1"]);
  });

  it("catch-up latest: only the latest due slot of a schedule runs, earlier ones are skipped", () => {
    const slot = (id: string, t: string) => run({ id, schedule_key: "dep:s1", expected_start_time: t });
    const due = [slot("old", "2026-06-01T09:00:00.000Z"), slot("older-late", "2026-06-01T10:00:00.000Z"), slot("latest", "2026-06-01T11:00:00.000Z")];
    expect(kinds(planDispatch(input({ due })))).toEqual(["skip:old", "skip:older-late", "claim:latest@w1"]);
    // A later due slot on another page also makes this one a skipped one.
    expect(kinds(planDispatch(input({ due: [due[2]!], laterDue: new Set(["dep:s1"]) })))).toEqual(["skip:latest"]);
  });

  it("catch-up all runs every slot; none skips slots past the late threshold but runs one just due", () => {
    const slot = (id: string, t: string, catchup: "all" | "none") => run({ id, schedule_key: "dep:s1", catchup, expected_start_time: t });
    const all = [slot("a", "2026-06-01T09:00:00.000Z", "all"), slot("b", "2026-06-01T10:00:00.000Z", "all")];
    expect(kinds(planDispatch(input({ due: all })))).toEqual(["claim:a@w1", "claim:b@w1"]);
    expect(kinds(planDispatch(input({ due: [slot("missed", "2026-06-01T11:00:00.000Z", "none")] })))).toEqual(["skip:missed"]);
    expect(kinds(planDispatch(input({ due: [slot("just-due", "2026-06-01T11:59:55.000Z", "none")] })))).toEqual(["claim:just-due@w1"]);
  });

  it("never skips retries, queued runs or runs made by hand", () => {
    const due = [
      run({ id: "retry", schedule_key: "dep:s1", state_name: "AwaitingRetry", expected_start_time: "2026-06-01T09:00:00.000Z" }),
      run({ id: "queued", schedule_key: "dep:s1", state_name: "AwaitingConcurrencySlot", expected_start_time: "2026-06-01T09:30:00.000Z" }),
      run({ id: "manual", expected_start_time: "2026-06-01T10:00:00.000Z" }),
      run({ id: "slot", schedule_key: "dep:s1", expected_start_time: "2026-06-01T11:00:00.000Z" }),
    ];
    expect(kinds(planDispatch(input({ due })))).toEqual(["claim:retry@w1", "claim:queued@w1", "claim:manual@w1", "claim:slot@w1"]);
  });
});

describe("scheduleKeyOf", () => {
  it("reads deployment and schedule from the scheduler's idempotency key", () => {
    expect(scheduleKeyOf("scheduled:d1:s1:2026-06-01T11:00:00.000Z", true)).toBe("d1:s1");
    expect(scheduleKeyOf("scheduled:d1:s1:2026-06-01T11:00:00.000Z", false)).toBeNull();
    expect(scheduleKeyOf("my-own-key", true)).toBeNull();
    expect(scheduleKeyOf(null, true)).toBeNull();
  });
});
