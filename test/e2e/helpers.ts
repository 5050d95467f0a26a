import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { repoRoot } from "../../sdk/src/testing/cli";

/*
 * What the browser tests share: Debian's Chromium, pages that collect console errors, a real
 * `baton worker start`, screenshots, and a recorder of the states a badge shows.
 */

export const screenshots = join(repoRoot, "test/e2e/screenshots");
// The machine may be busy: waits are generous, and the tests assert what is shown, never how fast.
export const SLOW = 60_000;

export async function launchBrowser(): Promise<Browser> {
  await mkdir(screenshots, { recursive: true });
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"], headless: true });
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions so far, to assert none happened. */
  errors: string[];
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /**
   * Console errors that are expected, e.g. Chromium's own line for a 401 the test provokes. Only lines
   * matching one of these are left out; anything else the page logs as an error is kept.
   */
  expectedErrors?: RegExp[];
}

export const PHONE = { width: 390, height: 844 };

/** A fresh page (its own context: no shared session storage) that collects console errors and uncaught exceptions. */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  page.setDefaultTimeout(SLOW);
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !options.expectedErrors?.some((e) => e.test(m.text()))) errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors };
}

/**
 * Waits until nothing on the page says it is loading, then for its requests to die down (the health
 * check and the live stream may keep it from ever being idle: then it goes on after a while).
 */
export async function settle(page: Page): Promise<void> {
  await page.getByText(/^Loading/).first().waitFor({ state: "detached" });
  await page.waitForLoadState("networkidle", { timeout: 5_000 }).catch(() => undefined);
}

/** A full-page screenshot in test/e2e/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await settle(page);
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/**
 * Records, from inside the page, every text the element at `selector` shows, so a brief state is not
 * missed between two polls of the test. Read them with statesSeen().
 */
export async function recordStates(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().waitFor();
  await page.evaluate((sel) => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    const record = () => {
      const text = document.querySelector(sel)?.textContent ?? "";
      if (text && seen.at(-1) !== text) seen.push(text);
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, selector);
}

/** What recordStates() saw; its array lives in the page, so this also proves the page was not reloaded. */
export function statesSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { seen: string[] }).seen);
}

export interface RunningWorker {
  child: ChildProcess;
  output(): string;
  /** Waits until the worker has printed `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `baton worker start --pool <pool>`; resolves once it says it is taking runs. */
export async function startWorker(apiUrl: string, pool: string): Promise<RunningWorker> {
  const { BATON_API_KEY, BATON_API_URL, BATON_HOME, BATON_SERVER_DIR, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(repoRoot, "sdk/bin/baton.js"), "worker", "start", "--pool", pool], {
    cwd: repoRoot,
    env: { ...inherited, NO_COLOR: "1", BATON_API_URL: apiUrl },
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  const waitFor = async (text: string, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited before printing ${JSON.stringify(text)}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`worker did not print ${JSON.stringify(text)} within ${timeoutMs / 1000} s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitFor("is taking runs");
  return {
    child,
    output: () => output,
    waitFor,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}
