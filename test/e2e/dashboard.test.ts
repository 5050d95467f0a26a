import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baton, startTestServer, type TestServer } from "../../sdk/src/testing/cli";
import { launchBrowser, openPage, PHONE, recordStates, screenshot, SLOW, startWorker, statesSeen, type RunningWorker } from "./helpers";

/*
 * The dashboard in a real browser (Debian's Chromium), served by one real local server, with
 * examples/hello.ts and a flow that sleeps (fixtures/sleepy.ts) deployed by the real CLI and run by a real
 * worker process: what a user sees and does.
 */

let server: TestServer;
let origin: string;
let worker: RunningWorker | undefined;
let browser: Browser;
let deploymentId: string;
let sleepyDeploymentId: string;
let runId: string;

const BADGE = ".page-bar .state-badge";

async function deploy(entrypoint: string, extra: string[] = []): Promise<string> {
  const deployed = await baton(["deploy", entrypoint, "--name", "e2e", "--pool", "e2e-pool", ...extra, "--json"], { apiUrl: server.apiUrl });
  expect(deployed.code, deployed.stderr).toBe(0);
  return (JSON.parse(deployed.stdout) as { id: string }).id;
}

/** Presses the deployment page's "Run now" and follows the link to the run it created; answers the run's id. */
async function runNow(page: Page, deployment: string, heading: string): Promise<string> {
  await page.goto(`${origin}/deployments/${deployment}`);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  await page.getByRole("button", { name: "Run now" }).click();
  await page.getByRole("status").filter({ hasText: "Created run" }).getByRole("link").click();
  await page.waitForURL(/\/runs\/[0-9a-f-]+$/);
  return page.url().split("/").at(-1)!;
}

beforeAll(async () => {
  server = await startTestServer();
  origin = new URL(server.apiUrl).origin;
  deploymentId = await deploy("examples/hello.ts:helloFlow", ["--create-pool"]);
  sleepyDeploymentId = await deploy("test/e2e/fixtures/sleepy.ts:sleepyFlow");
  worker = await startWorker(server.apiUrl, "e2e-pool");
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await server?.stop();
});

describe("dashboard in a browser", () => {
  it("the deployment's Run form starts a run whose badge reaches Completed live, without a reload", async () => {
    const { page, errors } = await openPage(browser);
    runId = await runNow(page, deploymentId, "hello-flow/e2e");
    await recordStates(page, BADGE);
    await page.locator(BADGE, { hasText: "Completed" }).waitFor({ timeout: 120_000 });
    const seen = await statesSeen(page);
    console.log(`states seen live: ${seen.join(" → ")}`);
    expect(seen.at(-1)).toBe("Completed");
    expect(seen.every((s) => ["Scheduled", "Pending", "Running", "Completed"].includes(s))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("the run's page shows its task graph, its task run with a start and one attempt, and its log line", async () => {
    expect(runId).toBeDefined();
    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/runs/${runId}`);
    const graph = page.getByRole("img", { name: /1 tasks?, 0 dependencies/ });
    await graph.waitFor();
    await expect(graph.locator(".graph-node text").first().textContent()).resolves.toMatch(/^greet/);
    await page.getByRole("log", { name: "Log lines" }).getByText("Hello, World!").waitFor();
    // The task ran (and was reported created already finished): it has a bar on the timeline and a start.
    await page.getByRole("list", { name: "Task runs over time" }).getByText(/^greet/).waitFor();
    const row = page.locator("table tbody tr").filter({ hasText: /^greet/ });
    const cells = await row.locator("td").allTextContents();
    expect(cells[2]).not.toBe("—");
    expect(cells[4]).toBe("1");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("Cancel on a running run's page ends it Cancelled, live, and the worker stops it", async () => {
    const { page, errors } = await openPage(browser);
    // Accepts a confirmation if the page asks for one.
    page.on("dialog", (dialog) => void dialog.accept());
    const sleepyRunId = await runNow(page, sleepyDeploymentId, "sleepy/e2e");
    await recordStates(page, BADGE);
    // Running, and inside the flow's body: its first log line is shown.
    await page.locator(BADGE, { hasText: "Running" }).waitFor({ timeout: 120_000 });
    await page.getByRole("log", { name: "Log lines" }).getByText("Sleeping for 60 s").waitFor();
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.locator(BADGE, { hasText: "Cancelled" }).waitFor();
    const seen = await statesSeen(page);
    console.log(`states seen live: ${seen.join(" → ")}`);
    expect(seen.at(-1)).toBe("Cancelled");
    expect(seen).toContain("Running");
    expect(seen.every((s) => ["Scheduled", "Pending", "Running", "Cancelling", "Cancelled"].includes(s))).toBe(true);
    // A finished run offers no Cancel, and Retry instead.
    await page.getByRole("button", { name: "Retry" }).waitFor();
    expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
    await worker!.waitFor(`(${sleepyRunId}) cancelled`);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("a schedule made in the deployment's schedule editor lists its upcoming runs, without a reload", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/deployments/${deploymentId}`);
    const upcoming = page.getByRole("region", { name: "Upcoming runs" });
    await upcoming.getByText("No run is waiting").waitFor();
    const schedules = page.getByRole("region", { name: "Schedules" });
    const addHourly = async () => {
      await schedules.getByRole("button", { name: "Add schedule" }).click();
      await schedules.getByRole("spinbutton", { name: "Every" }).fill("60");
      await schedules.getByRole("combobox", { name: "Unit" }).selectOption("minutes");
      await schedules.getByRole("button", { name: "Add schedule" }).click();
      await schedules.locator(".card-row").filter({ hasText: "Active" }).waitFor();
      // The scheduler makes the runs just after the schedule is saved; the list follows without a reload.
      await upcoming.locator('.run-list .state-badge[data-state="SCHEDULED"]').first().waitFor();
    };
    await addHourly();
    console.log(`upcoming runs listed: ${await upcoming.locator(".run-list li").count()}`);

    // Deleting the schedule takes its future runs away, and the list follows.
    page.on("dialog", (dialog) => void dialog.accept());
    await schedules.getByRole("button", { name: "Delete" }).click();
    await schedules.getByText("No schedule").waitFor();
    await upcoming.getByText("No run is waiting").waitFor();
    // Back again, for the screenshots of the pages that follow.
    await addHourly();
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("every page loads without console errors (screenshots in test/e2e/screenshots)", async () => {
    expect(runId).toBeDefined();
    const pages: [name: string, path: string, heading: string | RegExp][] = [
      ["dashboard", "/", "Dashboard"],
      ["runs", "/runs", "Runs"],
      ["run-detail", `/runs/${runId}`, /.+/],
      ["flows", "/flows", "Flows"],
      ["deployments", "/deployments", "Deployments"],
      ["deployment-detail", `/deployments/${deploymentId}`, "hello-flow/e2e"],
      ["work-pools", "/work-pools", "Work pools"],
      ["settings", "/settings", "Settings"],
      ["not-found", "/no/such/page", "Page not found"],
    ];
    const failures: string[] = [];
    for (const [name, path, heading] of pages) {
      const { page, errors } = await openPage(browser);
      await page.goto(`${origin}${path}`);
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await screenshot(page, name);
      failures.push(...errors.map((e) => `${path}: ${e}`));
      await page.close();
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it("the Events page lists the runs' state changes, opens a row, filters by name and shows a new event live", async () => {
    expect(runId).toBeDefined();
    const { page, errors } = await openPage(browser);
    // By name from the URL: the schedule's runs made earlier may fill the unfiltered first page.
    await page.goto(`${origin}/events?prefix=baton.flow-run.Completed`);
    await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
    expect(await page.getByRole("searchbox", { name: "Name starts with" }).inputValue()).toBe("baton.flow-run.Completed");
    const completed = page.locator("tr.event-row").filter({ hasText: "baton.flow-run.Completed" }).first();
    await completed.waitFor();
    // The first run's Completed event is about that run, and links to its page.
    const runLink = page.locator("tr.event-row").filter({ hasText: "baton.flow-run.Completed" }).locator(`a[href="/runs/${runId}"]`);
    expect(await runLink.count()).toBe(1);
    // Opening a row shows the resource's labels and the payload as JSON.
    await completed.getByRole("button", { name: "baton.flow-run.Completed" }).click();
    const details = page.locator("tr.event-details").first();
    await details.getByText(`baton.flow-run.${runId}`).first().waitFor();
    await details.getByRole("heading", { name: "Payload" }).waitFor();
    await screenshot(page, "events");

    // A prefix keeps only those names, and goes in the URL.
    await page.getByRole("searchbox", { name: "Name starts with" }).fill("e2e.");
    await page.waitForURL(/\?prefix=e2e\.$/);
    await page.getByText("No events match this name").waitFor();
    // An event emitted now appears at the top without a reload; one of another name does not.
    const other = await baton(["event", "emit", "other.ping", "--resource", "e2e.thing"], { apiUrl: server.apiUrl });
    expect(other.code, other.stderr).toBe(0);
    const emitted = await baton(["event", "emit", "e2e.hello", "--resource", "e2e.thing", "--payload", '{"n": 1}'], { apiUrl: server.apiUrl });
    expect(emitted.code, emitted.stderr).toBe(0);
    await page.locator("tr.event-row").filter({ hasText: "e2e.hello" }).waitFor();
    expect(await page.locator("tr.event-row").allTextContents()).toEqual([expect.stringContaining('{"n":1}')]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("works on a phone-sized screen and in the dark theme (screenshots)", async () => {
    expect(runId).toBeDefined();
    const failures: string[] = [];
    for (const [name, path] of [["runs-phone", "/runs"], ["run-detail-phone", `/runs/${runId}`]] as const) {
      const { page, errors } = await openPage(browser, { viewport: PHONE });
      const counts: string[] = [];
      page.on("request", (r) => void (r.url().endsWith("/api/flow_runs/count") && counts.push(r.url())));
      await page.goto(`${origin}${path}`);
      await page.locator(".state-badge").first().waitFor();
      // The Runs list counts once: the route's preload asks, and the page takes that answer.
      if (path === "/runs") expect(counts).toHaveLength(1);
      // Nothing wider than the screen: the page never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, name);
      failures.push(...errors.map((e) => `${path} (phone): ${e}`));
      await page.close();
    }

    const { page, errors } = await openPage(browser);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${origin}/runs/${runId}`);
    await page.getByRole("log", { name: "Log lines" }).getByText("Hello, World!").waitFor();
    // The theme's variables switched: the page's background is dark.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(3 * 64);
    await screenshot(page, "run-detail-dark");
    failures.push(...errors.map((e) => `dark: ${e}`));
    await page.close();
    expect(failures).toEqual([]);
  }, 180_000);

  // Last: its run would be the newest Completed event the Events test opens.
  it("a run started while /runs?state=COMPLETED is open appears there once it completes, without a reload", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/runs?state=COMPLETED`);
    await page.locator(".page-bar p", { hasText: "newest first" }).waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    const res = await fetch(`${server.apiUrl}/deployments/${deploymentId}/create_flow_run`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const run = (await res.json()) as { name: string };
    // Created Scheduled, it matches only once Completed: it enters the list then, live.
    await page.locator(".runs-scroll .runs-row", { hasText: run.name }).getByText("Completed").waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
