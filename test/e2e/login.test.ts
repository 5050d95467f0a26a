import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalServer } from "../../sdk/src/worker/test-fixtures/local-server";
import { launchBrowser, openPage, screenshot } from "./helpers";

/*
 * The dashboard of a server that has an API key (BATON_API_KEY), in a real browser: it asks for the key
 * once, keeps it for the tab's session, and forgets it on log-out.
 */

const KEY = "e2e-dashboard-key";
// Chromium logs every 4xx response as a console error of its own; here the 401s are the point (the
// dashboard learns that a key is needed, and a wrong key is refused). Any other console error still fails.
const EXPECTED_401 = [/^Failed to load resource: the server responded with a status of 401/];

let server: LocalServer;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  server = await LocalServer.start(KEY);
  origin = new URL(server.apiUrl).origin;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe("dashboard of a server with an API key", () => {
  it("asks for the key, refuses a wrong one readably, keeps the right one across reloads, and forgets it on log-out", async () => {
    const { page, errors } = await openPage(browser, { expectedErrors: EXPECTED_401 });
    await page.goto(`${origin}/runs`);
    await page.waitForURL(/\/login\?next=%2Fruns$/);
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    await screenshot(page, "login");

    const key = page.getByLabel("API key");
    await key.fill("not-the-key");
    await page.getByRole("button", { name: "Log in" }).click();
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    const said = (await refusal.textContent()) ?? "";
    console.log(`wrong key: ${said}`);
    // Words a person can act on, with the status; never a raw error body.
    expect(said).toMatch(/key/i);
    expect(said).toContain("401");
    expect(said).not.toMatch(/[{}]/);
    expect(page.url()).toMatch(/\/login/);

    await key.fill(KEY);
    await page.getByRole("button", { name: "Log in" }).click();
    // Back where the login was asked for.
    await page.waitForURL(/\/runs$/);
    await page.getByRole("heading", { level: 1, name: "Runs" }).waitFor();
    await page.getByText("No flow runs yet").waitFor();

    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Runs" }).waitFor();
    await page.getByText("No flow runs yet").waitFor();
    expect(page.url()).toMatch(/\/runs$/);

    // Settings manages the server's keys once logged in.
    await page.goto(`${origin}/settings`);
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await screenshot(page, "settings-logged-in");

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login/);
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    // The key is gone, not just hidden: opening the dashboard again asks for it.
    await page.goto(`${origin}/`);
    await page.waitForURL(/\/login\?next=%2F$/);
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("opens the dashboard directly in a tab that already has the key for its session", async () => {
    const { page, errors } = await openPage(browser);
    await page.addInitScript((key) => sessionStorage.setItem("baton.apiKey", key), KEY);
    await page.goto(`${origin}/`);
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.getByRole("button", { name: "Log out" }).waitFor();
    expect(page.url()).toBe(`${origin}/`);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
