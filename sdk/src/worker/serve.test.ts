import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentResponse } from "../../../protocol/deployments";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { Log } from "../../../protocol/logs";
import type { WorkPool } from "../../../protocol/work-pools";
import { ApiClient } from "../client/http";
import type { Output } from "../output";
import { flow } from "../runtime";
import { serveFlow, servedSchedules, servePoolName } from "./serve";
import { cleanEnv, LocalServer } from "./test-fixtures/local-server";
import { until } from "../testing/wait";

const project = fileURLToPath(new URL("./test-fixtures/project", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx");
const silent: Output = { info() {}, step() {}, success() {}, warn() {}, error() {} };

describe("servePoolName and servedSchedules", () => {
  it("gives each served deployment a pool of its own with a valid name", () => {
    expect(servePoolName("hello-flow", "my_first_deployment")).toBe("serve-hello-flow-my_first_deployment");
    expect(servePoolName("etl/daily", " 50% off\n")).toBe("serve-etl-daily-50-off");
    expect(servePoolName("x".repeat(300), "y").length).toBe(200);
  });

  it("turns interval, cron or rrule into one schedule, and refuses two", () => {
    expect(servedSchedules({})).toEqual([]);
    expect(servedSchedules({ interval: 60 })[0]!.schedule).toEqual({ interval: 60, timezone: "UTC" });
    expect(servedSchedules({ cron: "0 9 * * *", timezone: "Europe/Berlin" })[0]!.schedule).toEqual({
      cron: "0 9 * * *",
      timezone: "Europe/Berlin",
      day_or: true,
    });
    expect(servedSchedules({ rrule: "FREQ=DAILY" })[0]!.schedule).toEqual({ rrule: "FREQ=DAILY", timezone: null });
    expect(() => servedSchedules({ interval: 60, cron: "* * * * *" })).toThrow("give interval, cron or rrule, not interval and cron");
  });
});

describe("flow.serve against a real server", () => {
  let server: LocalServer;
  let client: ApiClient;

  beforeAll(async () => {
    server = await LocalServer.start();
    client = new ApiClient({ apiUrl: server.apiUrl, apiKey: undefined, configured: true });
    process.env.BATON_API_URL = server.apiUrl;
  });

  afterAll(async () => {
    delete process.env.BATON_API_URL;
    await server?.dispose();
  });

  const finalState = (id: string) =>
    until(`run ${id} to end`, async () => {
      const run = await client.get<FlowRun>(`/flow_runs/${id}`);
      return ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"].includes(run.state_type ?? "") && run;
    });

  it("registers the deployment with its schedule, runs its runs in this process, and stops when its signal aborts", async () => {
    const started: string[] = [];
    const served = flow("served-flow", async ({ seconds = 0, who = "nobody" }: { seconds?: number; who?: string } = {}) => {
      started.push(who);
      console.log(`serving ${who}`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return who;
    });
    const stop = new AbortController();
    const serving = serveFlow(served, { name: "every-hour", interval: 3600, parameters: { who: "default" }, tags: ["t1"], signal: stop.signal }, silent);

    const deployment = await until("the deployment", () => client.get<DeploymentResponse>("/deployments/name/served-flow/every-hour"));
    expect(deployment).toMatchObject({
      entrypoint: null,
      path: null,
      work_pool_name: "serve-served-flow-every-hour",
      parameters: { who: "default" },
      tags: ["t1"],
      parameter_openapi_schema: served.parameterSchema(),
    });
    expect(deployment.schedules.map((s) => s.schedule)).toEqual([expect.objectContaining({ interval: 3600 })]);
    await until("the pool to have its worker", async () => (await client.get<WorkPool>("/work_pools/serve-served-flow-every-hour")).status === "READY");

    const run = await client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, { parameters: { who: "Ada" } });
    expect((await finalState(run.id)).state_type).toBe("COMPLETED");
    expect(started).toContain("Ada");
    const logs = await client.post<Log[]>("/logs/filter", { logs: { flow_run_id: { any_: [run.id] } } });
    expect(logs.map((l) => l.message)).toContain("serving Ada");

    // Cancelling an in-process run aborts its signal; the agent reports it CANCELLED.
    const sleeper = await client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, { parameters: { who: "sleeper", seconds: 60 } });
    await until("the sleeper to run", async () => (await client.get<FlowRun>(`/flow_runs/${sleeper.id}`)).state_type === "RUNNING");
    await client.post(`/flow_runs/${sleeper.id}/cancel`);
    expect((await finalState(sleeper.id)).state_type).toBe("CANCELLED");

    stop.abort();
    await serving;
  });

  it("sends its triggers with the deployment: a matching event starts a run served here, with the templated parameter", async () => {
    const seen: string[] = [];
    const onFile = flow("on-file-flow", async ({ path = "" }: { path?: string } = {}) => {
      seen.push(path);
      return path;
    });
    const stop = new AbortController();
    const lines: string[] = [];
    const say: Output = { ...silent, info: (line: string) => void lines.push(line) };
    const triggers = [{ expect: ["serve-test.file.created"], parameters: { path: "{{ event.payload.path }}" } }];
    const serving = serveFlow(onFile, { name: "on-file", triggers, signal: stop.signal }, say);
    const deployment = await until("the deployment", () => client.get<DeploymentResponse>("/deployments/name/on-file-flow/on-file"));
    expect(deployment.triggers).toMatchObject([{ ...triggers[0], threshold: 1, enabled: true }]);
    await until("the pool to have its worker", async () => (await client.get<WorkPool>("/work_pools/serve-on-file-flow-on-file")).status === "READY");
    expect(lines).toContain("  Trigger:  serve-test.file.created");

    await client.post("/events", [{ event: "serve-test.file.created", resource: { "baton.resource.id": "file./in/b.csv" }, payload: { path: "/in/b.csv" } }]);
    const run = await until("the triggered run", async () => (await client.post<FlowRun[]>("/flow_runs/filter", { deployments: { id: { any_: [deployment.id] } } }))[0]);
    expect((await finalState(run.id)).state_type).toBe("COMPLETED");
    expect(seen).toEqual(["/in/b.csv"]);
    stop.abort();
    await serving;
  });

  it("at the server's root (no /api), refuses to start, saying where the API is", async () => {
    const root = server.apiUrl.replace(/\/api$/, "");
    process.env.BATON_API_URL = root;
    try {
      const served = flow("served-at-root", async () => "never");
      await expect(serveFlow(served, { name: "root" }, silent)).rejects.toThrow(`No Baton API at ${root} — did you mean ${server.apiUrl}?`);
    } finally {
      process.env.BATON_API_URL = server.apiUrl;
    }
  });

  it("serves from a script until Ctrl-C, then stops cleanly", async () => {
    const child = spawn(process.execPath, ["--import", tsx, "serve-hello.ts"], { cwd: project, env: cleanEnv({ BATON_API_URL: server.apiUrl }) });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await until("serving", async () => output.includes("Serving worker-test-hello/from-script"));
    expect(output).toContain("npx baton deployment run worker-test-hello/from-script");

    const deployment = await client.get<DeploymentResponse>("/deployments/name/worker-test-hello/from-script");
    const run = await client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, {});
    expect((await finalState(run.id)).state_type, output).toBe("COMPLETED");

    child.kill("SIGINT");
    expect(await exit, output).toBe(0);
    expect(output).toContain("Stopped serving worker-test-hello/from-script.");
  });
});
