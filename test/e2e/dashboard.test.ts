import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baton, repoRoot, startTestServer, type TestServer } from "../../sdk/src/testing/cli";

/*
 * The dashboard in a real browser (Debian's Chromium), served by one real local server, with
 * examples/hello.ts deployed by the real CLI and run by a real worker process: what a user sees and does.
 */

const screenshots = join(repoRoot, "test/e2e/screenshots");
// The machine may be busy: waits are generous, and the tests assert what is shown, never how fast.
const SLOW = 60_000;

let server: TestServer;
let origin: string;
let worker: ChildProcess | undefined;
let workerOutput = "";
let browser: Browser;
let deploymentId: string;
let runId: string;

/** `baton worker start --pool e2e-pool`; resolves once it says it is taking runs. */
async function startWorker(apiUrl: string): Promise<ChildProcess> {
  const { BATON_API_KEY, BATON_API_URL, BATON_HOME, BATON_SERVER_DIR, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(repoRoot, "sdk/bin/baton.js"), "worker", "start", "--pool", "e2e-pool"], {
    cwd: repoRoot,
    env: { ...inherited, NO_COLOR: "1", BATON_API_URL: apiUrl },
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not taking runs after 90 s:\n${workerOutput}`)), 90_000);
    const onData = (chunk: Buffer) => {
      workerOutput += chunk;
      if (workerOutput.includes("is taking runs")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", () => reject(new Error(`worker exited before taking runs:\n${workerOutput}`)));
  });
  return child;
}

/** A fresh page that collects console errors and uncaught exceptions, to assert none happened. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(SLOW);
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors };
}

beforeAll(async () => {
  server = await startTestServer();
  origin = new URL(server.apiUrl).origin;
  const deployed = await baton(
    ["deploy", "examples/hello.ts:helloFlow", "--name", "e2e", "--pool", "e2e-pool", "--create-pool", "--json"],
    { apiUrl: server.apiUrl },
  );
  expect(deployed.code, deployed.stderr).toBe(0);
  deploymentId = (JSON.parse(deployed.stdout) as { id: string }).id;
  worker = await startWorker(server.apiUrl);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"], headless: true });
  await mkdir(screenshots, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker!.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }
  await server?.stop();
});

describe("dashboard in a browser", () => {
  it("the deployment's Run form starts a run whose badge reaches Completed live, without a reload", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${origin}/deployments/${deploymentId}`);
    await page.getByRole("heading", { level: 1, name: "hello-flow/e2e" }).waitFor();
    await page.getByRole("button", { name: "Run now" }).click();
    const created = page.getByRole("status").filter({ hasText: "Created run" }).getByRole("link");
    await created.click();
    await page.waitForURL(/\/runs\/[0-9a-f-]+$/);
    runId = page.url().split("/").at(-1)!;

    // Records each state the header's badge shows, from inside the page, so no brief state is missed.
    const badge = page.locator(".page-bar .state-badge");
    await badge.waitFor();
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const record = () => {
        const text = document.querySelector(".page-bar .state-badge")?.textContent ?? "";
        if (text && seen.at(-1) !== text) seen.push(text);
      };
      record();
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.locator(".page-bar .state-badge", { hasText: "Completed" }).waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    console.log(`states seen live: ${seen.join(" → ")}`);
    expect(seen.at(-1)).toBe("Completed");
    expect(seen.every((s) => ["Scheduled", "Pending", "Running", "Completed"].includes(s))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("the run's page shows its task graph with the greet task and its log line", async () => {
    expect(runId).toBeDefined();
    const { page, errors } = await openPage();
    await page.goto(`${origin}/runs/${runId}`);
    const graph = page.getByRole("img", { name: /1 tasks?, 0 dependencies/ });
    await graph.waitFor();
    await expect(graph.locator(".graph-node text").first().textContent()).resolves.toMatch(/^greet/);
    await page.getByRole("log", { name: "Log lines" }).getByText("Hello, World!").waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("a schedule made in the deployment's schedule editor lists its upcoming runs", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${origin}/deployments/${deploymentId}`);
    const schedules = page.getByRole("region", { name: "Schedules" });
    await schedules.getByRole("button", { name: "Add schedule" }).click();
    await schedules.getByRole("spinbutton", { name: "Every" }).fill("60");
    await schedules.getByRole("combobox", { name: "Unit" }).selectOption("minutes");
    await schedules.getByRole("button", { name: "Add schedule" }).click();
    await schedules.locator(".card-row").filter({ hasText: "Active" }).waitFor();
    // The scheduler makes the upcoming runs just after the schedule is saved; the runs list loads with the page.
    const upcoming = page.locator(".run-list li").filter({ has: page.locator('.state-badge[data-state="SCHEDULED"]') });
    const deadline = Date.now() + SLOW;
    let reloads = 0;
    while ((await upcoming.count()) === 0 && Date.now() < deadline) {
      reloads++;
      await page.waitForTimeout(1_000);
      await page.reload();
      await page.getByRole("heading", { name: "Recent runs" }).waitFor();
    }
    expect(await upcoming.count()).toBeGreaterThan(0);
    console.log(`upcoming runs listed: ${await upcoming.count()}, after ${reloads} reload(s)`);
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
      const { page, errors } = await openPage();
      await page.goto(`${origin}${path}`);
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => undefined); // a live stream may keep it busy
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
      failures.push(...errors.map((e) => `${path}: ${e}`));
      await page.close();
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
