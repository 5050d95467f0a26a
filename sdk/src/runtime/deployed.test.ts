import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowRun } from "../../../protocol/flow-runs";
import { LocalServer } from "../worker/test-fixtures/local-server";
import { runDeployedFlowRun } from "./deployed";
import { LOG_LEVELS } from "../../../protocol/logs";
import { flow, task } from "./index";
import { RecordedRuns } from "./test-fixtures/recorded-runs";
import { CHILD_ENV } from "./types";

/*
 * runDeployedFlowRun as a worker calls it, on runs of a real deployment claimed from a real server (through
 * the long-poll claim, which hands out the same leases as the worker socket).
 */
let server: LocalServer;
let api: RecordedRuns;

beforeAll(async () => {
  server = await LocalServer.start();
  api = new RecordedRuns(server.apiUrl);
});

afterAll(async () => {
  await server?.dispose();
});

/** A deployment of `flowName` in a pool of its own, and a function that creates a run and claims it. */
async function deployment(flowName: string, retries = 0) {
  const { client } = api;
  const pool = `${flowName}-pool`;
  await client.post("/work_pools/", { name: pool });
  const { id: flow_id } = await client.post<{ id: string }>("/flows/", { name: flowName });
  const { id } = await client.post<{ id: string }>("/deployments/", { name: "d", flow_id, work_pool_name: pool, retries });
  return async (parameters: Record<string, unknown> = {}) => {
    const created = await client.post<FlowRun>(`/deployments/${id}/create_flow_run`, { parameters });
    const claimed = await client.post<{ flow_run: FlowRun; lease_token: string }[]>(`/work_pools/${pool}/get_scheduled_flow_runs`, {
      wait_seconds: 5,
      heartbeat_interval_seconds: 120,
    });
    expect(claimed.map((c) => c.flow_run.id)).toEqual([created.id]);
    return { flowRunId: created.id, leaseToken: claimed[0]!.lease_token, client };
  };
}

const stateNames = async (id: string) => (await api.flowRunStates(id)).map((s) => s.name);

describe("runDeployedFlowRun", () => {
  it("runs a claimed run with its parameters under its lease, and reports it COMPLETED with its task runs and logs", async () => {
    const square = task("square", async (n: number) => n * n);
    const deployed = flow("deployed-flow", async ({ n }: { n: number }) => {
      console.log(`n is ${n}`);
      return square(n);
    });
    const claim = await deployment("deployed-flow");
    const run = await claim({ n: 7 });
    expect(await runDeployedFlowRun(deployed, run)).toEqual({ state: "COMPLETED" });
    const recorded = await api.client.get<FlowRun>(`/flow_runs/${run.flowRunId}`);
    expect(recorded).toMatchObject({ state_type: "COMPLETED", state: { data: { type: "number", preview: "49" } } });
    expect(await stateNames(run.flowRunId)).toEqual(["Scheduled", "Pending", "Running", "Completed"]);
    expect((await api.taskRuns(run.flowRunId)).map((t) => `${t.name}:${t.state_type}`)).toEqual(["square-0:COMPLETED"]);
    expect((await api.logs(run.flowRunId)).map((l) => l.message)).toContain("n is 7");
  });

  it("retries the flow in-process when the deployment's policy says so (AwaitingRetry → Retrying)", async () => {
    let attempts = 0;
    const flaky = flow("deployed-flaky", async () => {
      if (++attempts === 1) throw new Error("first attempt fails");
      return "second time lucky";
    });
    const run = await (await deployment("deployed-flaky", 1))();
    expect(await runDeployedFlowRun(flaky, run)).toEqual({ state: "COMPLETED" });
    expect(await stateNames(run.flowRunId)).toEqual(["Scheduled", "Pending", "Running", "AwaitingRetry", "Retrying", "Completed"]);
  });

  it("ends FAILED (reported) when the flow throws and no retry is left", async () => {
    const failing = flow("deployed-failing", async () => {
      throw new Error("broken");
    });
    const run = await (await deployment("deployed-failing"))();
    expect(await runDeployedFlowRun(failing, run)).toEqual({ state: "FAILED", message: "Error: broken" });
    expect((await api.client.get<FlowRun>(`/flow_runs/${run.flowRunId}`)).state_type).toBe("FAILED");
  });

  it("stops without any report when its lease is not the run's (409)", async () => {
    let ran = false;
    const f = flow("deployed-stale", async () => void (ran = true));
    const run = await (await deployment("deployed-stale"))();
    const outcome = await runDeployedFlowRun(f, { ...run, leaseToken: "not-the-lease" });
    expect(outcome.state).toBe("ABORTED");
    expect(outcome.message).toMatch(/lease_token does not match/);
    expect(ran).toBe(false);
    expect(await stateNames(run.flowRunId)).toEqual(["Scheduled", "Pending"]);
  });

  it("does not start a run cancelled after its claim (ABORT), and reports nothing", async () => {
    let ran = false;
    const f = flow("deployed-cancelled", async () => void (ran = true));
    const run = await (await deployment("deployed-cancelled"))();
    await api.client.post(`/flow_runs/${run.flowRunId}/cancel`);
    const outcome = await runDeployedFlowRun(f, run);
    expect(outcome).toMatchObject({ state: "ABORTED", message: expect.stringMatching(/cancelling/) });
    expect(ran).toBe(false);
    expect(await stateNames(run.flowRunId)).toEqual(["Scheduled", "Pending", "Cancelling"]);
  });

  it("answers at once, reporting nothing more, when its signal aborts (an in-process cancel)", async () => {
    const f = flow("deployed-signal", () => new Promise(() => {}));
    const run = await (await deployment("deployed-signal"))();
    const abort = new AbortController();
    const outcome = runDeployedFlowRun(f, { ...run, signal: abort.signal });
    await new Promise((r) => setTimeout(r, 500));
    abort.abort();
    expect(await outcome).toMatchObject({ state: "ABORTED" });
    expect(await stateNames(run.flowRunId)).toEqual(["Scheduled", "Pending", "Running"]);
  });

  it("in a worker's child, stores the notices that sending failed as WARNINGs of the run once the server is back, and prints nothing", async () => {
    // What a worker's child prints on stderr the worker stores as ERROR lines of the run (worker/run-output.ts).
    const printed: string[] = [];
    const { error } = console;
    const before = process.env[CHILD_ENV.workerChild];
    process.env[CHILD_ENV.workerChild] = "1";
    console.error = (...args: unknown[]) => void printed.push(args.join(" "));
    const during = task("during-the-outage", async () => "ok");
    const f = flow("deployed-through-an-outage", async () => {
      console.log("before the outage");
      await server.stop();
      console.log("while the server is away");
      // Its task run reports wait too (and say so).
      await during();
      // Long enough for the shipper to try, and fail.
      await new Promise((r) => setTimeout(r, 1500));
      await server.restart();
      return "done";
    });
    try {
      const run = await (await deployment("deployed-through-an-outage"))();
      expect(await runDeployedFlowRun(f, run)).toEqual({ state: "COMPLETED" });
      const logs = await api.logs(run.flowRunId);
      expect(logs.map((l) => l.message)).toEqual(expect.arrayContaining(["before the outage", "while the server is away"]));
      for (const what of ["logs", "task run reports"]) {
        const notices = logs.filter((l) => l.message.startsWith(`Baton: sending ${what} failed, retrying until the server takes them`));
        expect(notices.map((l) => [l.level, l.name]), what).toEqual([[LOG_LEVELS.WARNING, "baton"]]);
      }
      expect((await api.taskRuns(run.flowRunId)).map((t) => `${t.name}:${t.state_type}`)).toEqual(["during-the-outage-0:COMPLETED"]);
      expect(printed).toEqual([]);
    } finally {
      console.error = error;
      if (before === undefined) delete process.env[CHILD_ENV.workerChild];
      else process.env[CHILD_ENV.workerChild] = before;
    }
  });
});
