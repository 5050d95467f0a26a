import { realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentResponse } from "../../../../protocol/deployments";
import { baton, CLOSED_SCHEMA, fakeFlowModule, startTestServer, writeProject, type TestServer } from "../../testing/cli";

let server: TestServer;
let project: string;
const deploy = (...args: string[]) => baton(["deploy", ...args], { apiUrl: server.apiUrl, cwd: project });
const byName = (name: string) => server.client.get<DeploymentResponse>(`/deployments/name/hello-flow/${name}`);
const SCHEMA = { type: "object", properties: { name: { type: "string", default: "World" } }, additionalProperties: true };

beforeAll(async () => {
  [server, project] = await Promise.all([
    startTestServer(),
    writeProject({ "flows/hello.ts": fakeFlowModule({ helloFlow: "hello-flow" }), "flows/typed.ts": fakeFlowModule({ typedFlow: "typed-flow" }, CLOSED_SCHEMA) }),
  ]);
  project = realpathSync(project);
});
afterAll(async () => {
  await server?.stop();
  await rm(project, { recursive: true, force: true });
});

describe("baton deploy by flags", () => {
  it("creates the deployment with its entrypoint, path, pool, schedule, parameters and parameter schema", async () => {
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "my_first_deployment", "--pool", "my-pool", "--create-pool", "--interval", "60", "--param", "name=Ada", "--tag", "tutorial");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("✔ Created deployment hello-flow/my_first_deployment");
    expect(result.stdout).toContain("Work pool   my-pool (created)");
    expect(result.stdout).toContain("npx baton worker start --pool my-pool");
    expect(result.stdout).toContain("npx baton deployment run hello-flow/my_first_deployment");

    const d = await byName("my_first_deployment");
    expect(d).toMatchObject({
      entrypoint: "flows/hello.ts:helloFlow",
      path: project,
      work_pool_name: "my-pool",
      parameters: { name: "Ada" },
      parameter_openapi_schema: SCHEMA,
      tags: ["tutorial"],
      description: "a test flow",
    });
    expect(d.schedules.map((s) => s.schedule)).toEqual([expect.objectContaining({ interval: 60 })]);
  });

  it("updates it in place: a schedule flag replaces the schedules, no schedule flag keeps them", async () => {
    const before = await byName("my_first_deployment");
    const cron = await deploy("flows/hello.ts:helloFlow", "--name", "my_first_deployment", "--pool", "my-pool", "--cron", "0 9 * * *", "--timezone", "Europe/Berlin");
    expect(cron.code).toBe(0);
    expect(cron.stdout).toContain("✔ Updated deployment hello-flow/my_first_deployment");
    const after = await byName("my_first_deployment");
    expect(after.id).toBe(before.id);
    expect(after.schedules.map((s) => s.schedule)).toEqual([{ cron: "0 9 * * *", timezone: "Europe/Berlin", day_or: true }]);

    expect((await deploy("flows/hello.ts", "--name", "my_first_deployment", "--pool", "my-pool")).code).toBe(0);
    expect((await byName("my_first_deployment")).schedules.map((s) => s.schedule)).toEqual(after.schedules.map((s) => s.schedule));
  });

  it("prints the deployment as JSON with --json", async () => {
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "as-json", "--pool", "my-pool", "--json");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as DeploymentResponse;
    expect(printed).toMatchObject({ name: "as-json", flow_name: "hello-flow", entrypoint: "flows/hello.ts:helloFlow" });
    expect(printed.id).toBe((await byName("as-json")).id);
  });
});

describe("baton deploy mistakes", () => {
  const oneLine = (stderr: string) => stderr.trim().split("\n")[0]!;

  it("refuses a pool that does not exist unless asked to create it", async () => {
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "x", "--pool", "nowhere");
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe("✖ Work pool nowhere does not exist. [E_POOL_NOT_FOUND]");
    expect(result.stderr).toContain("--create-pool");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("says when the export is not a flow, and which flows the file has", async () => {
    const result = await deploy("flows/hello.ts:notAFlow", "--name", "x", "--pool", "my-pool");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("✖ flows/hello.ts exports notAFlow, but it is not a flow. [E_NOT_A_FLOW]\n  Flows it exports: flows/hello.ts:helloFlow");
  });

  it("passes on the server's reason for refusing a schedule, on one line naming the flags typed", async () => {
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "x", "--pool", "my-pool", "--cron", "0 0 31 2 *");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`✖ --cron '0 0 31 2 *': cron "0 0 31 2 *" never fires [E_HTTP_422]`);
    const zone = await deploy("flows/hello.ts:helloFlow", "--name", "x", "--pool", "my-pool", "--cron", "0 9 * * *", "--timezone", "Mars/Olympus");
    expect(zone.stderr.trim()).toBe(`✖ --cron '0 9 * * *' --timezone Mars/Olympus: unknown time zone "Mars/Olympus" [E_HTTP_422]`);
  });

  it("names the --param a closed parameter schema refuses, as typed", async () => {
    const result = await deploy("flows/typed.ts:typedFlow", "--name", "x", "--pool", "my-pool", "--param", "currency=JPY", "--param", "nmae=Ada");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `✖ --param nmae=Ada: unknown parameter (the flow's parameters are: name, currency); --param currency=JPY: Instance does not match any of ["EUR","USD"]. [E_HTTP_422]`,
    );
  });

  it("asks for nothing outside a terminal: a missing entrypoint or flag is a usage error (exit 2)", async () => {
    const bare = await deploy();
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain("USAGE baton deploy");
    expect(oneLine(bare.stderr)).toBe("✖ Give the flow to deploy as path/to/file.ts:exportName [E_USAGE]");
    const noPool = await deploy("flows/hello.ts:helloFlow", "--name", "x");
    expect(noPool.code).toBe(2);
    expect(oneLine(noPool.stderr)).toBe("✖ Give --pool [E_USAGE]");
  });

  it("refuses a mistyped flag with the usage (exit 2) instead of deploying without it", async () => {
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "typo", "--pool", "my-pool", "--intervall", "60");
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("--interval=<seconds>");
    expect(result.stderr.trim()).toBe("✖ Unknown option --intervall [E_USAGE]");
    await expect(byName("typo")).rejects.toMatchObject({ status: 404 });
  });

  it("says which server it cannot reach", async () => {
    const result = await baton(["deploy", "flows/hello.ts:helloFlow", "--name", "x", "--pool", "p"], { apiUrl: "http://127.0.0.1:9/api", cwd: project });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe("✖ Cannot reach the Baton server at http://127.0.0.1:9/api. [E_UNREACHABLE]");
  });
});

describe("baton deploy with triggers", () => {
  type Run = { id: string; parameters: Record<string, unknown>; state_type: string };
  const runsOf = (deploymentId: string) => server.client.post<Run[]>("/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } } });
  const eventually = async <T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> => {
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      const value = await check();
      if (value) return value;
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("shows the trigger flags in --help", async () => {
    const help = await deploy("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--trigger=<event\|json>/);
    expect(help.stdout).toMatch(/--trigger-param=<key=template>/);
    expect(help.stdout).toMatch(/--after=<flow\/deployment\[:state\]>/);
  });

  it("--trigger with --trigger-param: an event sent to the server starts a run with the templated parameter", async () => {
    const burst = JSON.stringify({ expect: ["webhook.received"], threshold: 3, within: 60 });
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "on-file", "--pool", "my-pool", "--create-pool", "--trigger", "file.created", "--trigger", burst, "--trigger-param", "name={{ event.payload.path }}");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Triggers    file.created → {"name":"{{ event.payload.path }}"}');
    expect(result.stdout).toContain("webhook.received (3 within 60 s)");
    const d = await byName("on-file");
    expect(d.triggers).toMatchObject([
      { expect: ["file.created"], threshold: 1, parameters: { name: "{{ event.payload.path }}" } },
      { expect: ["webhook.received"], threshold: 3, within: 60, parameters: { name: "{{ event.payload.path }}" } },
    ]);

    await server.client.post("/events", [{ event: "file.created", resource: { "baton.resource.id": "file./in/a.csv" }, payload: { path: "/in/a.csv" } }]);
    const [run] = await eventually("the triggered run", async () => (await runsOf(d.id)).length === 1 && runsOf(d.id));
    expect(run!.parameters).toEqual({ name: "/in/a.csv" });

    // Redeploying without trigger flags keeps them; --clear-triggers removes them.
    expect((await deploy("flows/hello.ts:helloFlow", "--name", "on-file", "--pool", "my-pool")).code).toBe(0);
    expect((await byName("on-file")).triggers.map((t) => t.id)).toEqual(d.triggers.map((t) => t.id));
    expect((await deploy("flows/hello.ts:helloFlow", "--name", "cleared", "--pool", "my-pool", "--trigger", "x.y")).code).toBe(0);
    expect((await deploy("flows/hello.ts:helloFlow", "--name", "cleared", "--pool", "my-pool", "--clear-triggers")).code).toBe(0);
    expect((await byName("cleared")).triggers).toEqual([]);
  });

  it("--after: a completed run of the upstream deployment starts one of this one", async () => {
    const upstream = await byName("on-file");
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "downstream", "--pool", "my-pool", "--after", "hello-flow/on-file", "--trigger-param", "name={{ event.resource.baton.resource.name }}");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    // The upstream deployment by its name, as typed, not by the resource id the trigger holds.
    expect(result.stdout).toContain("Triggers    baton.flow-run.Completed of hello-flow/on-file →");
    const downstream = await byName("downstream");
    expect(downstream.triggers).toMatchObject([
      {
        expect: ["baton.flow-run.Completed"],
        match_related: { "baton.resource.role": "deployment", "baton.resource.id": `baton.deployment.${upstream.id}` },
      },
    ]);

    const run = await server.client.post<Run & { name: string }>(`/deployments/${upstream.id}/create_flow_run`, { parameters: { name: "up" } });
    await server.client.post(`/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } });
    expect(await runsOf(downstream.id)).toEqual([]);
    await server.client.post(`/flow_runs/${run.id}/set_state`, { state: { type: "COMPLETED" } });
    const [next] = await eventually("the chained run", async () => (await runsOf(downstream.id)).length === 1 && runsOf(downstream.id));
    expect(next!.parameters).toEqual({ name: run.name });

    const failed = await deploy("flows/hello.ts:helloFlow", "--name", "on-failure", "--pool", "my-pool", "--after", "hello-flow/on-file:failed");
    expect(failed.code).toBe(0);
    expect((await byName("on-failure")).triggers[0]!.expect).toEqual(["baton.flow-run.Failed"]);
  });

  it("refuses bad trigger flags: usage errors (exit 2) before anything is written, an unknown --after deployment (exit 1)", async () => {
    const oneLine = (stderr: string) => stderr.trim().split("\n")[0]!;
    const lonely = await deploy("flows/hello.ts:helloFlow", "--name", "bad", "--pool", "my-pool", "--trigger-param", "a=1");
    expect(lonely.code).toBe(2);
    expect(oneLine(lonely.stderr)).toBe("✖ --trigger-param needs a --trigger or --after to apply to [E_USAGE]");
    const json = await deploy("flows/hello.ts:helloFlow", "--name", "bad", "--pool", "my-pool", "--trigger", '{"threshold":2}');
    expect(json.code).toBe(2);
    expect(oneLine(json.stderr)).toMatch(/^✖ --trigger \{"threshold":2\}: a threshold above 1 needs `within`/);
    const missing = await deploy("flows/hello.ts:helloFlow", "--name", "bad", "--pool", "my-pool", "--after", "hello-flow/nope");
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toBe("✖ Deployment hello-flow/nope not found. [E_DEPLOYMENT_NOT_FOUND]");
    const template = await deploy("flows/hello.ts:helloFlow", "--name", "bad", "--pool", "my-pool", "--trigger", "a", "--trigger-param", "name={{ body.x }}");
    expect(template.code).toBe(1);
    expect(oneLine(template.stderr)).toBe(`✖ --trigger-param 'name={{ body.x }}': "{{ body.x }}" must start with event [E_HTTP_422]`);
    await expect(byName("bad")).rejects.toMatchObject({ status: 404 });
  });
});
