/**
 * Prefect 3 side by side: the same work as Baton's dispatch and overhead benchmarks, on Prefect's own local
 * server (SQLite) with a process worker, so the harness can put the two in one table as ratios.
 *   trigger → RUNNING  deployment runs created over REST (POST /deployments/{id}/create_flow_run) at random
 *                      moments over a window, so their wait spreads over the worker's poll interval; timed
 *                      with Prefect's own server-side times: the run's `created` → its first PENDING state
 *                      (the worker took it) and → its RUNNING state (the flow started in its process);
 *   1,000 tasks        a flow of 1,000 trivial tasks called in sequence, and of 200 through `.map` on 16
 *                      threads, against the same plain function calls, until the server has stored every
 *                      task run, as Baton's overhead benchmark waits for its flow's reports
 *                      (bench/prefect/tasks_bench.py).
 * Prefect is installed once into bench/.prefect-venv (bench/prefect/venv.ts).
 */
import { describeLatency, latencyFigures } from "./harness/stats";
import type { BenchContext, Benchmark, Figure } from "./harness/types";
import { runCommand } from "./prefect/processes";
import { startPrefectStack, type PrefectStack } from "./prefect/stack";
import { msUntil, type StateRecord } from "./prefect/states";
import { ensurePrefect, type PrefectVenv } from "./prefect/venv";

const HERE = new URL("./prefect/", import.meta.url).pathname;
/** Prefect's default PREFECT_WORKER_QUERY_SECONDS; the worker sleeps it ±30 % (jitter) between polls. */
const WORKER_QUERY_SECONDS = 10;

/**
 * Runs taken by the same poll start their processes together (a few seconds of imports each); a wider
 * window would spread them more, at the cost of time. Prefect stores task runs at some 50 ms each (see the
 * tasks note), so `.map` is measured on fewer tasks than the sequential flow, whose figure is compared.
 */
type Config = { runs: number; windowMs: number; sequentialTasks: number; mapTasks: number };
const FULL: Config = { runs: 20, windowMs: 50_000, sequentialTasks: 1000, mapTasks: 200 };
const QUICK: Config = { runs: 5, windowMs: 15_000, sequentialTasks: 200, mapTasks: 100 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

type FlowRun = { id: string; created: string; state_type: string | null; state_name: string | null };

async function trigger(stack: PrefectStack): Promise<string> {
  return ((await stack.call("POST", `/deployments/${stack.deploymentId}/create_flow_run`, {})) as FlowRun).id;
}

const ENDED = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];
const STARTED_OR_ENDED = ["RUNNING", ...ENDED];

/**
 * Waits until every run's state is one of `states`, and answers the runs. Runs start late on a loaded
 * machine (each is a Python process of its own), hence the generous timeouts.
 */
async function waitFor(stack: PrefectStack, ids: string[], states: string[], timeoutMs: number, onChange?: (done: number) => void): Promise<FlowRun[]> {
  const until = performance.now() + timeoutMs;
  let shown = -1;
  for (;;) {
    const runs = (await stack.call("POST", "/flow_runs/filter", { flow_runs: { id: { any_: ids } }, limit: ids.length })) as FlowRun[];
    const done = runs.filter((r) => states.includes(r.state_type ?? "")).length;
    if (done === ids.length) return runs;
    if (done !== shown) onChange?.((shown = done));
    if (performance.now() > until) throw new Error(`only ${done}/${ids.length} Prefect flow runs reached ${states.join(" or ")} within ${timeoutMs / 1000} s:\n${stack.logTails()}`);
    await sleep(500);
  }
}

async function triggerToRunning(stack: PrefectStack, cfg: Config, ctx: BenchContext) {
  // The warm-up run is created before the worker starts, so the worker's first poll takes it at once; it
  // also warms the disk cache for the flow-run processes' imports. Alone, it must succeed: if it does not,
  // the deployment is broken.
  const warmUp = await trigger(stack);
  await stack.startWorker();
  ctx.progress("prefect: process worker started; waiting for the warm-up run");
  const [warm] = await waitFor(stack, [warmUp], ENDED, 180_000);
  if (warm!.state_type !== "COMPLETED") throw new Error(`Prefect's warm-up flow run ended ${warm!.state_name}:\n${stack.logTails()}`);

  const offsets = Array.from({ length: cfg.runs }, () => Math.random() * cfg.windowMs).sort((a, b) => a - b);
  ctx.progress(`prefect: creating ${cfg.runs} deployment runs at random moments over ${cfg.windowMs / 1000} s`);
  const t0 = performance.now();
  const ids: string[] = [];
  for (const [i, offset] of offsets.entries()) {
    await sleep(t0 + offset - performance.now());
    ids.push(await trigger(stack));
    if ((i + 1) % 5 === 0) ctx.progress(`prefect: created ${i + 1}/${cfg.runs} runs`);
  }
  await waitFor(stack, ids, STARTED_OR_ENDED, 180_000, (done) => ctx.progress(`prefect: ${done}/${ids.length} runs RUNNING`));

  const running: number[] = [];
  const pending: number[] = [];
  const lost: string[] = [];
  for (const id of ids) {
    const run = (await stack.call("GET", `/flow_runs/${id}`)) as FlowRun;
    const states = (await stack.call("GET", `/flow_run_states/?flow_run_id=${id}`)) as StateRecord[];
    const r = msUntil(run.created, states, "RUNNING");
    const p = msUntil(run.created, states, "PENDING");
    if (p !== undefined) pending.push(p);
    if (r !== undefined) running.push(r);
    // On a busy machine Prefect's own client can give up on a locked SQLite (503) and crash a run before it starts.
    else lost.push(`${run.state_name ?? "?"} after ${states.map((s) => s.type).join(" → ")}`);
  }
  if (running.length < cfg.runs / 2) throw new Error(`only ${running.length}/${cfg.runs} Prefect flow runs reached RUNNING (${lost.join("; ")}):\n${stack.logTails()}`);
  if (lost.length) ctx.progress(`prefect: ${lost.length} runs never reached RUNNING: ${lost.join("; ")}`);
  ctx.progress(`prefect: created → PENDING ${describeLatency(pending)}`);
  ctx.progress(`prefect: created → RUNNING ${describeLatency(running)}`);
  // Their processes end before the task flows are measured, so they do not compete with those.
  await waitFor(stack, ids, ENDED, 120_000);
  return { running, pending, lost };
}

type Measured = { n: number; flow_s: number; stored_s: number; plain_s: number };
type TasksResult = { prefect_version: string; python_version: string; sequential: Measured; map: Measured };

async function tasks(venv: PrefectVenv, stack: PrefectStack, cfg: Config, ctx: BenchContext): Promise<TasksResult> {
  let result: TasksResult | undefined;
  await runCommand(venv.python, [`${HERE}tasks_bench.py`, String(cfg.sequentialTasks), String(cfg.mapTasks)], {
    env: stack.env,
    cwd: HERE,
    timeoutMs: 15 * 60_000,
    onLine: (line) => {
      if (line.startsWith("PROGRESS ")) ctx.progress(`prefect: ${line.slice(9)}`);
      else if (line.startsWith("RESULT ")) result = JSON.parse(line.slice(7)) as TasksResult;
    },
  });
  if (!result) throw new Error("bench/prefect/tasks_bench.py printed no RESULT line");
  return result;
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const cfg = ctx.quick ? QUICK : FULL;
  const venv = await ensurePrefect((m) => ctx.progress(`prefect: ${m}`));
  const stack = await startPrefectStack(venv, (m) => ctx.progress(`prefect: ${m}`));
  try {
    const { running, pending, lost } = await triggerToRunning(stack, cfg, ctx);
    const t = await tasks(venv, stack, cfg, ctx);
    const versions = `Prefect ${t.prefect_version} on Python ${t.python_version}, its local server (\`prefect server start\`, SQLite) and defaults`;
    const dispatchNote =
      `${versions}; a process worker (\`prefect worker start --type process\`) polling at Prefect's default PREFECT_WORKER_QUERY_SECONDS=${WORKER_QUERY_SECONDS} ` +
      `(±30 % jitter, prefetch 10 s). ${cfg.runs} deployment runs created at random moments over ${cfg.windowMs / 1000} s, timed with Prefect's server-side ` +
      `times: the run's \`created\` → its first PENDING state (the worker took it) and → its RUNNING state (set by the flow engine once the run's ` +
      `process has started and pulled the deployment from bench/prefect). Runs taken by the same poll start their processes together.` +
      (lost.length ? ` ${lost.length} of ${cfg.runs} runs never reached RUNNING and are not counted: ${lost.join("; ")}.` : "");
    const { sequential: seq, map } = t;
    const perTask = (m: Measured, s: "stored_s" | "flow_s") => ((m[s] - m.plain_s) / m.n) * 1000;
    const tasksNote =
      `${versions}. (time − the same plain calls) ÷ tasks; "recorded": until the server holds every task run COMPLETED (Prefect 3 sends task-run ` +
      `states as events that its task-run recorder stores later, one event at a time by default); "flow call": until the flow call returns. ` +
      `${seq.n} tasks in sequence: the flow returned after ${seq.flow_s.toFixed(1)} s, all stored after ${seq.stored_s.toFixed(1)} s; ` +
      `${map.n} tasks with .map (ThreadPoolTaskRunner, 16 threads): ${map.flow_s.toFixed(1)} s and ${map.stored_s.toFixed(1)} s.`;
    const perTaskFigure = (key: string, label: string, value: number): Figure => ({ key, label, unit: "ms", value, better: "lower", note: tasksNote });
    const inSequence = `${seq.n.toLocaleString("en")} trivial tasks in sequence`;
    const mapped = `${map.n.toLocaleString("en")} trivial tasks with .map (16 threads)`;
    return [
      ...latencyFigures("prefect.trigger_running", "Prefect: deployment run created → RUNNING, process worker", running, { note: dispatchNote }),
      ...latencyFigures("prefect.trigger_pending", "Prefect: deployment run created → PENDING (taken by the worker)", pending, { note: dispatchNote }),
      perTaskFigure("prefect.tasks_1000.ms_per_task", `Prefect: overhead per task run, ${inSequence}, recorded`, perTask(seq, "stored_s")),
      perTaskFigure("prefect.tasks_1000.flow_call_ms_per_task", `Prefect: overhead per task run, ${inSequence}, flow call`, perTask(seq, "flow_s")),
      perTaskFigure("prefect.tasks_1000_map.ms_per_task", `Prefect: overhead per task run, ${mapped}, recorded`, perTask(map, "stored_s")),
      perTaskFigure("prefect.tasks_1000_map.flow_call_ms_per_task", `Prefect: overhead per task run, ${mapped}, flow call`, perTask(map, "flow_s")),
    ];
  } finally {
    ctx.progress("prefect: stopping Prefect's worker and server");
    await stack.stop();
  }
}

export const prefect: Benchmark = {
  name: "prefect",
  title: "Prefect 3 side by side",
  description:
    "The same work on Prefect 3, installed once into bench/.prefect-venv, with its own local server and a process worker: " +
    "deployment run created → RUNNING, and a flow of 1,000 trivial tasks in sequence (and of 200 with .map) against plain calls. " +
    "Its figures stand next to Baton's of the same run as ratios.",
  // Minutes per pass, most of it Prefect storing task runs; one pass is enough for a comparison of this size.
  repeats: { full: 1, quick: 1 },
  run,
};
