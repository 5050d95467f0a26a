import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newFlowRun, setFlowRunState, sqlRun } from "../test/runs";

const UNKNOWN = "9b2f8f4e-1c7e-4a53-9d7a-2a6a7d7f0c11";
const getRun = async (id: string) => (await api("GET", `/flow_runs/${id}`)).body;
const history = async (id: string) => (await api("GET", `/flow_runs/${id}/states`)).body as { type: string; name: string }[];

describe("flow run set_state", () => {
  it("walks PENDING, RUNNING, COMPLETED with start, end and run time", async () => {
    const run = await newFlowRun();
    const t0 = new Date(Date.now() - 10_000);
    const started = await setFlowRunState(run.id, { type: "RUNNING", timestamp: t0.toISOString() });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: "ACCEPT", state: { type: "RUNNING", name: "Running" }, details: {} });
    const done = await setFlowRunState(run.id, {
      type: "COMPLETED",
      timestamp: new Date(t0.getTime() + 2_500).toISOString(),
      data: { rows: 3 },
    });
    expect(done.status).toBe(201);
    expect(done.body.state).toMatchObject({ type: "COMPLETED", data: { rows: 3 } });
    expect(await getRun(run.id)).toMatchObject({
      state_type: "COMPLETED",
      run_count: 1,
      start_time: t0.toISOString(),
      end_time: done.body.state.timestamp,
      total_run_time: 2.5,
      state: { id: done.body.state.id, data: { rows: 3 } },
    });
    expect((await history(run.id)).map((s) => s.type)).toEqual(["PENDING", "RUNNING", "COMPLETED"]);
  });

  it("rejects leaving a terminal state with 200 and the current state, unless forced", async () => {
    const run = await newFlowRun({ state: { type: "COMPLETED" } });
    const refused = await setFlowRunState(run.id, { type: "RUNNING" });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: "REJECT", state: { id: run.state.id, type: "COMPLETED" } });
    expect(refused.body.details.reason).toMatch(/already COMPLETED/);
    expect(await history(run.id)).toHaveLength(1);
    const forced = await setFlowRunState(run.id, { type: "SCHEDULED" }, true);
    expect(forced.status).toBe(201);
    expect(await getRun(run.id)).toMatchObject({ state_type: "SCHEDULED", end_time: null });
  });

  it("lets exactly one of ten parallel PENDING to RUNNING proposals win", async () => {
    const run = await newFlowRun();
    const answers = await Promise.all(Array.from({ length: 10 }, () => setFlowRunState(run.id, { type: "RUNNING" })));
    expect(answers.filter((a) => a.body.status === "ACCEPT")).toHaveLength(1);
    expect(answers.filter((a) => a.body.status === "REJECT" && a.status === 200)).toHaveLength(9);
    expect((await getRun(run.id)).run_count).toBe(1);
    expect((await history(run.id)).filter((s) => s.type === "RUNNING")).toHaveLength(1);
  });

  it("turns a failure with retries left into AwaitingRetry, due again after the delay, then Retrying", async () => {
    const run = await newFlowRun({ empirical_policy: { retries: 1, retry_delay: 30 } });
    await setFlowRunState(run.id, { type: "RUNNING" });
    const before = Date.now();
    const failed = await setFlowRunState(run.id, { type: "FAILED", message: "boom" });
    expect(failed.status).toBe(201);
    expect(failed.body.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry", message: "boom" });
    expect(failed.body.details.reason).toBe("retry 1 of 1 in 30s");
    const due = Date.parse(failed.body.state.state_details.scheduled_time);
    expect(due - before).toBeGreaterThanOrEqual(29_000);
    const waiting = await getRun(run.id);
    expect(waiting).toMatchObject({ state_name: "AwaitingRetry", expected_start_time: failed.body.state.state_details.scheduled_time, end_time: null });
    const retry = await setFlowRunState(run.id, { type: "RUNNING" });
    expect(retry.body.state.name).toBe("Retrying");
    const final = await setFlowRunState(run.id, { type: "FAILED" });
    expect(final.body.state).toMatchObject({ type: "FAILED", name: "Failed" });
    expect(await getRun(run.id)).toMatchObject({ run_count: 2, state_type: "FAILED", end_time: final.body.state.timestamp });
  });

  it("answers ABORT to a run being cancelled", async () => {
    const run = await newFlowRun({ state: { type: "RUNNING" } });
    expect((await setFlowRunState(run.id, { type: "CANCELLING" })).body.status).toBe("ACCEPT");
    const abort = await setFlowRunState(run.id, { type: "RUNNING" });
    expect(abort.status).toBe(200);
    expect(abort.body).toMatchObject({ status: "ABORT", state: { type: "CANCELLING" } });
  });

  it("caps state data at 64 KB and changes nothing beyond", async () => {
    const run = await newFlowRun();
    const big = await setFlowRunState(run.id, { type: "RUNNING", data: { blob: "x".repeat(70_000) } });
    expect(big.status).toBe(422);
    expect(big.body.detail).toMatch(/body\.state\.data: is \d+ bytes of JSON; at most 65536/);
    expect(await getRun(run.id)).toMatchObject({ state_type: "PENDING", run_count: 0 });
    const fits = await setFlowRunState(run.id, { type: "RUNNING", data: { blob: "x".repeat(60_000) } });
    expect(fits.status).toBe(201);
  });

  it("refuses a report carrying another lease token with 409 and changes nothing", async () => {
    const run = await newFlowRun();
    await sqlRun("UPDATE flow_runs SET lease_token = 'claim-2', worker_id = 'w' WHERE id = ?", run.id);
    const stale = await setFlowRunState(run.id, { type: "RUNNING", state_details: { lease_token: "claim-1" } });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/lease_token does not match/);
    expect(await history(run.id)).toHaveLength(1);
    const current = await setFlowRunState(run.id, { type: "RUNNING", state_details: { lease_token: "claim-2" } });
    expect(current.status).toBe(201);
    // The token proves the claim; it is not stored or shown back.
    expect(current.body.state.state_details).toEqual({});
    expect((await setFlowRunState(run.id, { type: "COMPLETED" })).status).toBe(201);
  });

  it("refuses a lease token when the run holds no claim any more (crashed, awaiting retry)", async () => {
    const run = await newFlowRun({ state: { type: "RUNNING" }, empirical_policy: { retries: 1, retry_delay: 60 } });
    // The server declared the holder lost and released its claim; the run waits for its retry.
    await sqlRun("UPDATE flow_runs SET lease_token = NULL, worker_id = NULL WHERE id = ?", run.id);
    expect((await setFlowRunState(run.id, { type: "CRASHED" })).body.state.name).toBe("AwaitingRetry");
    const stale = await setFlowRunState(run.id, { type: "COMPLETED", state_details: { lease_token: "claim-1" } });
    expect(stale.status).toBe(409);
    expect((await getRun(run.id)).state_name).toBe("AwaitingRetry");
  });

  it("answers 404 for an unknown run and 422 for a malformed proposal", async () => {
    const missing = await setFlowRunState(UNKNOWN, { type: "RUNNING" });
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe(`flow run "${UNKNOWN}" not found`);
    const run = await newFlowRun();
    const bad = await setFlowRunState(run.id, { type: "DONE" });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("body.state.type");
  });
});

describe("cancelling a flow run", () => {
  const cancel = (id: string) => api("POST", `/flow_runs/${id}/cancel`);

  it("cancels a run no worker holds at once", async () => {
    const scheduled = await newFlowRun({ state: { type: "SCHEDULED", state_details: { scheduled_time: new Date(Date.now() + 60_000).toISOString() } } });
    const res = await cancel(scheduled.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ACCEPT", state: { type: "CANCELLED" } });
    // A script run of the SDK: running, but no worker to confirm anything.
    const direct = await newFlowRun({ state: { type: "RUNNING" } });
    expect((await cancel(direct.id)).body.state.type).toBe("CANCELLED");
    expect(await getRun(direct.id)).toMatchObject({ state_type: "CANCELLED", end_time: expect.any(String) });
  });

  it("asks the worker holding a run to cancel it, and a second cancel ends it", async () => {
    const run = await newFlowRun({ state: { type: "RUNNING" } });
    await sqlRun("UPDATE flow_runs SET worker_id = 'worker-1' WHERE id = ?", run.id);
    expect((await cancel(run.id)).body.state.type).toBe("CANCELLING");
    expect((await getRun(run.id)).state_type).toBe("CANCELLING");
    expect((await cancel(run.id)).body.state.type).toBe("CANCELLED");
  });

  it("answers 409 for a finished run and leaves it as it was", async () => {
    const run = await newFlowRun({ state: { type: "COMPLETED" } });
    const res = await cancel(run.id);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/cannot be cancelled: run is already COMPLETED/);
    expect(await getRun(run.id)).toMatchObject({ state_type: "COMPLETED", state: { id: run.state.id } });
  });
});
