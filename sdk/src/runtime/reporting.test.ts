import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOG_LEVELS } from "../../../protocol/logs";
import { LocalServer } from "../worker/test-fixtures/local-server";
import { flow, task } from "./index";
import { RecordedRuns } from "./test-fixtures/recorded-runs";
import { runScript } from "./test-fixtures/run-script";
import { CHILD_ENV } from "./types";

/*
 * How the runtime reports to a real local server: few requests for many task runs, and nothing lost when
 * the server goes away in the middle of a run.
 */
let server: LocalServer;
let api: RecordedRuns;
const savedUrl = process.env.BATON_API_URL;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  server = await LocalServer.start();
  api = new RecordedRuns(server.apiUrl);
  process.env.BATON_API_URL = server.apiUrl;
});

afterEach(() => {
  globalThis.fetch = realFetch;
});

afterAll(async () => {
  if (savedUrl === undefined) delete process.env.BATON_API_URL;
  else process.env.BATON_API_URL = savedUrl;
  await server?.dispose();
});

/** Counts the HTTP requests this process makes, by path, from now on. */
function countRequests(): Map<string, number> {
  const seen = new Map<string, number>();
  globalThis.fetch = (input, init) => {
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname.replace(/[0-9a-f-]{36}/g, ":id");
    seen.set(path, (seen.get(path) ?? 0) + 1);
    return realFetch(input, init);
  };
  return seen;
}

describe("reporting", () => {
  it("records a flow of 1,000 trivial tasks (each logging a line) in far fewer than 1,000 requests", async () => {
    const inc = task("inc", async (n: number) => {
      console.log(`inc ${n}`);
      return n + 1;
    });
    const many = flow("thousand-tasks", async () => {
      let n = 0;
      for (let i = 0; i < 1000; i++) n = await inc(n);
      return n;
    });
    const requests = countRequests();
    const started = performance.now();
    expect(await many()).toBe(1000);
    const elapsedMs = performance.now() - started;
    globalThis.fetch = realFetch;
    const total = [...requests.values()].reduce((a, b) => a + b, 0);
    console.info(`1,000 tasks: ${total} requests (${JSON.stringify(Object.fromEntries(requests))}) in ${Math.round(elapsedMs)} ms`);
    expect(total).toBeLessThan(20);

    const run = await api.onlyRun("thousand-tasks");
    expect(run.state_type).toBe("COMPLETED");
    const tasks = await api.taskRuns(run.id);
    expect(tasks).toHaveLength(1000);
    expect(tasks.every((t) => t.state_type === "COMPLETED")).toBe(true);
    // Most were created already finished (one request carries hundreds); each still has its start and one attempt.
    expect(tasks.filter((t) => !t.start_time || t.run_count !== 1 || t.end_time! < t.start_time)).toEqual([]);
    const lines = (await api.logs(run.id)).filter((l) => l.message.startsWith("inc "));
    expect(lines).toHaveLength(1000);
    expect(new Set(lines.map((l) => l.task_run_id)).size).toBe(1000);
    // Several lines share a millisecond; they still read back in the order they were printed.
    expect(lines.map((l) => l.message)).toEqual(Array.from({ length: 1000 }, (_, i) => `inc ${i}`));
  });

  it("keeps when a task created in its final state started: start time, run time, one attempt, RUNNING then the end in its history", async () => {
    // Busy for 20 ms without yielding to timers: the reporter's flush timer cannot fire between a task's
    // creation and its end, so both are created already finished, however busy the machine is.
    const quick = task("quick", async () => {
      for (const until = performance.now() + 20; performance.now() < until; );
      return "done";
    });
    const broken = task("broken", async () => {
      throw new Error("broken on purpose");
    });
    const mixed = flow("final-on-creation", async () => {
      await quick();
      await broken().catch(() => undefined);
    });
    const requests = countRequests();
    await mixed();
    globalThis.fetch = realFetch;
    // One request created both, already finished.
    expect(requests.get("/api/task_runs/bulk")).toBe(1);
    const run = await api.onlyRun("final-on-creation");
    const byKey = new Map((await api.taskRuns(run.id)).map((t) => [t.task_key, t]));
    for (const [key, type] of [["quick", "COMPLETED"], ["broken", "FAILED"]] as const) {
      const t = byKey.get(key)!;
      expect(t).toMatchObject({ state_type: type, run_count: 1, start_time: expect.any(String), end_time: expect.any(String) });
      expect(Date.parse(t.end_time!)).toBeGreaterThanOrEqual(Date.parse(t.start_time!));
      expect((await api.taskRunStates(t.id)).map((s) => s.type)).toEqual(["RUNNING", type]);
    }
    expect(byKey.get("quick")!.total_run_time).toBeGreaterThanOrEqual(0.015);
  });

  it("loses no task run, state or log line when the server is stopped and restarted mid-flow", async () => {
    const step = task("step", async (i: number) => {
      console.log(`step ${i}`);
      await new Promise((r) => setTimeout(r, 50));
      return i;
    });
    let restarted: Promise<void> | undefined;
    const outage = flow("through-an-outage", async () => {
      let sum = 0;
      for (let i = 0; i < 60; i++) {
        // Stopped once a few task runs are recorded; back (same state) while the flow goes on.
        if (i === 10) restarted = server.stop().then(() => server.restart());
        sum += await step(i);
      }
      await restarted;
      return sum;
    });
    const warnings: string[] = [];
    const warn = console.error;
    console.error = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      expect(await outage()).toBe(1770);
    } finally {
      console.error = warn;
    }
    const run = await api.onlyRun("through-an-outage");
    expect(run.state_type).toBe("COMPLETED");
    const tasks = await api.taskRuns(run.id);
    expect(tasks).toHaveLength(60);
    expect(tasks.every((t) => t.state_type === "COMPLETED")).toBe(true);
    const lines = (await api.logs(run.id)).filter((l) => l.message.startsWith("step ") && l.level === LOG_LEVELS.INFO);
    expect(lines.map((l) => l.message).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `step ${i}`).sort());
    // The outage was seen (and said once per kind of report), not silently skipped.
    expect(warnings.some((w) => /retrying until the server takes them/.test(w))).toBe(true);
  });
});

describe("in a worker's child process", () => {
  it("sends captured lines to the server only (the worker ships what the child prints)", async () => {
    const { code, stdout } = await runScript({ BATON_API_URL: server.apiUrl, [CHILD_ENV.workerChild]: "1" });
    expect(code).toBe(0);
    // Printed outside any run: not captured, so printed as usual.
    expect(stdout).toBe("result 4\nagain 6\n");
    const runs = await api.flowRuns("scripted");
    expect(runs).toHaveLength(2);
    for (const run of runs) expect((await api.logs(run.id)).map((l) => l.message)).toContain("printed by the flow");
  });
});
