import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentResponse } from "../../protocol/deployments";
import type { FlowRun } from "../../protocol/flow-runs";
import { baton, startTestServer, type TestServer } from "../../sdk/src/testing/cli";
import { launchBrowser, openPage, screenshot } from "./helpers";

/*
 * The run page says what a run belongs to (flow, deployment, work pool, each a link) and why it waits; the
 * deployment page shows its triggers. One real server, a deployment with a trigger made by the real CLI,
 * and no worker: the run stays Scheduled, which is what the waiting notice is about.
 */

const POOL = "run-page-pool";
let server: TestServer;
let origin: string;
let browser: Browser;
let deployment: DeploymentResponse;

beforeAll(async () => {
  server = await startTestServer();
  origin = new URL(server.apiUrl).origin;
  const deployed = await baton(
    [
      "deploy", "examples/hello.ts:helloFlow", "--name", "on-order", "--pool", POOL, "--create-pool",
      "--trigger", "shop.order.*", "--trigger-param", "name=order {{ event.payload.order_id }}", "--json",
    ],
    { apiUrl: server.apiUrl },
  );
  expect(deployed.code, deployed.stderr).toBe(0);
  deployment = await server.client.get<DeploymentResponse>(`/deployments/${(JSON.parse(deployed.stdout) as { id: string }).id}`);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("run page and deployment page in a browser", () => {
  it("the run's header names and links its flow, deployment and work pool, and says why it waits", async () => {
    const run = await server.client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, {});
    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/runs/${run.id}`);
    await page.getByRole("heading", { level: 1, name: run.name }).waitFor();

    const context = page.locator(".run-context");
    await expect(context.getByRole("link", { name: "hello-flow" }).getAttribute("href")).resolves.toBe(`/runs?flow=${run.flow_id}`);
    await expect(context.getByRole("link", { name: "on-order" }).getAttribute("href")).resolves.toBe(`/deployments/${deployment.id}`);
    await expect(context.getByRole("link", { name: POOL }).getAttribute("href")).resolves.toMatch(/^\/work-pools#pool-[0-9a-f-]{36}$/);
    // Not started: no "0 ms", and the pool without a worker is named as the reason.
    await expect(page.locator("dt", { hasText: "Duration" }).locator("+ dd").textContent()).resolves.toMatch(/^— \(/);
    await page.getByRole("status").filter({ hasText: `No worker of work pool ${POOL} is online` }).waitFor();
    await screenshot(page, "run-page-waiting");

    await server.client.post(`/work_pools/${POOL}/pause`);
    await page.reload();
    const paused = page.getByRole("status").filter({ hasText: `Work pool ${POOL} is paused` });
    await paused.getByRole("link", { name: "resume it on the Work pools page" }).waitFor();
    await server.client.post(`/work_pools/${POOL}/resume`);

    await context.getByRole("link", { name: "on-order" }).click();
    await page.getByRole("heading", { level: 1, name: "hello-flow/on-order" }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("the deployment page shows its trigger, and does not claim it runs only when asked", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/deployments/${deployment.id}`);
    await page.getByRole("heading", { level: 2, name: "Triggers" }).waitFor();
    const trigger = page.getByRole("listitem", { name: /^Trigger / });
    await trigger.getByText("Enabled").waitFor();
    await expect(trigger.locator("dt", { hasText: "Expects" }).locator("+ dd").textContent()).resolves.toBe("shop.order.*");
    await expect(trigger.locator("dt", { hasText: "Fires" }).locator("+ dd").textContent()).resolves.toBe("on every matching event");
    await expect(trigger.locator("pre").textContent()).resolves.toContain('"name": "order {{ event.payload.order_id }}"');
    await page.getByText("No schedule: this deployment runs when asked, or when its trigger fires").waitFor();
    await expect(page.getByText("runs only when asked").count()).resolves.toBe(0);
    await screenshot(page, "deployment-triggers");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
  it("the Runs search applies while typing, without Enter", async () => {
    const [one, two] = await Promise.all([0, 1].map(() => server.client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, {})));
    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/runs`);
    await page.getByRole("link", { name: two!.name }).first().waitFor();
    // fill() types the text and leaves the field focused: no change event, only input events.
    await page.getByRole("searchbox", { name: "Search" }).fill(one!.name);
    await page.waitForFunction((name) => !document.body.innerText.includes(name), two!.name, { timeout: 10_000 });
    await page.getByRole("link", { name: one!.name }).first().waitFor();
    expect(new URL(page.url()).searchParams.get("q")).toBe(one!.name);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
