import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentResponse } from "../../../../protocol/deployments";
import type { FlowRun } from "../../../../protocol/flow-runs";
import type { Flow } from "../../../../protocol/flows";
import type { Log } from "../../../../protocol/logs";
import { baton, batonStarted, fakeFlowModule, startTestServer, writeProject, type TestServer } from "../../testing/cli";

let server: TestServer;
let project: string;
let d: DeploymentResponse;
const cli = (...args: string[]) => baton(args, { apiUrl: server.apiUrl, cwd: project });
const getRun = (id: string) => server.client.get<FlowRun>(`/flow_runs/${id}`);
const setState = (id: string, state: Record<string, unknown>) => server.client.post(`/flow_runs/${id}/set_state`, { state });
const log = (id: string, message: string, level = 20) =>
  server.client.post("/logs/", [{ flow_run_id: id, level, message, timestamp: new Date().toISOString() }]);

/** A run of the deployment, taken through `states` as a worker would report them. */
async function runThrough(...states: Record<string, unknown>[]): Promise<FlowRun> {
  const run = await server.client.post<FlowRun>(`/deployments/${d.id}/create_flow_run`, { parameters: { name: "Ada" } });
  for (const state of states) await setState(run.id, state);
  return getRun(run.id);
}

beforeAll(async () => {
  [server, project] = await Promise.all([startTestServer(), writeProject({ "flows/hello.ts": fakeFlowModule({ helloFlow: "hello-flow" }) })]);
  const deployed = await cli("deploy", "flows/hello.ts:helloFlow", "--name", "runs", "--pool", "run-pool", "--create-pool", "--json");
  d = JSON.parse(deployed.stdout) as DeploymentResponse;
});
afterAll(async () => {
  await server?.stop();
  await rm(project, { recursive: true, force: true });
});

describe("baton flow-run ls and inspect", () => {
  it("lists runs with their flow/deployment and state, filtered by state, and as JSON", async () => {
    const completed = await runThrough({ type: "RUNNING" }, { type: "COMPLETED" });
    const failed = await runThrough({ type: "RUNNING" }, { type: "FAILED", message: "boom" });
    const table = await cli("flow-run", "ls");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+FLOW \/ DEPLOYMENT\s+STATE\s+START\s+RUN TIME\n/);
    expect(table.stdout).toMatch(new RegExp(`${completed.id}\\s+${completed.name}\\s+hello-flow/runs\\s+Completed`));
    const onlyFailed = JSON.parse((await cli("flow-run", "ls", "--state", "FAILED,crashed", "--json")).stdout) as FlowRun[];
    expect(onlyFailed.map((r) => r.id)).toEqual([failed.id]);
    const limited = JSON.parse((await cli("flow-run", "ls", "--deployment", "hello-flow/runs", "--limit", "1", "--json")).stdout) as FlowRun[];
    expect(limited).toHaveLength(1);
  });

  it("--state takes a mix of state types and names: runs in any of them, newest first", async () => {
    const failed = await runThrough({ type: "RUNNING" }, { type: "FAILED", message: "boom" });
    // Due an hour ago and never started: Late, a name that refines the type SCHEDULED.
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const late = await server.client.post<FlowRun>(`/deployments/${d.id}/create_flow_run`, { scheduled_time: hourAgo });
    const upcoming = await server.client.post<FlowRun>(`/deployments/${d.id}/create_flow_run`, { scheduled_time: new Date(Date.now() + 3_600_000).toISOString() });
    const ids = async (...args: string[]) => (JSON.parse((await cli("flow-run", "ls", "--json", ...args)).stdout) as FlowRun[]).map((r) => r.id);

    const failedOrLate = await ids("--state", "failed,Late", "--deployment", "hello-flow/runs");
    expect(failedOrLate).toContain(failed.id);
    expect(failedOrLate).toContain(late.id);
    expect(failedOrLate).not.toContain(upcoming.id);
    const all = await ids("--deployment", "hello-flow/runs", "--limit", "200");
    // In the API's own order, each run once.
    expect(failedOrLate).toEqual(all.filter((id) => failedOrLate.includes(id)));
    expect(new Set(failedOrLate).size).toBe(failedOrLate.length);
    // Late is a kind of SCHEDULED: with the type, every scheduled run.
    const scheduled = await ids("--state", "scheduled,late");
    expect(scheduled).toEqual(expect.arrayContaining([late.id, upcoming.id]));
    expect(scheduled).not.toContain(failed.id);
    // The first of the merged lists, at most --limit.
    expect(await ids("--state", "failed,late", "--deployment", "hello-flow/runs", "--limit", "1")).toEqual([failedOrLate[0]]);
  });

  it("refuses a state that does not exist (exit 2)", async () => {
    const result = await cli("flow-run", "ls", "--state", "broken");
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('✖ Unknown state "broken" [E_USAGE]');
  });

  it("shows a run with its state history; --json is the API's run", async () => {
    const run = await runThrough({ type: "RUNNING" }, { type: "FAILED", message: "boom" });
    const text = await cli("flow-run", "inspect", run.id);
    expect(text.stdout).toMatch(/State\s+Failed boom/);
    expect(text.stdout).toMatch(/Parameters\s+\{"name":"Ada"\}/);
    expect(text.stdout).toMatch(/TIME\s+STATE\s+MESSAGE\n.*Scheduled.*\n.*Running.*\n.*Failed\s+boom/);
    expect(JSON.parse((await cli("flow-run", "inspect", run.id, "--json")).stdout)).toEqual(await getRun(run.id));
  });

  it("says in one line that a run does not exist (exit 1), or that an id is not one (exit 2)", async () => {
    const missing = await cli("flow-run", "inspect", "00000000-0000-4000-8000-000000000000");
    expect(missing.code).toBe(1);
    expect(missing.stderr.split("\n")[0]).toBe("✖ Flow run 00000000-0000-4000-8000-000000000000 not found. [E_RUN_NOT_FOUND]");
    const malformed = await cli("flow-run", "inspect", "golden-falcon");
    expect(malformed.code).toBe(2);
  });
});

describe("short flow run ids", () => {
  it("take a unique start of an id (8 hex digits or more) for inspect and logs, and list the runs a shorter one matches", async () => {
    const base = crypto.randomUUID().slice(0, 8);
    const create = (rest: string, name: string) => server.client.post<FlowRun>("/flow_runs/", { id: `${base}-${rest}`, flow_id: d.flow_id, name });
    const [a, b] = [await create("aaaa-4000-8000-000000000001", "short-a"), await create("aaaa-4000-8000-000000000002", "short-b")];
    const c = await create("bbbb-4000-8000-000000000003", "short-c");
    const inspected = await cli("flow-run", "inspect", `${base}-B`);
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toMatch(new RegExp(`Id\\s+${c.id}`));
    await log(c.id, "from c");
    expect((await cli("flow-run", "logs", `${base}-bb`)).stdout).toMatch(/INFO {5}from c\n$/);
    const ambiguous = await cli("flow-run", "inspect", `${base}-aaaa`);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr.split("\n").slice(0, 3)).toEqual([
      `✖ ${base}-aaaa starts the ids of 2 flow runs; give more of the id: [E_RUN_AMBIGUOUS]`,
      expect.stringMatching(new RegExp(`^  (${a.id}  short-a|${b.id}  short-b)$`)),
      expect.stringMatching(new RegExp(`^  (${a.id}  short-a|${b.id}  short-b)$`)),
    ]);
    const none = await cli("flow-run", "cancel", `${base}-cccc`);
    expect(none.code).toBe(1);
    expect(none.stderr.split("\n")[0]).toBe(`✖ No flow run id starts with ${base}-cccc. [E_RUN_NOT_FOUND]`);
    const tooShort = await cli("flow-run", "inspect", base.slice(0, 7));
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain(`✖ "${base.slice(0, 7)}" is not a flow run id [E_USAGE]`);
  });
});

describe("baton flow-run cancel and retry", () => {
  it("cancels a run nobody holds at once, and says when a run cannot be cancelled", async () => {
    const run = await runThrough();
    const result = await cli("flow-run", "cancel", run.id);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`✔ Flow run ${run.name} is Cancelled\n`);
    expect((await getRun(run.id)).state_type).toBe("CANCELLED");
    const again = await cli("flow-run", "cancel", run.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`✖ Flow run ${run.name} cannot be cancelled: it is Cancelled. [E_NOT_CANCELLABLE]\n`);
  });

  it("retries a finished run: it is scheduled again for the pool", async () => {
    const run = await runThrough({ type: "RUNNING" }, { type: "FAILED", message: "boom" });
    const result = await cli("flow-run", "retry", run.id);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`✔ Flow run ${run.name} is scheduled again.\n`);
    expect(result.stderr).toBe("▲ No worker is online for pool run-pool: start one with `npx baton worker start --pool run-pool`\n");
    expect(await getRun(run.id)).toMatchObject({ state_type: "SCHEDULED", state_name: "Scheduled" });
  });

  it("refuses to retry a run that is still going, or one no deployment can run again", async () => {
    const running = await runThrough({ type: "RUNNING" });
    const refused = await cli("flow-run", "retry", running.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n")[0]).toBe(`✖ Flow run ${running.name} is Running; only finished runs can be retried. [E_RUN_NOT_FINISHED]`);
    expect((await getRun(running.id)).state_type).toBe("RUNNING");

    const flow = await server.client.post<Flow>("/flows/", { name: "script-flow" });
    const script = await server.client.post<FlowRun>("/flow_runs/", { flow_id: flow.id, state: { type: "RUNNING" } });
    await setState(script.id, { type: "COMPLETED" });
    const notDeployed = await cli("flow-run", "retry", script.id);
    expect(notDeployed.code).toBe(1);
    expect(notDeployed.stderr).toContain("[E_NOT_DEPLOYED]");
  });
});

describe("baton flow-run logs", () => {
  it("prints a run's logs with time and level, and as JSON", async () => {
    const run = await runThrough({ type: "RUNNING" });
    await log(run.id, "Hello, Ada!");
    await log(run.id, "Traceback:\n  at greet", 40);
    const text = await cli("flow-run", "logs", run.id);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {5}Hello, Ada!\n\d\d:\d\d:\d\d\.\d{3} ERROR {4}Traceback:\n {22} {2}at greet\n$/);
    const json = JSON.parse((await cli("flow-run", "logs", run.id, "--json")).stdout) as Log[];
    expect(json.map((l) => [l.level, l.message])).toEqual([[20, "Hello, Ada!"], [40, "Traceback:\n  at greet"]]);
  });

  it("names the task run that wrote a line, between the level and the message", async () => {
    const run = await runThrough({ type: "RUNNING" });
    const task = await server.client.post<{ id: string }>("/task_runs/", { flow_run_id: run.id, name: "boom-0", task_key: "boom", dynamic_key: "0" });
    await server.client.post("/logs/", [{ flow_run_id: run.id, task_run_id: task.id, level: 40, message: "Attempt 2 failed: boom", timestamp: new Date().toISOString() }]);
    await log(run.id, "Attempt 1 failed: boom", 40);
    const text = await cli("flow-run", "logs", run.id);
    expect(text.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR {4}boom-0 │ Attempt 2 failed: boom\n\d\d:\d\d:\d\d\.\d{3} ERROR {4}Attempt 1 failed: boom\n$/);
    // --follow learns of task runs that start while it watches.
    const following = batonStarted(["flow-run", "logs", run.id, "--follow"], { apiUrl: server.apiUrl, cwd: project });
    await until(() => following.stdout().includes("Attempt 1 failed"));
    const later = await server.client.post<{ id: string }>("/task_runs/", { flow_run_id: run.id, name: "late-3", task_key: "late", dynamic_key: "3" });
    await server.client.post("/logs/", [{ flow_run_id: run.id, task_run_id: later.id, level: 20, message: "started late", timestamp: new Date().toISOString() }]);
    await until(() => following.stdout().includes("started late"));
    await setState(run.id, { type: "COMPLETED" });
    const result = await following.result;
    expect(result.stdout).toMatch(/INFO {5}late-3 │ started late\n/);
  });

  it("ends quietly, without a stack, when whoever reads its output goes away (`… --follow | head -1`)", async () => {
    const run = await runThrough({ type: "RUNNING" });
    await log(run.id, "first");
    const following = batonStarted(["flow-run", "logs", run.id, "--follow"], { apiUrl: server.apiUrl, cwd: project });
    await until(() => following.stdout().includes("first"));
    following.child.stdout!.destroy();
    for (const line of ["second", "third", "fourth"]) await log(run.id, line);
    // The run goes on: the CLI ends because nobody reads it any more (or, before, kept following unread).
    const result = await Promise.race([following.result, new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000))]);
    following.child.kill();
    expect(result?.code).toBe(0);
    expect(result?.stderr).toBe("");
  });

  it("--follow prints new lines as they come, once each, until the run ends", async () => {
    const run = await runThrough({ type: "RUNNING" });
    await log(run.id, "first");
    const following = batonStarted(["flow-run", "logs", run.id, "--follow"], { apiUrl: server.apiUrl, cwd: project });
    await until(() => following.stdout().includes("first"));
    await log(run.id, "second");
    await until(() => following.stdout().includes("second"));
    await log(run.id, "last");
    await setState(run.id, { type: "COMPLETED" });
    const result = await following.result;
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean).map((l) => l.slice(22))).toEqual(["first", "second", "last"]);
  });
});

async function until(probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
