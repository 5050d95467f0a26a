import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { LOG_LEVELS } from "../../../protocol/logs";
import { LocalServer } from "../worker/test-fixtures/local-server";
import { flow, getLogger, task, TimeoutError, type Flow } from "./index";
import { RecordedRuns } from "./test-fixtures/recorded-runs";

/*
 * Flows run as scripts do (called from this process), recorded by a real local server, and read back
 * through the API.
 */
let server: LocalServer;
let api: RecordedRuns;
let home: string;
const saved = { url: process.env.BATON_API_URL, home: process.env.BATON_HOME };

beforeAll(async () => {
  server = await LocalServer.start();
  api = new RecordedRuns(server.apiUrl);
  home = await mkdtemp(join(tmpdir(), "baton-results-"));
  process.env.BATON_API_URL = server.apiUrl;
  process.env.BATON_HOME = home;
});

afterAll(async () => {
  process.env.BATON_API_URL = saved.url;
  process.env.BATON_HOME = saved.home;
  if (saved.url === undefined) delete process.env.BATON_API_URL;
  if (saved.home === undefined) delete process.env.BATON_HOME;
  await server?.dispose();
  await rm(home, { recursive: true, force: true });
});

describe("flow() and task() types", () => {
  it("keep the function's parameter and result types", () => {
    const f = flow("typed", async (p: { n?: number } = {}) => 1 + (p.n ?? 0));
    expectTypeOf(f).toEqualTypeOf<Flow<{ n?: number }, number>>();
    const t = task("typed-task", async (a: string, b: number) => a.length + b);
    expectTypeOf(t).parameters.toEqualTypeOf<[string | import("./futures").TaskFuture<string>, number | import("./futures").TaskFuture<number>]>();
    expectTypeOf(t).returns.toEqualTypeOf<Promise<number>>();
    expect(f.name).toBe("typed");
    expect(f.parameterSchema()).toEqual({ type: "object", additionalProperties: true });
  });

  it("refuse names the server would refuse", () => {
    expect(() => flow("a/b", async () => 1)).toThrow(/must not contain '\/'/);
    expect(() => task("", async () => 1)).toThrow(/must not be empty/);
    expect(() => task("t", async () => 1, { retries: -1 })).toThrow(/retries must be an integer/);
  });
});

describe("a flow run as a script", () => {
  it("ends COMPLETED with its parameters, task runs (states, edges) and logs (task run, level)", async () => {
    const double = task("double", async (n: number) => {
      console.log(`doubling ${n}`);
      return n * 2;
    });
    const add = task("add", async (a: number, b: number) => {
      getLogger().warn("adding");
      return { sum: a + b };
    });
    const show = task("show", async (r: { sum: number }) => r.sum);
    const etl = flow("etl-edges", async ({ x, y }: { x: number; y: number }) => {
      console.info("starting");
      const a = double.submit(x);
      const b = double.submit(y);
      const sum = await add(a, b);
      return show(sum);
    });

    expect(await etl({ x: 2, y: 3 })).toBe(10);

    const run = await api.onlyRun("etl-edges");
    expect(run).toMatchObject({ state_type: "COMPLETED", parameters: { x: 2, y: 3 }, run_count: 1 });
    expect(run.state?.data).toEqual({ type: "number", preview: "10" });
    const tasks = await api.taskRuns(run.id);
    expect(tasks.map((t) => `${t.name}:${t.state_type}`)).toEqual(["add-0:COMPLETED", "double-0:COMPLETED", "double-1:COMPLETED", "show-0:COMPLETED"]);
    const byName = Object.fromEntries(tasks.map((t) => [t.name, t]));
    const doubles = new Set([byName["double-0"]!.id, byName["double-1"]!.id]);
    expect(new Set([byName["add-0"]!.task_inputs["0"]![0]!.id, byName["add-0"]!.task_inputs["1"]![0]!.id])).toEqual(doubles);
    // An object a task returned, passed on after being awaited: the edge is recorded too.
    expect(byName["show-0"]!.task_inputs).toEqual({ "0": [{ input_type: "task_run", id: byName["add-0"]!.id }] });
    expect(byName["add-0"]!.state?.data).toEqual({ type: "object", preview: '{"sum":10}' });

    const logs = await api.logs(run.id);
    const line = (message: string) => logs.find((l) => l.message === message);
    expect(line("starting")).toMatchObject({ level: LOG_LEVELS.INFO, task_run_id: null });
    expect(line("adding")).toMatchObject({ level: LOG_LEVELS.WARNING, task_run_id: byName["add-0"]!.id });
    const doubling = logs.filter((l) => l.message.startsWith("doubling"));
    expect(doubling.map((l) => l.task_run_id).sort()).toEqual([...doubles].sort());
  });

  it("retries a failing task through the server's AwaitingRetry, ending COMPLETED with run_count 3", async () => {
    let calls = 0;
    const flaky = task(
      "flaky",
      async () => {
        if (++calls < 3) throw new Error(`flake ${calls}`);
        return "ok";
      },
      { retries: 2, retryDelaySeconds: [0.1, 0.2] },
    );
    const f = flow("retrying", async () => flaky());
    expect(await f()).toBe("ok");
    const run = await api.onlyRun("retrying");
    const [t] = await api.taskRuns(run.id);
    expect(t).toMatchObject({ state_type: "COMPLETED", run_count: 3, empirical_policy: { retries: 2, retry_delay: [0.1, 0.2] } });
    const names = (await api.taskRunStates(t!.id)).map((s) => s.name);
    expect(names).toEqual(["Running", "AwaitingRetry", "Retrying", "AwaitingRetry", "Retrying", "Completed"]);
    const failures = (await api.logs(run.id)).filter((l) => l.level === LOG_LEVELS.ERROR && l.task_run_id === t!.id);
    expect(failures.map((l) => l.message.split("\n")[0])).toEqual(["Attempt 1 failed: Error: flake 1", "Attempt 2 failed: Error: flake 2"]);
  });

  it("ends a task run with a cached result Cached, without running it", async () => {
    let runs = 0;
    const expensive = task(
      "expensive",
      async (n: number) => {
        runs++;
        return { n, at: new Date(0) };
      },
      { cacheKey: (n) => `expensive-${n}`, cacheExpirationSeconds: 3600 },
    );
    const f = flow("caching", async () => [await expensive(1), await expensive(1)]);
    const [first, second] = await f();
    expect(runs).toBe(1);
    expect(second).toEqual(first);
    expect(second!.at).toBeInstanceOf(Date);
    const [run] = await api.flowRuns("caching");
    const tasks = await api.taskRuns(run!.id);
    expect(tasks.map((t) => `${t.name}:${t.state_name}`)).toEqual(["expensive-0:Completed", "expensive-1:Cached"]);
    expect(tasks[1]).toMatchObject({ cache_key: "expensive-1", state: { type: "COMPLETED", state_details: { cache_key: "expensive-1" } } });
    expect(Date.parse(tasks[1]!.cache_expiration!)).toBeGreaterThan(Date.now());
  });

  it("fails a task that takes longer than its timeout", async () => {
    const slow = task("slow", () => new Promise((r) => setTimeout(r, 5000)), { timeoutSeconds: 0.2 });
    const f = flow("timing-out", async () => slow());
    await expect(f()).rejects.toBeInstanceOf(TimeoutError);
    const run = await api.onlyRun("timing-out");
    expect(run).toMatchObject({ state_type: "FAILED", state: { message: "TimeoutError: Task run 'slow-0' timed out after 0.2 s" } });
    const [t] = await api.taskRuns(run.id);
    expect(t).toMatchObject({ state_type: "FAILED", state: { message: "TimeoutError: Task run 'slow-0' timed out after 0.2 s" } });
  });

  it("ends a throwing flow FAILED with the message, and the stack in its state and logs", async () => {
    const f = flow("throwing", async () => {
      throw new RangeError("out of range");
    });
    await expect(f()).rejects.toThrow("out of range");
    const run = await api.onlyRun("throwing");
    expect(run).toMatchObject({ state_type: "FAILED", state: { message: "RangeError: out of range", data: { type: "error", name: "RangeError" } } });
    expect((run.state?.data as { stack: string }).stack).toMatch(/flow\.test\.ts/);
    const errors = (await api.logs(run.id)).filter((l) => l.level === LOG_LEVELS.ERROR);
    expect(errors.some((l) => l.message.startsWith("Attempt 1 failed: RangeError: out of range\n") && l.message.includes("flow.test.ts"))).toBe(true);
  });

  it("records a flow called in a flow as a subflow run, linked by a task run of the parent", async () => {
    const child = flow("child-flow", async ({ n }: { n: number }) => n + 1);
    const parent = flow("parent-flow", async () => (await child({ n: 1 })) + (await child({ n: 10 })));
    expect(await parent()).toBe(13);
    const up = await api.onlyRun("parent-flow");
    const standIns = await api.taskRuns(up.id);
    expect(standIns.map((t) => `${t.name}:${t.state_type}`)).toEqual(["child-flow-0:COMPLETED", "child-flow-1:COMPLETED"]);
    const children = await api.flowRuns("child-flow");
    expect(children.map((c) => c.parent_task_run_id).sort()).toEqual(standIns.map((t) => t.id).sort());
    expect(children.map((c) => c.parameters.n).sort()).toEqual([1, 10]);
    expect(children.every((c) => c.state_type === "COMPLETED")).toBe(true);
  });

  it("stores a subflow's stand-in task run before the subflow run, so the server can find it from its parent", async () => {
    // A parent cancelled or crashed while its subflow runs ends the subflow through this link.
    let seenByChild: string[] = [];
    const child = flow("child-link", async () => {
      const up = await api.onlyRun("parent-link");
      seenByChild = (await api.taskRuns(up.id)).map((t) => `${t.name}:${t.state_type}`);
    });
    const parent = flow("parent-link", async () => child());
    await parent();
    expect(seenByChild).toEqual(["child-link-0:RUNNING"]);
  });

  it("runs mapped task runs at most `concurrency` at once", async () => {
    let active = 0;
    let most = 0;
    const work = task("work", async (n: number) => {
      most = Math.max(most, ++active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
      return n * n;
    });
    const f = flow("mapping", async () => work.map([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { concurrency: 3 }).result());
    expect(await f()).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81, 100]);
    expect(most).toBe(3);
    const run = await api.onlyRun("mapping");
    expect((await api.taskRuns(run.id)).filter((t) => t.state_type === "COMPLETED")).toHaveLength(10);
  });

  it("validates parameters by the flow's schema, and gives deployments its JSON schema", async () => {
    const schema = v.object({ name: v.pipe(v.string(), v.minLength(2)), times: v.optional(v.number()) });
    const greet = flow("greeting", async ({ name, times = 1 }) => name.repeat(times), { parameters: schema });
    expect(greet.parameterSchema()).toMatchObject({ type: "object", properties: { name: { type: "string", minLength: 2 } }, required: ["name"] });
    expect(await greet({ name: "ab" })).toBe("ab");
    await expect(greet({ name: "a" })).rejects.toThrow(/invalid parameters for flow "greeting": name: /);
    const [failed, ok] = await api.flowRuns("greeting");
    expect([failed?.state_type, ok?.state_type].sort()).toEqual(["COMPLETED", "FAILED"]);
  });
});
