import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowRun } from "../../../../protocol/flow-runs";
import { baton, batonStarted, repoRoot, startTestServer, writeProject, type TestServer } from "../../testing/cli";

/*
 * The CLI part of the user's path (DESIGN.md) with the real runtime and a real worker: deploy by flags,
 * `worker start`, `deployment run --watch` until the flow's own log line and Completed.
 */

const runtime = join(repoRoot, "sdk/src/runtime/index.ts");
const HELLO = `import { flow, task } from ${JSON.stringify(runtime)};
const greet = task("greet", async (name: string) => \`Hello, \${name}!\`);
export const helloFlow = flow("hello-flow", async ({ name = "World" }: { name?: string } = {}) => {
  console.log(await greet(name));
  if (name === "Bug") throw new Error("no bugs allowed");
});
`;

let server: TestServer;
let project: string;
let worker: ReturnType<typeof batonStarted> | undefined;
const cli = (...args: string[]) => baton(args, { apiUrl: server.apiUrl, cwd: project });

beforeAll(async () => {
  [server, project] = await Promise.all([startTestServer(), writeProject({ "package.json": '{ "type": "module" }\n', "flows/hello.ts": HELLO })]);
  const deployed = await cli("deploy", "flows/hello.ts:helloFlow", "--name", "my_first_deployment", "--pool", "my-pool", "--create-pool");
  expect(deployed.code, deployed.stderr).toBe(0);
  worker = batonStarted(["worker", "start", "--pool", "my-pool"], { apiUrl: server.apiUrl, cwd: project });
});
afterAll(async () => {
  worker?.child.kill("SIGTERM");
  await worker?.result;
  await server?.stop();
  await rm(project, { recursive: true, force: true });
});

describe("the user's path through the CLI", () => {
  it("deployment run --param name=Ada --watch follows the run on a real worker to Completed", async () => {
    const result = await cli("deployment", "run", "hello-flow/my_first_deployment", "--param", "name=Ada", "--watch");
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/INFO\s+Hello, Ada!/);
    expect(result.stdout).toMatch(/✔ Flow run \S+ Completed/);
    const id = /\(([0-9a-f-]{36})\)/.exec(result.stdout)![1]!;
    expect(await server.client.get<FlowRun>(`/flow_runs/${id}`)).toMatchObject({ state_type: "COMPLETED", parameters: { name: "Ada" } });
  });

  it("--watch exits 1 when the flow fails, and flow-run logs has the error", async () => {
    const result = await cli("deployment", "run", "hello-flow/my_first_deployment", "--param", "name=Bug", "--watch");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✖ Flow run \S+ ended Failed.*no bugs allowed/);
    const id = /\(([0-9a-f-]{36})\)/.exec(result.stdout)![1]!;
    const logs = await cli("flow-run", "logs", id);
    expect(logs.stdout).toContain("no bugs allowed");
  });
});
