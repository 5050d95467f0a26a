import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentResponse } from "../../protocol/deployments";
import type { FlowRun } from "../../protocol/flow-runs";
import { baton, startTestServer, type TestServer } from "../../sdk/src/testing/cli";
import { freePort } from "../../sdk/src/testing/free-port";
import { until } from "../../sdk/src/testing/wait";
import { launchBrowser, openPage, screenshot, SLOW, startWorker, type RunningWorker } from "./helpers";

/*
 * What the dashboard promises beyond a first load, in a real browser against a real local server, with
 * flows deployed by the real CLI and run by a real worker: the live stream survives a server restart and
 * catches up on what it missed; subflow runs link to each other; schedules are edited, paused, resumed and
 * deleted from the deployment's page, each change shown without a reload.
 */

const POOL = "live-pool";
const BADGE = ".page-bar .state-badge";
const SIDEBAR_HEALTH = ".sidebar .health";
const PAGE_LIVE = ".page-bar .live";
const TICKET = "**/api/auth/ticket";
/** How soon the sidebar's health follows the stream's status (a poll is every 10 s). */
const HEALTH_AGREES_MS = 2_000;
/** How long the restart test's run sleeps: long enough to still be running when the server stops. */
const SLEEP_S = 6;
// Chromium's own lines for requests to a server that is down (the health check, the stream's ticket); a
// reset for the health check asked the moment the stream drops, while the server is still going down.
const OUTAGE_ERRORS = [/ERR_CONNECTION_REFUSED/, /ERR_CONNECTION_RESET/];

let home: string;
let port: number;
let server: TestServer | undefined;
let origin: string;
let worker: RunningWorker | undefined;
let browser: Browser;
let sleepyId: string;
let parentId: string;
let childId: string;

async function deploy(entrypoint: string, extra: string[] = []): Promise<string> {
  const deployed = await baton(["deploy", entrypoint, "--name", "live", "--pool", POOL, ...extra, "--json"], { apiUrl: server!.apiUrl });
  expect(deployed.code, deployed.stderr).toBe(0);
  return (JSON.parse(deployed.stdout) as { id: string }).id;
}

const api = () => server!.client;
const runOf = (id: string) => api().get<FlowRun>(`/flow_runs/${id}`);
const createRun = (deployment: string, parameters: Record<string, unknown> = {}) =>
  api().post<FlowRun>(`/deployments/${deployment}/create_flow_run`, { parameters });

/** The deployment's SCHEDULED runs, soonest first, as the API has them. */
const scheduledRuns = (deployment: string) =>
  api().post<FlowRun[]>("/flow_runs/filter", {
    deployments: { id: { any_: [deployment] } },
    flow_runs: { state: { type: { any_: ["SCHEDULED"] } } },
    sort: "EXPECTED_START_TIME_ASC",
    limit: 5,
  });

beforeAll(async () => {
  // A home and port of our own, so the server can be stopped and started again on the same state.
  home = await mkdtemp(join(tmpdir(), "baton-e2e-live-"));
  port = await freePort();
  server = await startTestServer({ home, port });
  origin = new URL(server.apiUrl).origin;
  sleepyId = await deploy("test/e2e/fixtures/sleepy.ts:sleepyFlow", ["--create-pool"]);
  parentId = await deploy("test/e2e/fixtures/family.ts:parentFlow");
  // Every 2 hours: its runs wait in Upcoming for the whole test, and the worker never takes one.
  childId = await deploy("test/e2e/fixtures/family.ts:childFlow", ["--interval", "2h"]);
  worker = await startWorker(server.apiUrl, POOL);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await server?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe("the dashboard live, in a browser", () => {
  it("after the server restarts, open pages reconnect and catch up on what changed meanwhile, without a reload", async () => {
    const runPage = await openPage(browser, { expectedErrors: OUTAGE_ERRORS });
    const listPage = await openPage(browser, { expectedErrors: OUTAGE_ERRORS });
    const pages: Page[] = [runPage.page, listPage.page];
    await listPage.page.goto(`${origin}/runs`);
    // Live first: a run created before the list's stream subscribed would be in neither its first
    // page nor its stream.
    await listPage.page.locator(PAGE_LIVE, { hasText: "Live" }).waitFor();
    // Everything else is ready before the run starts: it must still be running when the server stops.
    const run = await createRun(sleepyId, { seconds: SLEEP_S });
    await runPage.page.goto(`${origin}/runs/${run.id}`);
    await runPage.page.locator(BADGE, { hasText: "Running" }).waitFor({ timeout: 120_000 });
    await runPage.page.getByRole("log", { name: "Log lines" }).getByText(`Sleeping for ${SLEEP_S} s`).waitFor();
    await listPage.page.getByRole("table", { name: "Flow runs" }).getByRole("row").filter({ hasText: run.name }).locator(".state-badge", { hasText: "Running" }).waitFor();
    for (const page of pages) {
      await page.locator(PAGE_LIVE, { hasText: "Live" }).waitFor();
      await page.locator(`${SIDEBAR_HEALTH}[data-health="connected"]`).waitFor();
      // Set in the page: still there at the end proves the page was never reloaded.
      await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    }
    const { start_time } = await runOf(run.id);

    try {
      await server!.stop();
      server = undefined;
      // The pages see the drop: the stream is reconnecting, the sidebar says the server is unreachable.
      for (const page of pages) {
        await page.locator(PAGE_LIVE, { hasText: "Reconnecting…" }).waitFor();
        // Within moments of the stream, not at the health check's next 10 s poll: the drop asks at once.
        await page.locator(`${SIDEBAR_HEALTH}[data-health="unreachable"]`).waitFor({ timeout: HEALTH_AGREES_MS });
        // Keeps the stream away once the server is back, until the changes below are made: they then
        // reach the pages only by the catch-up that follows a reconnect, not as live messages.
        await page.route(TICKET, (route) => route.abort("connectionrefused"));
      }
      await screenshot(runPage.page, "run-detail-reconnecting");

      // The flow's sleep ends while the server is away; its runtime reports the end once it is back.
      const sleptAt = Date.parse(start_time!) + SLEEP_S * 1_000 + 1_000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, sleptAt - Date.now())));
      server = await startTestServer({ home, port });
      await until("the sleepy run completed", async () => (await runOf(run.id)).state_type === "COMPLETED", SLOW);
      const created = await createRun(sleepyId, { seconds: 1 });
      // What the pages show is stale until their stream reconnects.
      await expect(runPage.page.locator(BADGE).textContent()).resolves.toBe("Running");
      expect(await runPage.page.getByText(`Slept for ${SLEEP_S} s`).count()).toBe(0);
      const table = listPage.page.getByRole("table", { name: "Flow runs" });
      expect(await table.getByRole("link", { name: created.name }).count()).toBe(0);
      expect(await table.getByRole("row").filter({ hasText: run.name }).locator(".state-badge").textContent()).toBe("Running");
      for (const page of pages) await page.unroute(TICKET);

      await runPage.page.locator(BADGE, { hasText: "Completed" }).waitFor({ timeout: SLOW });
      await runPage.page.getByRole("log", { name: "Log lines" }).getByText(`Slept for ${SLEEP_S} s`).waitFor();
      await table.getByRole("link", { name: created.name }).waitFor({ timeout: SLOW });
      await table.getByRole("row").filter({ hasText: run.name }).getByText("Completed").waitFor();
      for (const page of pages) {
        await page.locator(PAGE_LIVE, { hasText: "Live" }).waitFor({ timeout: SLOW });
        await page.locator(`${SIDEBAR_HEALTH}[data-health="connected"]`).waitFor({ timeout: HEALTH_AGREES_MS });
        expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
      }
    } finally {
      // Back for the tests that follow, whatever failed above.
      server ??= await startTestServer({ home, port });
    }
    await screenshot(runPage.page, "run-detail-caught-up");
    await screenshot(listPage.page, "runs-caught-up");
    expect(runPage.errors).toEqual([]);
    expect(listPage.errors).toEqual([]);
    for (const page of pages) await page.close();
  }, 180_000);

  it("a parent run's page links to its subflow run, whose page links back to the parent", async () => {
    const parent = await createRun(parentId);
    await until("the parent run completed", async () => (await runOf(parent.id)).state_type === "COMPLETED", SLOW);
    // The child deployment's scheduled runs are runs of the same flow: the subflow run is the one with a parent.
    const [child, ...more] = await api().post<FlowRun[]>("/flow_runs/filter", { flows: { name: { any_: ["child"] } }, flow_runs: { parent_task_run_id: { is_null_: false } }, limit: 10 });
    expect(more).toEqual([]);
    expect(child, "the child flow's run").toBeDefined();

    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/runs/${parent.id}`);
    await page.getByRole("heading", { level: 1, name: parent.name }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Subflow runs" }).waitFor();
    const subflowLink = page.locator(".plain-list").getByRole("link", { name: child!.name });
    expect(await subflowLink.getAttribute("href")).toBe(`/runs/${child!.id}`);
    await screenshot(page, "run-detail-parent");

    await subflowLink.click();
    await page.waitForURL(`${origin}/runs/${child!.id}`);
    await page.getByRole("heading", { level: 1, name: child!.name }).waitFor();
    await page.getByRole("log", { name: "Log lines" }).getByText("Child says hello to Parent").waitFor();
    const parentLink = page.getByRole("link", { name: "its parent run" });
    expect(await parentLink.getAttribute("href")).toBe(`/runs/${parent.id}`);
    await screenshot(page, "run-detail-subflow");

    await parentLink.click();
    await page.waitForURL(`${origin}/runs/${parent.id}`);
    await page.getByRole("heading", { level: 1, name: parent.name }).waitFor();
    await page.getByRole("log", { name: "Log lines" }).getByText("Parent heard: Hello, Parent!").waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("a schedule is edited, paused, resumed and deleted on the deployment's page, each shown without a reload", async () => {
    const deployment = () => api().get<DeploymentResponse>(`/deployments/${childId}`);
    const { page, errors } = await openPage(browser);
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${origin}/deployments/${childId}`);
    await page.getByRole("heading", { level: 1, name: "child/live" }).waitFor();
    await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    const schedules = page.getByRole("region", { name: "Schedules" });
    const upcoming = page.getByRole("region", { name: "Upcoming runs" });
    const card = schedules.locator(".card");
    await card.getByText("every 2h").waitFor();
    /** The Upcoming list shows the API's scheduled runs of the deployment, soonest first. */
    const upcomingMatchesApi = async (what: string) =>
      until(what, async () => {
        const expected = (await scheduledRuns(childId)).map((r) => `/runs/${r.id}`);
        const shown = await upcoming.locator(".run-list li a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
        return expected.length > 0 && JSON.stringify(shown) === JSON.stringify(expected);
      }, SLOW);
    await upcomingMatchesApi("the CLI's schedule's runs listed");
    const before = (await scheduledRuns(childId)).map((r) => r.id);

    // Edit: every 2 hours becomes every 30 minutes.
    await card.getByRole("button", { name: "Edit" }).click();
    const editor = card.locator("form.schedule-editor");
    expect(await editor.getByRole("spinbutton", { name: "Every" }).inputValue()).toBe("2");
    expect(await editor.getByRole("combobox", { name: "Unit" }).inputValue()).toBe("hours");
    await editor.getByRole("spinbutton", { name: "Every" }).fill("30");
    await editor.getByRole("combobox", { name: "Unit" }).selectOption("minutes");
    await screenshot(page, "deployment-schedule-editing");
    const editedAt = Date.now();
    await editor.getByRole("button", { name: "Save schedule" }).click();
    await card.getByText("every 30m").waitFor();
    const [edited] = (await deployment()).schedules;
    expect(edited!.schedule).toMatchObject({ interval: 1_800 });
    expect(edited!.active).toBe(true);
    // The runs planned for the old interval make way for the new one's: within the next 30 minutes.
    await until("the edited schedule's runs planned", async () => {
      const runs = await scheduledRuns(childId);
      return runs.length > 0 && runs.every((r) => !before.includes(r.id) && Date.parse(r.expected_start_time!) <= editedAt + 1_800_000);
    }, SLOW);
    await upcomingMatchesApi("the edited schedule's runs listed");

    // Pause: the schedule is inactive and its upcoming runs go.
    await card.getByRole("button", { name: "Pause" }).click();
    await card.locator(".pill", { hasText: "Inactive" }).waitFor();
    await upcoming.getByText("No run is waiting").waitFor();
    expect((await deployment()).schedules[0]!.active).toBe(false);
    expect(await scheduledRuns(childId)).toEqual([]);
    await screenshot(page, "deployment-schedule-paused");

    // Resume: active again, and its runs come back.
    await card.getByRole("button", { name: "Activate" }).click();
    await card.locator(".pill", { hasText: "Active" }).waitFor();
    expect((await deployment()).schedules[0]!.active).toBe(true);
    await upcomingMatchesApi("the resumed schedule's runs listed");

    // Delete: no schedule, no upcoming runs.
    await card.getByRole("button", { name: "Delete" }).click();
    await schedules.getByText("No schedule").waitFor();
    await upcoming.getByText("No run is waiting").waitFor();
    expect((await deployment()).schedules).toEqual([]);
    expect(await scheduledRuns(childId)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("a schedule created over the API while /runs is open shows its first scheduled run there, without a reload", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${origin}/runs`);
    await page.locator(PAGE_LIVE, { hasText: "Live" }).waitFor();
    await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    // Its first run an hour away: it waits as Scheduled, and the worker leaves it be.
    const anchor = new Date(Date.now() + 3_600_000).toISOString();
    const [added] = await api().post<{ id: string }[]>(`/deployments/${parentId}/schedules`, [{ schedule: { interval: 7_200, anchor_date: anchor }, active: true }]);
    try {
      let first: FlowRun | undefined;
      await until("the scheduler planned the schedule's first run", async () => !!(first = (await scheduledRuns(parentId))[0]), SLOW);
      // The scheduler's "created" message has no run record: the list reads it by id and shows it on top.
      const row = page.getByRole("table", { name: "Flow runs" }).getByRole("row").filter({ hasText: first!.name });
      await row.locator(".state-badge", { hasText: "Scheduled" }).waitFor({ timeout: 10_000 });
      expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
      await screenshot(page, "runs-scheduled-live");
    } finally {
      await api().delete(`/deployments/${parentId}/schedules/${added!.id}`);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
