import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DeploymentResponse } from "../../../../protocol/deployments";
import type { FlowRun } from "../../../../protocol/flow-runs";
import type { DeploymentSchedule } from "../../../../protocol/schedules";
import type { WorkPool } from "../../../../protocol/work-pools";
import { baton, batonStarted, CLOSED_SCHEMA, fakeFlowModule, startTestServer, writeProject, type TestServer } from "../../testing/cli";

let server: TestServer;
let project: string;
const cli = (...args: string[]) => baton(args, { apiUrl: server.apiUrl, cwd: project });
const deployment = (name: string) => server.client.get<DeploymentResponse>(`/deployments/name/hello-flow/${name}`);
const runsOf = (d: DeploymentResponse) => server.client.post<FlowRun[]>("/flow_runs/filter", { deployments: { id: { any_: [d.id] } } });
const setState = (id: string, state: Record<string, unknown>) => server.client.post(`/flow_runs/${id}/set_state`, { state });
const log = (id: string, message: string, level = 20) =>
  server.client.post("/logs/", [{ flow_run_id: id, level, message, timestamp: new Date().toISOString() }]);

beforeAll(async () => {
  [server, project] = await Promise.all([
    startTestServer(),
    writeProject({ "flows/hello.ts": fakeFlowModule({ helloFlow: "hello-flow" }), "flows/typed.ts": fakeFlowModule({ typedFlow: "typed-flow" }, CLOSED_SCHEMA) }),
  ]);
  for (const name of ["main", "scheduled", "to-delete"]) {
    const trigger = name === "main" ? ["--trigger", "file.created", "--trigger-param", "greeting={{ event.payload.path }}"] : [];
    const deployed = await cli("deploy", "flows/hello.ts:helloFlow", "--name", name, "--pool", "my-pool", "--create-pool", "--param", "greeting=Hi", ...trigger);
    expect(deployed.code, deployed.stderr).toBe(0);
  }
});
afterAll(async () => {
  await server?.stop();
  await rm(project, { recursive: true, force: true });
});

describe("baton deployment ls and inspect", () => {
  it("lists deployments in a table, and as JSON that parses", async () => {
    const table = await cli("deployment", "ls");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+WORK POOL\s+SCHEDULES\s+STATUS\s+UPDATED\n/);
    expect(table.stdout).toMatch(/hello-flow\/main\s+my-pool\s+-\s+active/);
    const json = JSON.parse((await cli("deployment", "ls", "--json")).stdout) as DeploymentResponse[];
    expect(json.map((d) => d.name)).toEqual(["main", "scheduled", "to-delete"]);
  });

  it("shows one deployment, and as JSON the API's own shape", async () => {
    const text = await cli("deployment", "inspect", "hello-flow/main");
    expect(text.stdout).toMatch(/Entrypoint\s+flows\/hello\.ts:helloFlow/);
    expect(text.stdout).toMatch(/Parameters\s+\{"greeting":"Hi"\}/);
    expect(text.stdout).toMatch(/^TRIGGER ID\s+WAITS FOR\s+PARAMETERS\s+ENABLED\n/m);
    expect(text.stdout).toMatch(/file\.created\s+\{"greeting":"\{\{ event\.payload\.path \}\}"\}\s+yes/);
    const json = JSON.parse((await cli("deployment", "inspect", "hello-flow/main", "--json")).stdout) as DeploymentResponse;
    expect(json).toEqual(await deployment("main"));
  });

  it("says in one line that a deployment does not exist (exit 1), and what a name looks like (exit 2)", async () => {
    const missing = await cli("deployment", "inspect", "hello-flow/nope");
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    // Hints say `npx baton …`, as the README does: the executable is in node_modules/.bin, not on PATH.
    expect(missing.stderr).toBe("✖ Deployment hello-flow/nope not found. [E_DEPLOYMENT_NOT_FOUND]\n  `npx baton deployment ls` lists the deployments.\n");
    const malformed = await cli("deployment", "run", "main");
    expect(malformed.code).toBe(2);
    expect(malformed.stderr.split("\n")[0]).toBe('✖ Invalid deployment name "main" [E_USAGE]');
  });

  it("shows the usage for a flag the command does not have, and for a missing argument (exit 2)", async () => {
    const flag = await cli("deployment", "ls", "--jsn");
    expect(flag.code).toBe(2);
    expect(flag.stdout).toContain("USAGE baton deployment ls");
    expect(flag.stderr).toBe("✖ Unknown option --jsn [E_USAGE]\n");
    const missing = await cli("deployment", "inspect");
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("USAGE baton deployment inspect");
  });
});

describe("baton deployment run", () => {
  it("creates a run with the given parameters over the deployment's defaults", async () => {
    const result = await cli("deployment", "run", "hello-flow/main", "--param", "name=Ada", "--param", "count=3");
    expect(result.code).toBe(0);
    const id = /\(([0-9a-f-]{36})\)/.exec(result.stdout)?.[1];
    const run = await server.client.get<FlowRun>(`/flow_runs/${id}`);
    expect(run).toMatchObject({ parameters: { greeting: "Hi", name: "Ada", count: 3 }, state_type: "SCHEDULED", work_pool_name: "my-pool" });
    expect(result.stdout).toContain(`Follow it: npx baton flow-run logs ${id} --follow`);
    expect(result.stderr).toBe("▲ No worker is online for pool my-pool: start one with `npx baton worker start --pool my-pool`\n");
  });

  it("prints the run as JSON with --json", async () => {
    const result = await cli("deployment", "run", "hello-flow/main", "--param", "name=Bob", "--json");
    const run = JSON.parse(result.stdout) as FlowRun;
    expect(run.parameters).toEqual({ greeting: "Hi", name: "Bob" });
  });

  it("--watch follows states and logs until the run completes, exit 0", async () => {
    const watching = batonStarted(["deployment", "run", "hello-flow/main", "--watch"], { apiUrl: server.apiUrl, cwd: project });
    const id = await until(() => /\(([0-9a-f-]{36})\)/.exec(watching.stdout())?.[1]);
    // The test plays the worker's part through the same API a worker reports to.
    await setState(id, { type: "RUNNING" });
    await log(id, "Hello, Ada!");
    await until(() => watching.stdout().includes("Hello, Ada!"));
    await log(id, "almost done", 30);
    await setState(id, { type: "COMPLETED" });
    const result = await watching.result;
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    // Scheduled may pass before the first poll; what follows it is seen in order.
    const order = ["Running", "Hello, Ada!", "almost done", "Completed"].map((text) => lines.findIndex((l) => l.includes(text)));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), result.stdout).toBe(true);
    expect(result.stdout).toMatch(/WARNING\s+almost done/);
  });

  it("--watch exits 1 with the reason when the run fails", async () => {
    const watching = batonStarted(["deployment", "run", "hello-flow/main", "--watch"], { apiUrl: server.apiUrl, cwd: project });
    const id = await until(() => /\(([0-9a-f-]{36})\)/.exec(watching.stdout())?.[1]);
    await setState(id, { type: "RUNNING" });
    await setState(id, { type: "FAILED", message: "ValueError: boom" });
    const result = await watching.result;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✖ Flow run \S+ ended Failed: ValueError: boom \[E_RUN_NOT_COMPLETED\]/);
  });
});

describe("baton deployment schedule", () => {
  it("create --interval 60 gives the deployment upcoming runs at once", async () => {
    const result = await cli("deployment", "schedule", "create", "hello-flow/scheduled", "--interval", "60");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✔ Added schedule every 1m to hello-flow\/scheduled \(id [0-9a-f-]{36}\)/);
    const d = await deployment("scheduled");
    expect(d.schedules).toHaveLength(1);
    const upcoming = (await runsOf(d)).filter((r) => r.auto_scheduled && r.state_type === "SCHEDULED");
    expect(upcoming.length).toBeGreaterThan(0);
    const gaps = upcoming.map((r) => Date.parse(r.expected_start_time!)).sort().map((t, i, all) => (i ? t - all[i - 1]! : 60_000));
    expect(new Set(gaps)).toEqual(new Set([60_000]));
  });

  it("ls shows each schedule's id, definition, state and next runs; --json parses", async () => {
    const [s] = (await deployment("scheduled")).schedules;
    const table = await cli("deployment", "schedule", "ls", "hello-flow/scheduled");
    expect(table.stdout).toMatch(new RegExp(`^ID\\s+SCHEDULE\\s+ACTIVE\\s+NEXT RUNS\\n${s!.id}\\s+every 1m\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(in `));
    const json = JSON.parse((await cli("deployment", "schedule", "ls", "hello-flow/scheduled", "--json")).stdout) as (DeploymentSchedule & { upcoming_runs: string[] })[];
    expect(json).toMatchObject([{ id: s!.id, active: true, schedule: { interval: 60 } }]);
    expect(json[0]!.upcoming_runs.length).toBeGreaterThan(0);
  });

  it("ls shows the next run of every schedule, however many runs a frequent one has queued ahead of the others", async () => {
    const flowId = (await deployment("main")).flow_id;
    const busy = await server.client.post<DeploymentResponse>("/deployments/", {
      name: "busy",
      flow_id: flowId,
      schedules: [{ schedule: { interval: 1 }, max_scheduled_runs: 1000 }],
    });
    const scheduled = (filter: Record<string, unknown> = {}) =>
      server.client.post<number>("/flow_runs/count", { deployments: { id: { any_: [busy.id] } }, flow_runs: { state: { type: { any_: ["SCHEDULED"] } }, ...filter } });
    // The first fill queues the next 2 minutes of slots; the one that adding the other schedules starts, 100 more.
    await vi.waitFor(async () => expect(await scheduled()).toBeGreaterThanOrEqual(100), { timeout: 20_000, interval: 200 });
    const [every10s, hourly] = await server.client.post<DeploymentSchedule[]>(`/deployments/${busy.id}/schedules`, [
      { schedule: { interval: 10 } },
      { schedule: { interval: 3600 } },
    ]);
    const ofSchedule = (id: string) => scheduled({ idempotency_key: { startswith_: `scheduled:${busy.id}:${id}:` } });
    await vi.waitFor(async () => expect(await ofSchedule(hourly!.id)).toBe(1), { timeout: 20_000, interval: 200 });
    await vi.waitFor(async () => expect(await ofSchedule(busy.schedules[0]!.id)).toBeGreaterThan(200), { timeout: 20_000, interval: 200 });
    // What the deployment's first 200 Scheduled runs hold: not the hourly one.
    const first200 = await server.client.post<FlowRun[]>("/flow_runs/filter", {
      deployments: { id: { any_: [busy.id] } },
      flow_runs: { state: { type: { any_: ["SCHEDULED"] } } },
      sort: "EXPECTED_START_TIME_ASC",
      limit: 200,
    });
    expect(first200.some((r) => r.idempotency_key?.includes(hourly!.id))).toBe(false);

    const json = JSON.parse((await cli("deployment", "schedule", "ls", "hello-flow/busy", "--json")).stdout) as (DeploymentSchedule & { upcoming_runs: string[] })[];
    const ids = [busy.schedules[0]!.id, every10s!.id, hourly!.id];
    // Up to 3 each: the hourly schedule has one queued so far.
    expect(json.map((s) => [s.id, s.upcoming_runs.length])).toEqual([[ids[0], 3], [ids[1], 3], [ids[2], 1]]);
    const table = (await cli("deployment", "schedule", "ls", "hello-flow/busy")).stdout;
    for (const id of ids) expect(table).toMatch(new RegExp(`${id}\\s+every \\S+\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d `));
  });

  it("pauses, resumes and deletes a schedule by its id or the start of it", async () => {
    const [s] = (await deployment("scheduled")).schedules;
    expect((await cli("deployment", "schedule", "pause", "hello-flow/scheduled", s!.id.slice(0, 8))).code).toBe(0);
    expect((await deployment("scheduled")).schedules[0]!.active).toBe(false);
    expect((await cli("deployment", "schedule", "resume", "hello-flow/scheduled", s!.id)).code).toBe(0);
    expect((await deployment("scheduled")).schedules[0]!.active).toBe(true);
    const unknown = await cli("deployment", "schedule", "delete", "hello-flow/scheduled", "ffff");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.split("\n")[0]).toBe('✖ Deployment hello-flow/scheduled has no schedule "ffff". [E_SCHEDULE_NOT_FOUND]');
    expect((await cli("deployment", "schedule", "delete", "hello-flow/scheduled", s!.id)).code).toBe(0);
    const d = await deployment("scheduled");
    expect(d.schedules).toEqual([]);
    expect((await runsOf(d)).filter((r) => r.auto_scheduled && r.state_type === "SCHEDULED")).toEqual([]);
  });

  it("refuses two kinds of schedule at once (exit 2) and passes on the server's reason for a bad cron (exit 1)", async () => {
    const both = await cli("deployment", "schedule", "create", "hello-flow/scheduled", "--interval", "60", "--cron", "* * * * *");
    expect(both.code).toBe(2);
    const bad = await cli("deployment", "schedule", "create", "hello-flow/scheduled", "--cron", "61 * * * *");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^✖ --cron '61 \* \* \* \*': .*\[E_HTTP_422\]\n$/);
  });
});

describe("baton deployment pause, resume and delete", () => {
  it("pauses and resumes a deployment; a paused one takes no runs", async () => {
    expect((await cli("deployment", "pause", "hello-flow/main")).stdout).toBe("✔ Paused deployment hello-flow/main\n");
    expect((await deployment("main")).paused).toBe(true);
    const refused = await cli("deployment", "run", "hello-flow/main");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("deployment is paused");
    expect((await cli("deployment", "resume", "hello-flow/main")).code).toBe(0);
    expect((await deployment("main")).paused).toBe(false);
  });

  it("deletes a deployment", async () => {
    expect((await cli("deployment", "delete", "hello-flow/to-delete")).stdout).toBe("✔ Deleted deployment hello-flow/to-delete\n");
    await expect(deployment("to-delete")).rejects.toMatchObject({ status: 404 });
  });
});

describe("baton deployment ls order, run mistakes and hints", () => {
  const deployIn = async (flowName: string, name: string) => {
    const flow = await server.client.post<{ id: string }>("/flows/", { name: flowName });
    await server.client.post("/deployments/", { name, flow_id: flow.id, work_pool_name: "my-pool" });
  };

  it("ls lists by flow name, then deployment name, and --limit takes the first of that order", async () => {
    await deployIn("zz-flow", "aaa");
    await deployIn("a-flow", "zzz");
    const listed = (JSON.parse((await cli("deployment", "ls", "--json")).stdout) as DeploymentResponse[]).map((d) => `${d.flow_name}/${d.name}`);
    const pairs = listed.map((full) => full.split("/") as [string, string]);
    expect(pairs).toEqual([...pairs].sort(([f1, n1], [f2, n2]) => (f1 === f2 ? (n1 < n2 ? -1 : 1) : f1 < f2 ? -1 : 1)));
    expect(listed[0]).toBe("a-flow/zzz");
    expect(listed.at(-1)).toBe("zz-flow/aaa");
    const first = await cli("deployment", "ls", "--limit", "1");
    expect(first.stdout.split("\n")[1]).toMatch(/^a-flow\/zzz\s+my-pool/);
  });

  it("run names the --param the deployment's schema refuses, as typed", async () => {
    expect((await cli("deploy", "flows/typed.ts:typedFlow", "--name", "typed", "--pool", "my-pool")).code).toBe(0);
    const result = await cli("deployment", "run", "typed-flow/typed", "--param", "currency=JPY");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('✖ --param currency=JPY: Instance does not match any of ["EUR","USD"]. [E_HTTP_422]\n');
  });

  it("inspect names the deployment an --after trigger waits on", async () => {
    expect((await cli("deploy", "flows/hello.ts:helloFlow", "--name", "chained", "--pool", "my-pool", "--after", "hello-flow/main:failed")).code).toBe(0);
    const text = await cli("deployment", "inspect", "hello-flow/chained");
    expect(text.stdout).toMatch(/baton\.flow-run\.Failed of hello-flow\/main\s+-\s+yes/);
  });

  it("--watch says once why the run waits Scheduled: its pool is paused, then that no worker is online", async () => {
    await server.client.post<WorkPool>("/work_pools/", { name: "held", is_paused: true });
    expect((await cli("deploy", "flows/hello.ts:helloFlow", "--name", "held", "--pool", "held")).code).toBe(0);
    const watching = batonStarted(["deployment", "run", "hello-flow/held", "--watch"], { apiUrl: server.apiUrl, cwd: project });
    const paused = "▲ Work pool held is paused: resume it with `npx baton work-pool resume held`\n";
    await until(() => watching.stderr().includes(paused));
    await server.client.post("/work_pools/held/resume");
    const noWorker = "▲ No worker is online for pool held: start one with `npx baton worker start --pool held`\n";
    await until(() => watching.stderr().includes(noWorker));
    const id = /\(([0-9a-f-]{36})\)/.exec(watching.stdout())![1]!;
    await setState(id, { type: "RUNNING" });
    await setState(id, { type: "COMPLETED" });
    const result = await watching.result;
    expect(result.code).toBe(0);
    // Each once, however many polls the run waited.
    expect(result.stderr).toBe(paused + noWorker);
  });
});

async function until<T>(probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
