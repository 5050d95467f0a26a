/**
 * Cost benchmark: D1 rows read and written, Worker requests, Durable Object requests and CPU per unit of
 * work, in the real Worker in workerd with real D1 and Durable Objects, turned into a Cloudflare bill per
 * million task runs and per million flow runs at the published prices (bench/cost/prices.ts).
 *
 * The Worker runs behind the bench-only entry bench/cost/entry.ts, whose MEASUREMENT INSTRUMENTATION
 * (bench/cost/meter.ts) counts every D1 statement's `meta.rows_read` / `meta.rows_written` (batches
 * included), Durable Object requests (stub calls, alarms, incoming WebSocket messages) and SQLite rows,
 * and Worker requests. Each unit is driven over HTTP and the worker socket as the SDK and the worker agent
 * do, the meter is read once the Worker's background work (waitUntil) has settled, and the counts are
 * divided by the number of units:
 *   task run      POST /task_runs/bulk, 500 runs a request, each created COMPLETED with its start time
 *                 (what the SDK's reporter sends for a task that ended before its creation went out)
 *   flow run      a deployment run: create_flow_run (REST) → offer and claim (PENDING) on the worker's
 *                 socket → ack → GET the run → RUNNING and COMPLETED through set_state with the lease
 *                 (REST), as the worker agent and the flow's process do
 *   scheduled run the runs a cron tick creates when schedules are refilled, less an idle tick's cost
 *   log batch     POST /logs/ with 100 lines
 */
import { randomUUID } from "node:crypto";
import { startBenchWorker, durableObjectClasses, type BenchWorker } from "./cost/workerd";
import { FORMULA, PRICES, usdPerMillion, type UnitUsage } from "./cost/prices";
import type { Benchmark, Figure } from "./harness/types";

type Meter = {
  worker_requests: number;
  scheduled_invocations: number;
  d1_calls: number;
  d1_statements: number;
  d1_rows_read: number;
  d1_rows_written: number;
  do_requests: number;
  do_alarms: number;
  do_ws_messages_in: number;
  do_sql_rows_read: number;
  do_sql_rows_written: number;
  do_calls: Record<string, number>;
  metered_classes: string[];
  d1_patched: boolean;
  timeline: { kind: string; label: string; start: number; end: number; rows_written?: number }[] | null;
};

/** One measured unit: the meter's counts per unit, and the bytes the database grew by per unit. */
type Unit = UnitUsage & {
  units: number;
  d1_statements: number;
  do_alarms: number;
  do_calls: Record<string, number>;
  storage_bytes: number;
  /** D1 rows written per unit by statement (its first words). */
  writers: Record<string, number>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function dbSize(worker: BenchWorker): Promise<number> {
  const [r] = await worker.call<{ meta: { size_after: number } }[]>("POST", "/api/__bench/sql", { statements: [{ sql: "SELECT 1" }] });
  return r!.meta.size_after;
}

async function readMeter(worker: BenchWorker): Promise<Meter> {
  return worker.call<Meter>("GET", "/api/__bench/meter");
}

/** Waits until the Worker's background work (publishing, pool nudges) has stopped adding to the counts. */
async function settled(worker: BenchWorker): Promise<Meter> {
  let last = "";
  for (let stable = 0, i = 0; i < 200; i++) {
    const m = await readMeter(worker);
    const key = `${m.d1_calls}/${m.do_requests}/${m.do_alarms}/${m.do_sql_rows_written}`;
    stable = key === last ? stable + 1 : 0;
    if (stable >= 3) return m;
    last = key;
    await sleep(150);
  }
  throw new Error("the Worker's background work did not settle within 30 s");
}

/** Resets the meter, runs `work` (which answers how many units it did), and answers the usage per unit. */
async function measure(worker: BenchWorker, work: () => Promise<number>): Promise<Unit> {
  const size0 = await dbSize(worker);
  await worker.call("POST", "/api/__bench/meter/reset", { timeline: true });
  const cpu0 = worker.workerdCpuMs();
  const units = await work();
  const m = await settled(worker);
  const cpu = worker.workerdCpuMs() - cpu0;
  const size1 = await dbSize(worker);
  const per = (x: number) => x / units;
  // Duration: 128 MB for as long as callers waited on an object (an upper bound: it includes the hop).
  const doSeconds = (m.timeline ?? []).filter((s) => s.kind === "do").reduce((t, s) => t + (s.end - s.start) / 1000, 0);
  const writers: Record<string, number> = {};
  for (const s of m.timeline ?? []) {
    if (s.kind !== "d1" || !s.rows_written) continue;
    const what = s.label.replace(/^batch of \d+: /, "").replace(/"/g, "").slice(0, 40);
    writers[what] = (writers[what] ?? 0) + s.rows_written / units;
  }
  return {
    units,
    worker_requests: per(m.worker_requests + m.scheduled_invocations),
    worker_cpu_ms: per(cpu),
    d1_rows_read: per(m.d1_rows_read),
    d1_rows_written: per(m.d1_rows_written),
    d1_statements: per(m.d1_statements),
    do_requests: per(m.do_requests + m.do_alarms),
    do_alarms: per(m.do_alarms),
    do_ws_messages_in: per(m.do_ws_messages_in),
    do_gb_s: per(doSeconds * PRICES.do_memory_gb),
    do_sql_rows_read: per(m.do_sql_rows_read),
    do_sql_rows_written: per(m.do_sql_rows_written),
    do_calls: Object.fromEntries(Object.entries(m.do_calls).map(([k, n]) => [k, per(n)])),
    storage_bytes: per(Math.max(0, size1 - size0)),
    writers,
  };
}

/** The statements that write most, per unit: where a write budget goes. */
const writersNote = (u: Unit) =>
  Object.entries(u.writers)
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${fmt(n)} × ${what}…`)
    .join("; ");

/** `a` less `b`, quantity by quantity (a unit's cost beyond a fixed cost measured apart). */
function minus(a: Unit, b: Unit, units: number): Unit {
  const out = { ...a, units } as Record<string, unknown>;
  for (const k of Object.keys(a) as (keyof Unit)[]) {
    const x = a[k];
    const y = b[k];
    if (typeof x === "number" && typeof y === "number" && k !== "units") out[k] = Math.max(0, (x * a.units - y * b.units) / units);
  }
  out.do_calls = {};
  out.writers = {};
  return out as Unit;
}

type Setup = { flowId: string; poolName: string; deploymentId: string; port: string };

async function setup(worker: BenchWorker): Promise<Setup> {
  const flow = await worker.call("POST", "/api/flows/", { name: "cost-flow" });
  const poolName = "cost-pool";
  await worker.call("POST", "/api/work_pools/", { name: poolName });
  const dep = await worker.call("POST", "/api/deployments/", { flow_id: flow.id, name: "cost", work_pool_name: poolName, entrypoint: "flows/cost.ts:costFlow" });
  return { flowId: flow.id, poolName, deploymentId: dep.id, port: worker.url.port };
}

/** Task runs recorded through /task_runs/bulk, `perRequest` a request, each created already COMPLETED. */
function taskRuns(worker: BenchWorker, flowRunId: string, requests: number, perRequest: number) {
  return async () => {
    const batch = randomUUID().slice(0, 8);
    for (let r = 0; r < requests; r++) {
      const start = new Date(Date.now() - 5).toISOString();
      const create = Array.from({ length: perRequest }, (_, i) => ({
        id: randomUUID(),
        flow_run_id: flowRunId,
        name: `task-${r}-${i}`,
        task_key: "cost.task",
        dynamic_key: `${batch}-${r}-${i}`,
        start_time: start,
        state: { type: "COMPLETED", timestamp: new Date().toISOString() },
      }));
      const result = await worker.call<{ create: { status: number; detail: string | null }[] }>("POST", "/api/task_runs/bulk", { create });
      const bad = result.create.find((o) => o.status !== 201);
      if (bad) throw new Error(`a task run was not created: ${bad.status} ${bad.detail}`);
    }
    return requests * perRequest;
  };
}

/** Task runs that outlive the SDK's 100 ms flush: created RUNNING in one request, COMPLETED in a later one. */
function twoStepTaskRuns(worker: BenchWorker, flowRunId: string, requests: number, perRequest: number) {
  return async () => {
    const batch = randomUUID().slice(0, 8);
    for (let r = 0; r < requests; r++) {
      const ids = Array.from({ length: perRequest }, () => randomUUID());
      const create = ids.map((id, i) => ({
        id,
        flow_run_id: flowRunId,
        name: `slow-${r}-${i}`,
        task_key: "cost.slow",
        dynamic_key: `${batch}-${r}-${i}`,
        state: { type: "RUNNING", timestamp: new Date().toISOString() },
      }));
      await worker.call("POST", "/api/task_runs/bulk", { create });
      const set_state = ids.map((task_run_id) => ({ task_run_id, state: { type: "COMPLETED", timestamp: new Date().toISOString() } }));
      const result = await worker.call<{ set_state: { status: number }[] }>("POST", "/api/task_runs/bulk", { set_state });
      if (result.set_state.some((o) => o.status !== 201)) throw new Error("a task run was not completed");
    }
    return requests * perRequest;
  };
}

/** A worker on the pool's socket, as the worker agent holds it. */
async function connectWorker(s: Setup) {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api/work_pools/${s.poolName}/connect`);
  const waiting = new Map<string, (msg: any) => void>();
  const early: any[] = [];
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data));
    const key = msg.type === "state_result" ? msg.request_id : msg.type;
    const resolve = waiting.get(key);
    if (resolve) {
      waiting.delete(key);
      resolve(msg);
    } else early.push(msg);
  });
  const next = (key: string) =>
    new Promise<any>((resolve, reject) => {
      const i = early.findIndex((m) => (m.type === "state_result" ? m.request_id : m.type) === key);
      if (i >= 0) return resolve(early.splice(i, 1)[0]);
      const timer = setTimeout(() => reject(new Error(`no ${key} on the worker socket within 30 s`)), 30_000);
      waiting.set(key, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  const welcome = next("welcome");
  ws.send(JSON.stringify({ type: "hello", protocol: 1, name: "cost-worker", capacity: 1 }));
  await welcome;
  return { ws, next, close: () => ws.close() };
}

/** Deployment runs through a connected worker, each to COMPLETED as the agent and the flow's process report them. */
function flowRuns(worker: BenchWorker, s: Setup, socket: Awaited<ReturnType<typeof connectWorker>>, count: number) {
  return async () => {
    for (let i = 0; i < count; i++) {
      const offered = socket.next("offer");
      const created = await worker.call("POST", `/api/deployments/${s.deploymentId}/create_flow_run`, {});
      const offer = await offered;
      if (offer.flow_run.id !== created.id) throw new Error("the offer is for another run");
      const lease_token = offer.lease_token as string;
      socket.ws.send(JSON.stringify({ type: "ack", run_id: created.id, lease_token }));
      // The flow's process: reads its run, then reports RUNNING and COMPLETED under the claim's lease.
      await worker.call("GET", `/api/flow_runs/${created.id}`);
      for (const type of ["RUNNING", "COMPLETED"]) {
        const r = await worker.call("POST", `/api/flow_runs/${created.id}/set_state`, {
          state: { type, timestamp: new Date().toISOString(), state_details: { lease_token } },
        });
        if (r.status !== "ACCEPT") throw new Error(`${type} was not accepted: ${JSON.stringify(r)}`);
      }
    }
    return count;
  };
}

function logBatches(worker: BenchWorker, flowRunId: string, batches: number, lines: number) {
  return async () => {
    for (let b = 0; b < batches; b++) {
      const t = Date.now();
      const body = Array.from({ length: lines }, (_, i) => ({
        id: randomUUID(),
        flow_run_id: flowRunId,
        level: 20,
        name: "cost",
        message: `line ${i} of batch ${b}: a log message of ordinary length, about eighty characters long`,
        timestamp: new Date(t + i).toISOString(),
      }));
      await worker.call("POST", "/api/logs/", body);
    }
    return batches;
  };
}

async function sqlOne<T>(worker: BenchWorker, sql: string): Promise<T> {
  const [r] = await worker.call<{ results: T[] }[]>("POST", "/api/__bench/sql", { statements: [{ sql }] });
  return r!.results[0]!;
}

/** Schedules created through the API (which fills them a first time), for the tick to refill. */
async function schedules(worker: BenchWorker, s: Setup, deployments: number, perDeployment: number): Promise<void> {
  for (let d = 0; d < deployments; d++) {
    const dep = await worker.call("POST", "/api/deployments/", { flow_id: s.flowId, name: `scheduled-${d}`, work_pool_name: s.poolName });
    const body = Array.from({ length: perDeployment }, (_, i) => ({ schedule: { interval: 300 + 60 * i } }));
    await worker.call("POST", `/api/deployments/${dep.id}/schedules`, body);
  }
}

const fmt = (x: number, digits = 2) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(digits));
const usd = (x: number) => `$${x >= 10 ? x.toFixed(0) : x.toFixed(2)}`;

function usageNote(u: Unit): string {
  const bill = usdPerMillion(u);
  const parts = Object.entries(bill.parts)
    .filter(([, v]) => v >= 0.005)
    .map(([k, v]) => `${k} ${usd(v)}`)
    .join(", ");
  return (
    `Per unit: ${fmt(u.d1_rows_written)} D1 rows written, ${fmt(u.d1_rows_read)} read (${fmt(u.d1_statements)} statements), ` +
    `${fmt(u.worker_requests, 3)} Worker requests, ${fmt(u.do_requests, 3)} DO requests + ${fmt(u.do_ws_messages_in, 3)} WebSocket messages in, ` +
    `${fmt(u.do_sql_rows_written)} DO SQLite rows written, ≤ ${fmt(u.worker_cpu_ms)} CPU-ms (workerd process), ` +
    `${fmt(u.storage_bytes, 0)} bytes of D1 storage; measured over ${u.units} units. Per 1M: ${usd(bill.total)} (${parts}).`
  );
}

export const cost: Benchmark = {
  name: "cost",
  title: "Cost: D1 rows, requests and the Cloudflare bill per unit of work",
  // Counts do not vary from run to run; one full pass is enough.
  repeats: { full: 1, quick: 1 },
  async run({ quick, progress }): Promise<Figure[]> {
    const say = (m: string) => progress(`cost: ${m}`);
    const worker = await startBenchWorker("bench/cost/entry.ts", { progress: say });
    try {
      const meter = await readMeter(worker);
      const unmetered = durableObjectClasses().filter((c) => !meter.metered_classes.includes(c));
      if (unmetered.length > 0) throw new Error(`bench/cost/entry.ts does not meter the Durable Object classes ${unmetered.join(", ")}`);
      const s = await setup(worker);
      const flowRun = await worker.call("POST", "/api/flow_runs/", { flow_id: s.flowId, state: { type: "RUNNING" } });
      // A first request of each kind warms workerd (module and query compilation) outside the counts.
      await taskRuns(worker, flowRun.id, 1, 10)();
      await logBatches(worker, flowRun.id, 1, 10)();

      // Counts, not times: a few hundred units give the same per-unit figures as many more.
      say("task runs");
      const task = await measure(worker, taskRuns(worker, flowRun.id, quick ? 1 : 2, 500));
      const twoStep = await measure(worker, twoStepTaskRuns(worker, flowRun.id, 1, 500));
      say("log batches");
      const logs = await measure(worker, logBatches(worker, flowRun.id, quick ? 5 : 10, 100));

      say("flow runs through a worker socket");
      const socket = await connectWorker(s);
      await flowRuns(worker, s, socket, 2)();
      const flow = await measure(worker, flowRuns(worker, s, socket, quick ? 10 : 20));
      socket.close();

      say("cron ticks");
      await settled(worker);
      const idle = await measure(worker, async () => (await worker.fireScheduled(new Date()), 1));
      await schedules(worker, s, 10, 5);
      await settled(worker);
      // The refill comes due: as an hour after the first fill, without waiting an hour.
      const before = await sqlOne<{ n: number }>(worker, "SELECT count(*) AS n FROM flow_runs WHERE auto_scheduled = 1");
      await worker.call("POST", "/api/__bench/sql", { statements: [{ sql: "UPDATE deployment_schedules SET refill_at = ''" }] });
      const tick = await measure(worker, async () => (await worker.fireScheduled(new Date()), 1));
      const after = await sqlOne<{ n: number }>(worker, "SELECT count(*) AS n FROM flow_runs WHERE auto_scheduled = 1");
      const created = after.n - before.n;
      if (created < 100) throw new Error(`the refill tick created only ${created} runs`);
      const scheduled = minus(tick, idle, created);

      const taskBill = usdPerMillion(task);
      const flowBill = usdPerMillion(flow);
      const million = (x: number) => `${fmt(x * 1e6 / 1e9, 2)} GB`;
      const sources = "Prices: developers.cloudflare.com/workers/platform/pricing, /d1/platform/pricing, /durable-objects/platform/pricing (read 2026-11-25).";
      return [
        {
          key: "cost.task_run.rows_written",
          label: "D1 rows written per successful task run",
          unit: "rows",
          value: task.d1_rows_written,
          better: "lower",
          target: { op: "<=", limit: 2, text: "≤ 2" },
          check: true,
          note: `Task runs recorded through POST /task_runs/bulk in batches of 500, each created COMPLETED with its start time. ${usageNote(task)}`,
        },
        { key: "cost.task_run.rows_read", label: "D1 rows read per successful task run", unit: "rows", value: task.d1_rows_read, better: "lower" },
        {
          key: "cost.task_run.two_step.rows_written",
          label: "… a task run reported RUNNING, then COMPLETED in a later request",
          unit: "rows",
          value: twoStep.d1_rows_written,
          better: "lower",
          check: true,
          note: `What a task that outlives the SDK's 100 ms flush costs (two bulk requests of 500). ${usageNote(twoStep)}`,
        },
        {
          key: "cost.flow_run.rows_written",
          label: "D1 rows written per flow run (deployment run, SCHEDULED → COMPLETED)",
          unit: "rows",
          value: flow.d1_rows_written,
          better: "lower",
          target: { op: "<=", limit: 10, text: "≤ 10" },
          check: true,
          note:
            `create_flow_run, offer and claim (PENDING) on a connected worker's socket, ack, GET of the run, RUNNING and COMPLETED ` +
            `through set_state with the lease; without its task runs and logs, and without the worker's heartbeats (one every 10 s per worker). ` +
            `DO requests per run: ${Object.entries(flow.do_calls).map(([k, n]) => `${k} ${fmt(n)}`).join(", ")}. ` +
            `Rows written by statement (a batch counts as its first): ${writersNote(flow)}. ${usageNote(flow)}`,
        },
        { key: "cost.flow_run.rows_read", label: "D1 rows read per flow run", unit: "rows", value: flow.d1_rows_read, better: "lower" },
        {
          key: "cost.flow_run.do_requests",
          label: "Durable Object requests per flow run (WebSocket messages in at 20:1)",
          unit: "requests",
          value: flow.do_requests + flow.do_ws_messages_in / PRICES.do_websocket_messages_per_request,
          better: "lower",
        },
        {
          key: "cost.scheduled_run.rows_written",
          label: "D1 rows written per scheduled run (created by a cron tick's refill)",
          unit: "rows",
          value: scheduled.d1_rows_written,
          better: "lower",
          check: true,
          note:
            `50 interval schedules (5 to 9 minutes) on 10 deployments, filled once through the API, then refilled by one tick ` +
            `(${created} runs, up to 2 hours ahead), less an idle tick. ${usageNote(scheduled)}`,
        },
        { key: "cost.scheduled_run.rows_read", label: "D1 rows read per scheduled run", unit: "rows", value: scheduled.d1_rows_read, better: "lower" },
        {
          key: "cost.log_batch.rows_written",
          label: "D1 rows written per log batch of 100 lines",
          unit: "rows",
          value: logs.d1_rows_written,
          better: "lower",
          check: true,
          note: `POST /logs/ with 100 lines of ~80 characters. ${usageNote(logs)}`,
        },
        { key: "cost.log_batch.rows_read", label: "D1 rows read per log batch of 100 lines", unit: "rows", value: logs.d1_rows_read, better: "lower" },
        {
          key: "cost.cron_tick.idle.do_requests",
          label: "Durable Object requests of an idle cron tick (1 pool)",
          unit: "requests",
          value: idle.do_requests,
          better: "lower",
          note:
            `Each minute, whatever runs: one visit per pool's object; ${fmt(idle.d1_rows_read)} D1 rows read, ${fmt(idle.d1_rows_written)} written. ` +
            `43,200 ticks a month: ${fmt(idle.do_requests * 43_200, 0)} DO requests per pool, ${fmt(idle.d1_rows_read * 43_200, 0)} rows read.`,
        },
        {
          key: "cost.usd_per_million_task_runs",
          label: "Cloudflare bill per 1M task runs, beyond included usage",
          unit: "USD",
          value: taskBill.total,
          better: "lower",
          note:
            `${FORMULA}. Task runs recorded through /task_runs/bulk in batches of 500: ${usd(taskBill.total)} per 1M ` +
            `(${Object.entries(taskBill.parts).map(([k, v]) => `${k} ${usd(v)}`).join(", ")}). They also keep ${million(task.storage_bytes)} ` +
            `of D1 storage per 1M ($${PRICES.d1_storage_gb_month.usd}/GB-month beyond ${PRICES.d1_storage_gb_month.included_gb} GB). ` +
            `CPU is workerd's whole process (Worker, objects, local D1): an upper bound. ${sources}`,
        },
        {
          key: "cost.usd_per_million_flow_runs",
          label: "Cloudflare bill per 1M flow runs (without their task runs and logs), beyond included usage",
          unit: "USD",
          value: flowBill.total,
          better: "lower",
          note:
            `Same formula: ${usd(flowBill.total)} per 1M (${Object.entries(flowBill.parts).map(([k, v]) => `${k} ${usd(v)}`).join(", ")}); ` +
            `a flow run of 10 task runs and one 100-line log batch: ${usd(flowBill.total + 10 * taskBill.total + usdPerMillion(logs).total)} per 1M. ` +
            `DO duration is 128 MB × the time callers waited on an object, an upper bound. ${sources}`,
        },
      ];
    } finally {
      await worker.dispose();
    }
  },
};
