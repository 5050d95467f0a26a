import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FlowRun } from "../../../../protocol/flow-runs";
import type { Log } from "../../../../protocol/logs";
import { ApiClient } from "../../client/http";
import { batonInTerminal, KEYS } from "../../testing/cli";
import { batonBin, cleanEnv, LocalServer, repoRoot } from "../../worker/test-fixtures/local-server";
import { alive, until } from "../../testing/wait";

/*
 * `baton worker start` end to end: the real CLI as a child process, real flows (test-fixtures/project)
 * in its children, a real local server that the tests stop, restart and watch.
 */

const project = fileURLToPath(new URL("../../worker/test-fixtures/project", import.meta.url));
const TERMINAL = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];

interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

const workers: WorkerProcess[] = [];

describe("baton worker start (end to end)", () => {
  let server: LocalServer;
  let client: ApiClient;

  beforeAll(async () => {
    server = await LocalServer.start();
    client = new ApiClient({ apiUrl: server.apiUrl, apiKey: undefined, configured: true });
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
      await w.exit;
    }
  });

  afterAll(async () => {
    await server?.dispose();
  });

  function startWorker(args: string[], apiUrl = server.apiUrl): WorkerProcess {
    const child = spawn(process.execPath, [batonBin, "worker", "start", ...args], {
      cwd: repoRoot,
      env: cleanEnv({ BATON_API_URL: apiUrl }),
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const started = { child, output: () => output, exit };
    workers.push(started);
    return started;
  }

  const connected = (w: WorkerProcess) => until("the worker to connect", async () => w.output().includes("is taking runs from pool"));

  /** A pool, a deployment of `exportName` from the fixture project in it, and a worker on it. */
  async function setup(pool: string, exportName: "hello" | "sleepy", workerArgs: string[] = []) {
    const flowName = exportName === "hello" ? "worker-test-hello" : "worker-test-sleepy";
    const flow = await client.post<{ id: string }>("/flows/", { name: flowName });
    await client.post("/work_pools/", { name: pool });
    const deployment = await client.post<{ id: string }>("/deployments/", {
      name: pool,
      flow_id: flow.id,
      work_pool_name: pool,
      entrypoint: `flows/jobs.ts:${exportName}`,
      path: project,
      enforce_parameter_schema: false,
    });
    const worker = startWorker(["--pool", pool, "--name", `${pool}-worker`, ...workerArgs]);
    await connected(worker);
    const createRun = (parameters: Record<string, unknown> = {}) =>
      client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, { parameters });
    return { worker, createRun };
  }

  const runOf = (id: string) => client.get<FlowRun>(`/flow_runs/${id}`);
  const finalState = (id: string, timeoutMs?: number) =>
    until(`run ${id} to end`, async () => {
      const run = await runOf(id);
      return TERMINAL.includes(run.state_type ?? "") && run;
    }, timeoutMs);
  const logsOf = (id: string) => client.post<Log[]>("/logs/filter", { logs: { flow_run_id: { any_: [id] } } });
  const pidsOf = (id: string) =>
    until("the run's pids in its logs", async () => {
      const line = (await logsOf(id)).find((l) => l.message.startsWith("pids "));
      return line && line.message.split(" ").slice(1).map(Number);
    });

  it("runs a run created from the deployment to COMPLETED, with the child's output as logs", async () => {
    const { worker, createRun } = await setup("cli-hello", "hello");
    const run = await createRun({ name: "Ada" });
    const ended = await finalState(run.id);
    expect(ended.state_type, worker.output()).toBe("COMPLETED");
    const logs = await until("both kinds of output as logs", async () => {
      const logs = await logsOf(run.id);
      return logs.some((l) => l.message.startsWith("raw stdout")) && logs.some((l) => l.message === "Hello, Ada!") && logs;
    });
    expect(logs.find((l) => l.message.startsWith("raw stdout"))?.level).toBe(20);
    expect(worker.output()).toContain(`[${run.name}] raw stdout from pid`);
    expect(worker.output()).toContain(`worker-test-hello/${run.name} (${run.id}) completed`);
  });

  it("kills the process tree of a cancelled run and reports it CANCELLED", async () => {
    const { createRun } = await setup("cli-cancel", "sleepy");
    const run = await createRun({ seconds: 120 });
    const pids = await pidsOf(run.id);
    expect(pids.every(alive)).toBe(true);
    await client.post(`/flow_runs/${run.id}/cancel`);
    expect((await finalState(run.id)).state_type).toBe("CANCELLED");
    await until("the run's processes to be gone", async () => pids.every((pid) => !alive(pid)), 5_000);
  });

  it("on SIGTERM stops taking runs, lets the running one finish, then exits 0", async () => {
    const { worker, createRun } = await setup("cli-drain", "sleepy");
    const running = await createRun({ seconds: 3 });
    await pidsOf(running.id);
    worker.child.kill("SIGTERM");
    await until("the worker to say it stops", async () => worker.output().includes("waiting for 1 running run to finish"));
    const waiting = await createRun({ seconds: 1 });
    expect(await worker.exit, worker.output()).toBe(0);
    expect((await runOf(running.id)).state_type).toBe("COMPLETED");
    expect((await runOf(waiting.id)).state_type).toBe("SCHEDULED");
    expect(worker.output()).toContain("Worker stopped.");
  });

  it("on a second SIGTERM cancels the running runs, kills their processes, and exits", async () => {
    const { worker, createRun } = await setup("cli-drain-twice", "sleepy");
    const run = await createRun({ seconds: 120 });
    const pids = await pidsOf(run.id);
    worker.child.kill("SIGTERM");
    await until("the worker to drain", async () => worker.output().includes("Stopping (SIGTERM)"));
    worker.child.kill("SIGTERM");
    expect(await worker.exit, worker.output()).toBe(0);
    const ended = await runOf(run.id);
    expect(ended.state_type).toBe("CANCELLED");
    expect(ended.state?.message).toContain("the worker was stopped");
    expect(pids.some(alive)).toBe(false);
  });

  it("when the worker is killed with SIGKILL mid-run, its run's processes stop and the run becomes CRASHED", async () => {
    const { worker, createRun } = await setup("cli-kill", "sleepy");
    const run = await createRun({ seconds: 120 });
    const pids = await pidsOf(run.id);
    worker.child.kill("SIGKILL");
    await until("the run's processes to stop with their worker", async () => pids.every((pid) => !alive(pid)), 5_000);
    // The pool gives a vanished worker 10 s to reconnect before it declares its runs CRASHED.
    const ended = await finalState(run.id, 40_000);
    expect(ended.state_type).toBe("CRASHED");
    expect(ended.state?.message).toContain("disconnected");
  }, 60_000);

  it("keeps a run through a server restart: reconnects, and the run ends COMPLETED with its logs", async () => {
    const { worker, createRun } = await setup("cli-restart", "sleepy");
    const run = await createRun({ seconds: 6 });
    await pidsOf(run.id);
    await server.stop();
    await server.restart();
    const ended = await finalState(run.id, 40_000);
    expect(ended.state_type, `${JSON.stringify(ended.state)}\n${worker.output()}`).toBe("COMPLETED");
    await until("the worker to reconnect", async () => worker.output().includes("Reconnected to pool cli-restart"));
    await until("the run's last log line", async () => (await logsOf(run.id)).some((l) => l.message === "slept"));
  }, 120_000);

  it("refuses a pool that does not exist, saying how to create it, and creates it with --create-pool", async () => {
    const missing = startWorker(["--pool", "cli-missing"]);
    expect(await missing.exit).toBe(1);
    expect(missing.output()).toContain('Work pool "cli-missing" does not exist. [E_POOL_NOT_FOUND]');
    expect(missing.output()).toContain("--create-pool");
    expect(missing.output()).not.toMatch(/\n\s+at /);

    const creating = startWorker(["--pool", "cli-missing", "--create-pool", "--limit", "3"]);
    await connected(creating);
    expect(creating.output()).toContain("Created work pool cli-missing.");
    expect(creating.output()).toContain("3 runs at once");
    expect(creating.output()).toContain(`Server   ${server.apiUrl}`);
    creating.child.kill("SIGINT");
    expect(await creating.exit).toBe(0);
  });

  it("given the server's root for BATON_API_URL, says where the API is and exits 1 instead of waiting", async () => {
    await client.post("/work_pools/", { name: "cli-root-url" });
    const root = server.apiUrl.replace(/\/api$/, "");
    const worker = startWorker(["--pool", "cli-root-url"], root);
    const code = await Promise.race([worker.exit, new Promise((r) => setTimeout(() => r("still running after 20 s"), 20_000))]);
    expect(code, worker.output()).toBe(1);
    expect(worker.output()).toBe(`✖ No Baton API at ${root} — did you mean ${server.apiUrl}? [E_NOT_BATON_API]\n  Set BATON_API_URL=${server.apiUrl}.\n`);
  });

  it("without --pool in a terminal, lets the user pick a pool or create one", async () => {
    await client.post("/work_pools/", { name: "cli-existing-pool" });
    const session = batonInTerminal(["worker", "start", "--name", "picky"], { apiUrl: server.apiUrl });
    await session.waitFor("Which work pool should this worker take runs from?");
    await session.waitFor("Create a new work pool");
    // The last option creates a pool; the up arrow wraps around to it.
    session.type(KEYS.up);
    session.type(KEYS.enter);
    await session.waitFor("Name of the new work pool");
    session.type("cli-picked-pool");
    session.type(KEYS.enter);
    await session.waitFor("is taking runs from pool cli-picked-pool");
    session.type(KEYS.ctrlC);
    expect(await session.exit).toBe(0);
    expect(session.screen()).toContain("Worker stopped.");
    expect((await client.get<{ name: string }>("/work_pools/cli-picked-pool")).name).toBe("cli-picked-pool");
  });
});
