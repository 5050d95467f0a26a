import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Output } from "../output";
import { freePort } from "../testing/free-port";
import { applyMigrations } from "./migrations";
import type { ServerOptions } from "./options";
import type { ServerDir } from "./server-dir";
import { startLocalWorker, type LocalWorker } from "./worker";

const fixture: ServerDir = {
  root: fileURLToPath(new URL("./test-fixture", import.meta.url)),
  wranglerConfig: fileURLToPath(new URL("./test-fixture/wrangler.toml", import.meta.url)),
};
const silent: Output = { info() {}, step() {}, success() {}, warn() {}, error() {} };

process.env.WRANGLER_LOG ??= "warn";
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

describe("the Worker started through wrangler's dev API", () => {
  let home: string;
  let options: ServerOptions;
  let worker: LocalWorker;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "baton-worker-test-"));
    options = { host: "127.0.0.1", port: await freePort(), home, stateDir: join(home, "state"), apiKey: "test-key" };
    expect(await applyMigrations(fixture, options.stateDir)).toEqual(["0001_ticks.sql"]);
    worker = await startLocalWorker(fixture, options, silent);
  });

  afterAll(async () => {
    await worker?.dispose();
    await rm(home, { recursive: true, force: true });
  });

  it("applies each migration once", async () => {
    expect(await applyMigrations(fixture, options.stateDir)).toEqual([]);
  });

  it("listens where it was asked to and reads the Cron Triggers of wrangler.toml", () => {
    expect(worker.url.origin).toBe(`http://127.0.0.1:${options.port}`);
    expect(worker.crons).toEqual(["* * * * *"]);
    expect(worker.authRequired).toBe(true);
  });

  it("runs the scheduled handler with the given cron and scheduled time, and passes BATON_API_KEY", async () => {
    const minute = new Date("2030-01-01T00:01:00Z");
    await worker.fireScheduled("* * * * *", minute);
    const response = await fetch(new URL("ticks", worker.url));
    expect(await response.json()).toEqual({
      ticks: [{ cron: "* * * * *", scheduled_time: minute.getTime() }],
      apiKey: "test-key",
    });
  });

  it("rejects when the scheduled handler throws", async () => {
    await expect(worker.fireScheduled("fail", new Date())).rejects.toThrow(/outcome exception/);
  });

  it("reports a port taken by another program as E_PORT_IN_USE", async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      await expect(startLocalWorker(fixture, { ...options, port, apiKey: undefined }, silent)).rejects.toMatchObject({
        code: "E_PORT_IN_USE",
      });
    } finally {
      blocker.close();
    }
  });
});
