import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { Log } from "../../../protocol/logs";
import { ApiClient } from "../client/http";
import { LogShipper } from "../client/log-shipper";
import type { Output } from "../output";
import { WorkerAgent } from "./agent";
import { RunOutput } from "./run-output";
import { childExecutor } from "./runner";
import { LocalServer } from "./test-fixtures/local-server";
import { alive, until } from "../testing/wait";

const project = fileURLToPath(new URL("./test-fixtures/project", import.meta.url));
const FLOWS = { hello: "worker-test-hello", sleepy: "worker-test-sleepy", crashing: "worker-test-crashing", notAFlow: "worker-test-hello" };

/** Collects what the agent prints, to look at when a test fails. */
function recorder(): Output & { lines: string[] } {
  const lines: string[] = [];
  const rec = (kind: string) => (message: string) => void lines.push(`${kind} ${message}`);
  return { lines, info: rec("info"), step: rec("step"), success: rec("success"), warn: rec("warn"), error: rec("error") };
}

describe("the worker agent, with real child processes against a real server", () => {
  let server: LocalServer;
  let client: ApiClient;

  beforeAll(async () => {
    server = await LocalServer.start();
    client = new ApiClient({ apiUrl: server.apiUrl, apiKey: undefined, configured: true });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  /** A pool of its own, a deployment in it, and an agent on it. */
  async function setup(pool: string, exportName: keyof typeof FLOWS | null, options: { limit?: number } = {}) {
    await client.post("/work_pools/", { name: pool });
    const flow = await client.post<{ id: string }>("/flows/", { name: FLOWS[exportName ?? "hello"] });
    const deployment = await client.post<{ id: string }>("/deployments/", {
      name: `${pool}-deployment`,
      flow_id: flow.id,
      work_pool_name: pool,
      entrypoint: exportName && `flows/jobs.ts:${exportName}`,
      path: project,
      enforce_parameter_schema: false,
    });
    const out = recorder();
    const echo = { stdout: new PassThrough(), stderr: new PassThrough() };
    const shipper = new LogShipper(client);
    const agent = new WorkerAgent({
      client,
      pool,
      name: `${pool}-worker`,
      limit: options.limit ?? 4,
      executor: childExecutor({ client, output: new RunOutput(shipper, echo), killGraceMs: 2_000 }),
      out,
    });
    await agent.start();
    const createRun = (parameters: Record<string, unknown> = {}) =>
      client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, { parameters });
    const finalState = (id: string) =>
      until(`run ${id} to end`, async () => {
        const run = await client.get<FlowRun>(`/flow_runs/${id}`);
        return ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"].includes(run.state_type ?? "") && run;
      });
    return { agent, out, echo: () => stripVTControlCharacters(String(echo.stdout.read() ?? "")), createRun, finalState, stop: () => agent.cancelAll("test over", 5_000) };
  }

  const logsOf = (id: string) => client.post<Log[]>("/logs/filter", { logs: { flow_run_id: { any_: [id] } } });

  const pidsOf = (id: string) =>
    until("the run's pids in its logs", async () => {
      const line = (await logsOf(id)).find((l) => l.message.startsWith("pids "));
      return line && line.message.split(" ").slice(1).map(Number);
    });

  it("runs a deployment's run in a child process, to COMPLETED, with the child's output as logs and on the terminal", async () => {
    const { createRun, finalState, stop, out, echo } = await setup("agent-basic", "hello");
    const run = await createRun({ name: "Grace" });
    const ended = await finalState(run.id);
    expect(ended.state_type, out.lines.join("\n")).toBe("COMPLETED");
    const logs = await until("the output as logs", async () => {
      const logs = await logsOf(run.id);
      return logs.some((l) => l.message.startsWith("raw stdout")) && logs;
    });
    expect(logs.map((l) => [l.level, l.message])).toEqual(
      expect.arrayContaining([
        [20, "Hello, Grace!"],
        [20, expect.stringMatching(/^raw stdout from pid \d+$/)],
      ]),
    );
    expect(echo()).toMatch(new RegExp(`\\[${run.name}\\] raw stdout from pid \\d+`));
    expect(out.lines).toContain(`step Started worker-test-hello/${run.name} (${run.id}) (pid ${logs.find((l) => l.message.startsWith("raw"))!.message.split(" ").at(-1)})`);
    // The agent prints its line once the child has exited, which may be after the server shows COMPLETED.
    await until("the agent's completed line", async () => out.lines.includes(`success worker-test-hello/${run.name} (${run.id}) completed`));
    await stop();
  });

  it("kills a cancelled run's whole process tree and reports it CANCELLED", async () => {
    const { createRun, finalState, stop } = await setup("agent-cancel", "sleepy");
    const run = await createRun({ seconds: 120 });
    const pids = await pidsOf(run.id);
    expect(pids.every(alive)).toBe(true);
    await client.post(`/flow_runs/${run.id}/cancel`);
    const ended = await finalState(run.id);
    expect(ended.state_type).toBe("CANCELLED");
    expect(ended.state?.message).toBe("cancellation requested");
    expect(pids.some(alive)).toBe(false);
    await stop();
  });

  it("reports CRASHED, with the exit code and the last error output, when the child dies", async () => {
    const { createRun, finalState, stop } = await setup("agent-crash", "crashing");
    const ended = await finalState((await createRun()).id);
    expect(ended.state_type).toBe("CRASHED");
    expect(ended.state?.message).toContain("The run's process exited with code 3");
    expect(ended.state?.message).toContain("about to exit abruptly");
    await stop();
  });

  it("reports CRASHED when the child is killed from outside, and ends what it left behind", async () => {
    const { createRun, finalState, stop } = await setup("agent-killed", "sleepy");
    const run = await createRun({ seconds: 120 });
    const [child, grandchild] = await pidsOf(run.id);
    process.kill(child!, "SIGKILL");
    const ended = await finalState(run.id);
    expect(ended.state_type).toBe("CRASHED");
    expect(ended.state?.message).toContain("The run's process was killed by SIGKILL");
    await until("the grandchild to be gone", async () => !alive(grandchild!), 5_000);
    await stop();
  });

  it("reports CRASHED, saying why, when the entrypoint names no flow", async () => {
    const { createRun, finalState, stop } = await setup("agent-not-a-flow", "notAFlow");
    const ended = await finalState((await createRun()).id);
    expect(ended.state_type).toBe("CRASHED");
    expect(ended.state?.message).toContain(`flows/jobs.ts has no flow exported as "notAFlow" (its flows: crashing, hello, sleepy)`);
    await stop();
  });

  it("reports CRASHED in one line, logged too, when the entrypoint's file is not on this machine", async () => {
    await client.post("/work_pools/", { name: "agent-gone" });
    const flow = await client.post<{ id: string }>("/flows/", { name: FLOWS.hello });
    const deployment = await client.post<{ id: string }>("/deployments/", {
      name: "agent-gone-deployment",
      flow_id: flow.id,
      work_pool_name: "agent-gone",
      entrypoint: "flows/gone.ts:hello",
      path: project,
      enforce_parameter_schema: false,
    });
    const out = recorder();
    const echo = { stdout: new PassThrough(), stderr: new PassThrough() };
    const agent = new WorkerAgent({
      client,
      pool: "agent-gone",
      name: "agent-gone-worker",
      limit: 1,
      executor: childExecutor({ client, output: new RunOutput(new LogShipper(client), echo) }),
      out,
    });
    await agent.start();
    const run = await client.post<FlowRun>(`/deployments/${deployment.id}/create_flow_run`, {});
    const line = `entrypoint flows/gone.ts:hello not found in ${project} (the worker runs deployments from the directory \`baton deploy\` ran in, on the worker's machine)`;
    const ended = await until("the run to crash", async () => {
      const got = await client.get<FlowRun>(`/flow_runs/${run.id}`);
      return got.state_type === "CRASHED" && got;
    });
    expect(ended.state?.message).toBe(line);
    await until("the line as a log of the run", async () => (await logsOf(run.id)).some((l) => l.level === 40 && l.message === line));
    await until("the agent's line", async () => out.lines.includes(`error worker-test-hello/${run.name} (${run.id}) crashed: ${line}`));
    expect(out.lines.join("\n")).not.toContain("ERR_MODULE_NOT_FOUND");
    expect(String(echo.stderr.read() ?? "")).toBe("");
    await agent.cancelAll("test over", 5_000);
  });

  it("reports CRASHED when the deployment has no entrypoint to run", async () => {
    const { createRun, finalState, stop } = await setup("agent-no-entrypoint", null);
    const ended = await finalState((await createRun()).id);
    expect(ended.state_type).toBe("CRASHED");
    expect(ended.state?.message).toContain("has no entrypoint");
    await stop();
  });

  it("runs at most `limit` runs at once", async () => {
    const { agent, createRun, finalState, stop } = await setup("agent-limit", "sleepy", { limit: 2 });
    const runs = await Promise.all(Array.from({ length: 5 }, () => createRun({ seconds: 1 })));
    let most = 0;
    const watching = setInterval(() => (most = Math.max(most, agent.running)), 20);
    const ended = await Promise.all(runs.map((r) => finalState(r.id)));
    clearInterval(watching);
    expect(ended.map((r) => r.state_type)).toEqual(Array(5).fill("COMPLETED"));
    expect(most).toBe(2);
    await stop();
  });

  it("drains: takes no new run, lets the running one finish, then disconnects", async () => {
    const { agent, createRun, finalState } = await setup("agent-drain", "sleepy");
    const first = await createRun({ seconds: 1.5 });
    await until("the first run to start", async () => agent.running === 1);
    const draining = agent.drain();
    const second = await createRun({ seconds: 0 });
    expect((await finalState(first.id)).state_type).toBe("COMPLETED");
    await draining;
    await new Promise((r) => setTimeout(r, 500));
    expect((await client.get<FlowRun>(`/flow_runs/${second.id}`)).state_type).toBe("SCHEDULED");
  });
});
