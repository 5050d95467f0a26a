import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../../sdk/src/testing/cli";
import { freePort } from "../../sdk/src/testing/free-port";

/*
 * emitEvent without a server: the flow runs all the same, and the script ends at once: the event emitted
 * after the run is dropped with a notice (the flow found no server), not retried until a bounded wait ends.
 */
it("a flow that emits events runs and its script exits when the configured server is not there", async () => {
  const port = await freePort();
  const { BATON_API_KEY, BATON_HOME, BATON_WORKER_CHILD, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(repoRoot, "node_modules/.bin/tsx"), "test/events/fixtures/emitter.ts"], {
    cwd: repoRoot,
    env: { ...inherited, NO_COLOR: "1", BATON_API_URL: `http://127.0.0.1:${port}/api`, EVENT_TAG: "offline" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  const code = await new Promise((r) => child.on("close", r));
  expect(code, stderr).toBe(0);
  expect(stdout).toMatch(/outside [0-9a-f-]{36}/);
  expect(stderr).toContain("flows run, but nothing is recorded");
  expect(stderr).toContain("events are not recorded");
  expect(stderr).not.toContain("retrying");
});
