import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../testing/free-port";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const bin = join(repoRoot, "sdk/bin/baton.js");
const READY = /Baton server ready at (http:\/\/\S+)/;

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Started[] = [];

function baton(args: string[], env: Record<string, string>): Started {
  // The server must see only what each test sets, not the settings of whoever runs the tests.
  const { BATON_API_KEY, BATON_SERVER_DIR, BATON_HOME, ...inherited } = process.env;
  const childEnv = { ...inherited, NO_COLOR: "1", ...env };
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: childEnv });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const run = { child, output: () => output, exit };
  started.push(run);
  return run;
}

function untilReady(run: Started, timeoutMs = 90_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${run.output()}`)), timeoutMs);
    const check = () => {
      const url = READY.exec(run.output())?.[1];
      if (url) {
        clearTimeout(timer);
        run.child.stdout.off("data", check);
        resolve(url);
      }
    };
    run.child.stdout.on("data", check);
    run.exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before ready:\n${run.output()}`));
    });
    check();
  });
}

describe("baton server start (end to end)", () => {
  let home: string;
  let port: number;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "baton-home-"));
    port = await freePort();
  });

  afterAll(async () => {
    for (const run of started) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill("SIGTERM");
        await run.exit;
      }
    }
    await rm(home, { recursive: true, force: true });
  });

  it("starts, serves the API and the dashboard, and stops cleanly on SIGTERM", async () => {
    const spawnedAt = performance.now();
    const run = baton(["server", "start", "--port", String(port)], { BATON_HOME: home });
    const url = await untilReady(run);
    console.info(`baton server start: spawn → ready line in ${Math.round(performance.now() - spawnedAt)} ms (fresh state)`);

    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(run.output()).toMatch(/Applied migrations: \S+\.sql/);
    expect(run.output()).toContain(`export BATON_API_URL=http://127.0.0.1:${port}/api`);
    expect(run.output()).toContain(`State      ${join(home, "state")}`);
    expect(run.output()).toContain("Auth       off");

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const dashboard = await fetch(`${url}/runs`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get("content-type")).toContain("text/html");
    await dashboard.body?.cancel();

    run.child.kill("SIGTERM");
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain("Server stopped.");
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();

    const d1 = join(home, "state/v3/d1/miniflare-D1DatabaseObject");
    expect(readdirSync(d1).some((file) => file.endsWith(".sqlite") && file !== "metadata.sqlite")).toBe(true);
  });

  it("comes back on the same BATON_HOME with the database already migrated, with auth from BATON_API_KEY", async () => {
    const spawnedAt = performance.now();
    const run = baton(["server", "start", "--port", String(port)], { BATON_HOME: home, BATON_API_KEY: "e2e-key" });
    const url = await untilReady(run);
    console.info(`baton server start: spawn → ready line in ${Math.round(performance.now() - spawnedAt)} ms (existing state)`);

    expect(run.output()).toContain("Database schema is up to date");
    expect(run.output()).toContain("Auth       on");
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/flows/`)).status).toBe(401);
    expect((await fetch(`${url}/api/flows/`, { headers: { authorization: "Bearer e2e-key" } })).status).not.toBe(401);

    run.child.kill("SIGINT");
    expect(await run.exit).toEqual({ code: 0, signal: null });
  });

  it("refuses a port that is already in use, with a clear error and a non-zero exit", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const run = baton(["server", "start", "--port", String(port)], { BATON_HOME: home });
      expect((await run.exit).code).toBe(1);
      expect(run.output()).toContain(`Port ${port} on 127.0.0.1 is already in use. [E_PORT_IN_USE]`);
      expect(run.output()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});

/** The machine's own Node (if older than 22) shows what a user with an old Node sees. */
const oldNode = ["/usr/bin/node", "/usr/local/bin/node"].find((path) => {
  if (!existsSync(path)) return false;
  const version = spawnSync(path, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
  return Number(version.split(".")[0]) < 22;
});

describe("bin/baton.js", () => {
  it.skipIf(!oldNode)("explains in one line that it needs Node 22+ and how to run it", () => {
    const result = spawnSync(oldNode!, [bin, "--help"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("baton needs Node.js 22 or newer");
    expect(result.stderr).toContain("npx baton");
  });

  it("prints its help quickly, without loading the server", () => {
    const result = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("baton");
    expect(result.stdout).toContain("server");
  });
});
