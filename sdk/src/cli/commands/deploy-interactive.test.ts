import { existsSync, realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentResponse } from "../../../../protocol/deployments";
import type { WorkPool } from "../../../../protocol/work-pools";
import { batonInTerminal, KEYS, linkBaton, startTestServer, writeProject, type TestServer } from "../../testing/cli";

/* The guided `baton deploy`, driven through a pseudo-terminal as a person would, against a fresh server. */

let server: TestServer;
let project: string;
const deployInTerminal = () => batonInTerminal(["deploy"], { apiUrl: server.apiUrl, cwd: project });

/** A module of flows made by the SDK's flow(); with `script`, its top-level code writes ran.txt, as a script run by mistake would. */
const flowModule = (flows: Record<string, string>, script = false) =>
  [
    'import { writeFileSync } from "node:fs";',
    'import { flow } from "baton";',
    ...Object.entries(flows).map(([e, name]) => `export const ${e} = flow(${JSON.stringify(name)}, async ({ name = "World" }: { name?: string } = {}) => \`Hello, \${name}!\`);`),
    script ? 'writeFileSync(new URL("../ran.txt", import.meta.url), "ran");' : "",
  ].join("\n");

beforeAll(async () => {
  [server, project] = await Promise.all([
    startTestServer(),
    writeProject({
      "flows/etl.ts": flowModule({ etlFlow: "etl-flow" }),
      "flows/hello.ts": flowModule({ helloFlow: "hello-flow" }),
      "flows/script.ts": flowModule({ scriptFlow: "script-flow" }, true),
      "node_modules/some-lib/flows.ts": flowModule({ libFlow: "lib-flow" }),
    }),
  ]);
  await linkBaton(project);
  project = realpathSync(project);
});
afterAll(async () => {
  await server?.stop();
  await rm(project, { recursive: true, force: true });
});

describe("baton deploy in a terminal", () => {
  it("finds the flows, creates a first work pool, takes the default name and an interval schedule", async () => {
    const session = deployInTerminal();
    await session.waitFor("Select a flow to deploy");
    // Each flow is listed by name; the highlighted one shows its entrypoint.
    expect(session.screen()).toContain("● etl-flow (flows/etl.ts:etlFlow)");
    expect(session.screen()).toContain("○ hello-flow");
    expect(session.screen()).toContain("○ script-flow");
    expect(session.screen()).not.toContain("lib-flow");
    session.type(KEYS.enter);
    await session.waitFor("don't have any work pools");
    await session.waitFor("Work pool name");
    session.type(`pty-pool${KEYS.enter}`);
    await session.waitFor("Deployment name");
    session.type(KEYS.enter);
    await session.waitFor("configure a schedule");
    session.type(KEYS.down);
    session.type(KEYS.enter);
    await session.waitFor("Seconds between scheduled runs");
    session.type(`120${KEYS.enter}`);
    await session.waitFor("Deployed.");
    expect(await session.exit).toBe(0);
    expect(session.screen()).toContain("Created deployment etl-flow/etl-flow-deployment");
    expect(session.screen()).toContain("npx baton worker start --pool pty-pool");

    const d = await server.client.get<DeploymentResponse>("/deployments/name/etl-flow/etl-flow-deployment");
    expect(d).toMatchObject({ entrypoint: "flows/etl.ts:etlFlow", path: project, work_pool_name: "pty-pool" });
    expect(d.schedules.map((s) => s.schedule)).toEqual([expect.objectContaining({ interval: 120 })]);
    expect((await server.client.get<WorkPool>("/work_pools/pty-pool")).name).toBe("pty-pool");
    // Only the chosen file was imported: the others were read, not run.
    expect(existsSync(join(project, "ran.txt"))).toBe(false);
  });

  it("offers the existing pools, and takes a typed name and a cron schedule in a time zone", async () => {
    const session = deployInTerminal();
    await session.waitFor("Select a flow to deploy");
    session.type(KEYS.down);
    session.type(KEYS.enter);
    await session.waitFor("Which work pool would you like to deploy this flow to?");
    expect(session.screen()).toContain("Create a new work pool");
    session.type(KEYS.enter);
    await session.waitFor("Deployment name");
    session.type(`nightly${KEYS.enter}`);
    await session.waitFor("configure a schedule");
    session.type(KEYS.down + KEYS.down);
    session.type(KEYS.enter);
    await session.waitFor("Cron string");
    session.type(`0 3 * * *${KEYS.enter}`);
    await session.waitFor("Timezone");
    session.type(`Europe/Berlin${KEYS.enter}`);
    await session.waitFor("Deployed.");
    expect(await session.exit).toBe(0);

    const d = await server.client.get<DeploymentResponse>("/deployments/name/hello-flow/nightly");
    expect(d).toMatchObject({ entrypoint: "flows/hello.ts:helloFlow", work_pool_name: "pty-pool" });
    expect(d.schedules.map((s) => s.schedule)).toEqual([{ cron: "0 3 * * *", timezone: "Europe/Berlin", day_or: true }]);
  });

  it("deploys nothing when cancelled with Ctrl-C", async () => {
    const session = deployInTerminal();
    await session.waitFor("Select a flow to deploy");
    session.type(KEYS.ctrlC);
    await session.waitFor("Deployment cancelled.");
    expect(await session.exit).toBe(1);
    const all = await server.client.post<DeploymentResponse[]>("/deployments/filter", {});
    expect(all.map((d) => `${d.flow_name}/${d.name}`).sort()).toEqual(["etl-flow/etl-flow-deployment", "hello-flow/nightly"]);
  });
});
