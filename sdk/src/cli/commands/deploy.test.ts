import { realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentResponse } from "../../../../protocol/deployments";
import { baton, fakeFlowModule, startTestServer, writeProject, type TestServer } from "../../testing/cli";

let server: TestServer;
let project: string;
const deploy = (...args: string[]) => baton(["deploy", ...args], { apiUrl: server.apiUrl, cwd: project });
const byName = (name: string) => server.client.get<DeploymentResponse>(`/deployments/name/hello-flow/${name}`);
const SCHEMA = { type: "object", properties: { name: { type: "string", default: "World" } } };

beforeAll(async () => {
  [server, project] = await Promise.all([startTestServer(), writeProject({ "flows/hello.ts": fakeFlowModule({ helloFlow: "hello-flow" }) })]);
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

  it("passes on the server's reason for refusing a schedule, on one line", async () => {
    const result = await deploy("flows/hello.ts:helloFlow", "--name", "x", "--pool", "my-pool", "--cron", "0 0 31 2 *");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^✖ The server answered: invalid body\.schedules\.0\.schedule: cron "0 0 31 2 \*" never fires \(POST .* → 422\) \[E_HTTP_422\]$/);
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
