import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHILD_ENV, type RunOutcome } from "../runtime/types";

const entry = fileURLToPath(new URL("./child-entry.ts", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** child-entry.ts as the worker starts it (runner.ts): in the deployment's directory, with an IPC channel. */
function runChild(cwd: string, entrypoint: string): Promise<{ code: number | null; stderr: string; outcome?: RunOutcome }> {
  const child = spawn(process.execPath, ["--import", tsx, entry], {
    cwd,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, [CHILD_ENV.flowRunId]: "run-id", [CHILD_ENV.leaseToken]: "lease", [CHILD_ENV.entrypoint]: entrypoint, [CHILD_ENV.workerChild]: "1" },
  });
  let stderr = "";
  let outcome: RunOutcome | undefined;
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
  child.on("message", (message) => (outcome = message as RunOutcome));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr, outcome })));
}

describe("a worker's child process whose entrypoint's file is missing", () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "baton-child-entry-"))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("ends CRASHED with one line saying so, printed once, not Node's stack", async () => {
    const { code, stderr, outcome } = await runChild(dir, "flows/x.ts:fn");
    const line = `entrypoint flows/x.ts:fn not found in ${dir} (the worker runs deployments from the directory \`baton deploy\` ran in, on the worker's machine)`;
    expect(code).toBe(1);
    expect(outcome).toEqual({ state: "CRASHED", message: line });
    expect(stderr).toBe(`${line}\n`);
  });
});
