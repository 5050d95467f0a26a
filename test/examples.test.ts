import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowRun } from "../protocol/flow-runs";
import { RecordedRuns } from "../sdk/src/runtime/test-fixtures/recorded-runs";
import { baton, batonStarted, repoRoot, startTestServer, type TestServer } from "../sdk/src/testing/cli";
import { freePort } from "../sdk/src/testing/free-port";

/*
 * The tutorial's flows (examples/), run as the README tells people to run them: as scripts through tsx,
 * served, and deployed to a worker, against one real local server.
 */

const tsx = join(repoRoot, "node_modules/.bin/tsx");

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tsx examples/<file>` from the repository's root, with only the Baton settings given here. */
function spawnExample(file: string, env: Record<string, string>): ChildProcessWithoutNullStreams {
  const { BATON_API_KEY, BATON_API_URL, BATON_HOME, BATON_WORKER_CHILD, ...inherited } = process.env;
  return spawn(process.execPath, [tsx, join("examples", file)], { cwd: repoRoot, env: { ...inherited, NO_COLOR: "1", ...env } });
}

function runExample(file: string, env: Record<string, string>): Promise<Ran> {
  const child = spawnExample(file, env);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let server: TestServer;
let api: RecordedRuns;
const example = (file: string) => runExample(file, { BATON_API_URL: server.apiUrl });

beforeAll(async () => {
  server = await startTestServer();
  api = new RecordedRuns(server.apiUrl);
});
afterAll(() => server?.stop());

describe("examples run as scripts", () => {
  it("hello.ts: hello-flow Completed, with its greet task run and the greeting as a log line", async () => {
    const ran = await example("hello.ts");
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("Hello, Ada!");
    const run = await api.onlyRun("hello-flow");
    expect(run).toMatchObject({ state_type: "COMPLETED", parameters: { name: "Ada" } });
    const tasks = await api.taskRuns(run.id);
    expect(tasks.map((t) => [t.name, t.state_type])).toEqual([["greet-0", "COMPLETED"]]);
    expect((await api.logs(run.id)).map((l) => l.message)).toContain("Hello, Ada!");
  });

  it("hello.ts without a server still runs, and says once that nothing is recorded", async () => {
    const ran = await runExample("hello.ts", { BATON_API_URL: `http://127.0.0.1:${await freePort()}/api` });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("Hello, Ada!");
    expect(ran.stderr.match(/nothing is recorded/g)).toHaveLength(1);
  });

  it("retries.ts: each fetch fails once, is retried after its delay, and the flow completes", async () => {
    const ran = await example("retries.ts");
    expect(ran.code, ran.stderr).toBe(0);
    const run = await api.onlyRun("weather-report");
    expect(run.state_type).toBe("COMPLETED");
    const fetches = (await api.taskRuns(run.id)).filter((t) => t.task_key === "fetch-temperature");
    expect(fetches).toHaveLength(3);
    for (const t of fetches) {
      expect(t).toMatchObject({ state_type: "COMPLETED", run_count: 2 });
      const names = (await api.taskRunStates(t.id)).map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(["AwaitingRetry", "Retrying", "Completed"]));
    }
    const messages = (await api.logs(run.id)).map((l) => l.message);
    expect(messages.filter((m) => m.startsWith("Attempt 1 failed: Error: weather API answered 503"))).toHaveLength(3);
    expect(messages).toContain("Warmest: Oslo (28 °C)");
  });

  it("etl.ts: one transform task run per record, between extract and load", async () => {
    const ran = await example("etl.ts");
    expect(ran.code, ran.stderr).toBe(0);
    const run = await api.onlyRun("etl");
    expect(run).toMatchObject({ state_type: "COMPLETED", parameters: { orders: 12, currency: "EUR" } });
    const tasks = await api.taskRuns(run.id);
    const count = (key: string) => tasks.filter((t) => t.task_key === key && t.state_type === "COMPLETED").length;
    expect([count("extract"), count("transform"), count("load")]).toEqual([1, 12, 1]);
    expect((await api.logs(run.id)).map((l) => l.message)).toContain("Loaded 12 rows, total 509.56 EUR");
  });
});

describe("examples deployed", () => {
  it("etl.ts deployed by flags gets its parameter schema, and a worker runs it with --param", async () => {
    const cli = (...args: string[]) => baton(args, { apiUrl: server.apiUrl });
    const deployed = await cli("deploy", "examples/etl.ts:etlFlow", "--name", "nightly", "--pool", "examples-pool", "--create-pool", "--json");
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout).parameter_openapi_schema).toMatchObject({
      properties: { orders: { type: "integer", minimum: 1, maximum: 500 }, currency: { enum: ["EUR", "USD", "GBP"] } },
    });
    const refused = await cli("deployment", "run", "etl/nightly", "--param", "currency=JPY");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--param currency=JPY: Instance does not match any of ["EUR","USD","GBP"].`);
    // A name the flow does not take (a typo) is refused too, rather than dropped by valibot at run time.
    const bogus = await cli("deployment", "run", "etl/nightly", "--param", "bogus=1");
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toContain("--param bogus=1: unknown parameter (the flow's parameters are: orders, currency)");

    const worker = batonStarted(["worker", "start", "--pool", "examples-pool"], { apiUrl: server.apiUrl });
    try {
      const watched = await cli("deployment", "run", "etl/nightly", "--param", "orders=5", "--param", "currency=GBP", "--watch");
      expect(watched.code, watched.stdout + watched.stderr).toBe(0);
      expect(watched.stdout).toMatch(/INFO\s+load-0 │ Loaded 5 rows, total \d+\.\d\d GBP/);
    } finally {
      worker.child.kill("SIGTERM");
      await worker.result;
    }
  });

  it("serve.ts registers hello-flow/my_first_deployment, runs a run in its own process, and stops on Ctrl-C", async () => {
    const serving = spawnExample("serve.ts", { BATON_API_URL: server.apiUrl });
    let output = "";
    serving.stdout.on("data", (chunk: Buffer) => (output += chunk));
    serving.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => serving.on("close", resolve));
    try {
      await until("Serving", async () => (output.includes("Serving hello-flow/my_first_deployment") ? true : undefined));
      const deployment = await server.client.get<{ id: string; schedules: { schedule: { interval?: number } }[] }>("/deployments/name/hello-flow/my_first_deployment");
      expect(deployment.schedules.map((s) => s.schedule.interval)).toEqual([60]);
      const created = await server.client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, { parameters: { name: "Grace" } });
      const done = await until("the served run to end", async () => {
        const run = await server.client.get<FlowRun>(`/flow_runs/${created.id}`);
        return run.end_time ? run : undefined;
      });
      expect(done.state_type).toBe("COMPLETED");
      expect((await api.logs(created.id)).map((l) => l.message)).toContain("Hello, Grace!");
    } finally {
      serving.kill("SIGINT");
    }
    expect(await exited, output).toBe(0);
    expect(output).toContain("Stopped serving hello-flow/my_first_deployment.");
  });
});
