/**
 * Fan-in: 2,000 runs queued in a paused pool, 8 worker processes connected to it, then the pool resumed
 * and the clock started: the time until every run is COMPLETED, runs per second, and proof that none ran
 * twice: every offer the workers received (each run handed out once), and every run as the API tells it
 * (COMPLETED, with run_count 1).
 */
import { startChild, type BenchChild } from "./harness/child";
import { treeCpuMs } from "./harness/cpu";
import type { Benchmark, Figure } from "./harness/types";
import { withBenchServer, type BenchServer } from "./local-server";

type Config = { runs: number; workers: number; capacity: number };
const FULL: Config = { runs: 2000, workers: 8, capacity: 10 };
const QUICK: Config = { runs: 500, workers: 8, capacity: 10 };
const POOL = "bench-fanin";
/** Give up when no run completes for this long: something is stuck, waiting longer tells nothing. */
const STALL_MS = 30_000;

type WorkerReport = { offers: string[]; completed: number; refused: number; lastCompleted: number };

const completedCount = (server: BenchServer): Promise<number> =>
  server.call("POST", "/flow_runs/count", { work_pools: { name: { any_: [POOL] } }, flow_runs: { state: { type: { any_: ["COMPLETED"] } } } });

async function queueRuns(server: BenchServer, deploymentId: string, runs: number, progress: (m: string) => void): Promise<Set<string>> {
  const ids = new Set<string>();
  let next = 0;
  const lane = async () => {
    while (next < runs) {
      next++;
      ids.add((await server.call("POST", `/deployments/${deploymentId}/create_flow_run`, {})).id);
      if (ids.size % 500 === 0) progress(`queued ${ids.size}/${runs} runs (pool paused)`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return ids;
}

/** Runs of the pool that are not COMPLETED exactly once: another state, or a run count other than 1. */
async function notCompletedOnce(server: BenchServer, ids: Set<string>): Promise<string[]> {
  const wrong: string[] = [];
  let seen = 0;
  for (let offset = 0; ; offset += 200) {
    const page: { id: string; state_type: string; run_count: number }[] = await server.call("POST", "/flow_runs/filter", { work_pools: { name: { any_: [POOL] } }, limit: 200, offset });
    for (const run of page) {
      seen++;
      if (!ids.has(run.id) || run.state_type !== "COMPLETED" || run.run_count !== 1) wrong.push(`${run.id} ${run.state_type} run_count ${run.run_count}`);
    }
    if (page.length < 200) break;
  }
  if (seen !== ids.size) wrong.push(`the API lists ${seen} runs in the pool, ${ids.size} were created`);
  return wrong;
}

export const fanin: Benchmark = {
  name: "fanin",
  title: "Fan-in: 8 workers drain a queue",
  description:
    "Runs are created in a paused pool (`POST /deployments/{id}/create_flow_run`); 8 worker processes connect to its socket, each taking up to 10 runs at once (the agent's default) and completing each at once over the socket (ack, RUNNING, COMPLETED), without starting a process per run as the agent does, which would measure process start-up instead. Then the pool is resumed and the clock starts; it stops at the last COMPLETED accepted. Proof that none ran twice: the offers all workers received (each run exactly once), and every run as the API lists it (COMPLETED, `run_count` 1).",
  // Once: queueing and draining 2,000 runs is the longest part of a full pass (the server spends some
  // 20 ms of CPU on each create_flow_run and on each run drained; see its CPU figures).
  repeats: { full: 1, quick: 1 },
  run: (ctx) =>
    withBenchServer(async (server) => {
      const config = ctx.quick ? QUICK : FULL;
      const flow = await server.call("POST", "/flows/", { name: "bench-fanin" });
      await server.call("POST", "/work_pools/", { name: POOL });
      await server.call("POST", `/work_pools/${POOL}/pause`);
      const deployment = await server.call("POST", "/deployments/", { flow_id: flow.id, name: "fanin", work_pool_name: POOL });
      const queueCpu0 = treeCpuMs(server.pid);
      const ids = await queueRuns(server, deployment.id, config.runs, ctx.progress);
      const queueCpu1 = treeCpuMs(server.pid);

      const workers: BenchChild<WorkerReport>[] = [];
      try {
        for (let i = 0; i < config.workers; i++) {
          const env = { ...server.env, BENCH_POOL: POOL, BENCH_WORKER: `fanin-worker-${i}`, BENCH_CAPACITY: String(config.capacity) };
          workers.push(startChild("../child/fanin-worker.ts", env));
        }
        await Promise.all(workers.map((w) => w.ready));
        ctx.progress(`${config.workers} workers connected; resuming the pool`);
        const cpu0 = treeCpuMs(server.pid);
        const t0 = Date.now();
        await server.call("POST", `/work_pools/${POOL}/resume`);
        let done = 0;
        let progressAt = Date.now();
        while (done < config.runs) {
          await new Promise((r) => setTimeout(r, 250));
          const now = await completedCount(server);
          if (now > done) progressAt = Date.now();
          else if (Date.now() - progressAt > STALL_MS) throw new Error(`stuck at ${now}/${config.runs} runs COMPLETED for ${STALL_MS / 1000} s`);
          if (Math.floor(now / 500) > Math.floor(done / 500)) ctx.progress(`${now}/${config.runs} COMPLETED`);
          done = now;
        }
        const cpu1 = treeCpuMs(server.pid);
        for (const w of workers) w.go();
        const reports = await Promise.all(workers.map((w) => w.result));
        const seconds = (Math.max(...reports.map((r) => r.lastCompleted)) - t0) / 1000;

        const offers = reports.flatMap((r) => r.offers);
        const handedOut = new Map<string, number>();
        for (const id of offers) handedOut.set(id, (handedOut.get(id) ?? 0) + 1);
        const twice = [...handedOut.values()].filter((n) => n > 1).length;
        const neverOffered = [...ids].filter((id) => !handedOut.has(id)).length;
        const wrong = await notCompletedOnce(server, ids);
        const perWorker = reports.map((r) => r.completed);
        const refused = reports.reduce((a, r) => a + r.refused, 0);
        ctx.progress(`${config.runs} runs in ${seconds.toFixed(1)} s; offers ${offers.length}, handed out twice ${twice}, not completed once ${wrong.length}`);
        const figures: Figure[] = [
          { key: "fanin.drain_s", label: `time to drain ${config.runs} queued runs with ${config.workers} workers`, unit: "s", value: seconds, better: "lower" },
          { key: "fanin.runs_per_s", label: "runs completed per second", unit: "runs/s", value: config.runs / seconds, better: "higher" },
          {
            key: "fanin.handed_out_twice",
            label: "runs handed out more than once (offers received by all workers)",
            unit: "runs",
            value: twice,
            better: "lower",
            target: { op: "<=", limit: 0, text: "none" },
            check: true,
            note: `${offers.length} offers for ${config.runs} runs (${neverOffered} never offered); runs completed per worker: ${perWorker.join(", ")}; reports refused: ${refused}.`,
          },
          {
            key: "fanin.not_completed_once",
            label: "runs not COMPLETED exactly once (API: state and run_count)",
            unit: "runs",
            value: wrong.length,
            better: "lower",
            target: { op: "<=", limit: 0, text: "none" },
            check: true,
            ...(wrong.length > 0 ? { note: `Not completed once: ${wrong.slice(0, 5).join("; ")}${wrong.length > 5 ? " …" : ""}` } : {}),
          },
        ];
        if (queueCpu0 !== undefined && queueCpu1 !== undefined) {
          figures.push({
            key: "fanin.server_cpu_ms_per_create",
            label: "CPU of the server per create_flow_run, queueing (paused pool)",
            unit: "ms",
            value: (queueCpu1 - queueCpu0) / config.runs,
            better: "lower",
          });
        }
        if (cpu0 !== undefined && cpu1 !== undefined) {
          figures.push({
            key: "fanin.server_cpu_ms_per_run",
            label: "CPU of the server (node + workerd) per run drained",
            unit: "ms",
            value: (cpu1 - cpu0) / config.runs,
            better: "lower",
            note: `The server used ${((cpu1 - cpu0) / 1000).toFixed(1)} s of CPU (from /proc, its process tree) while the queue drained in ${seconds.toFixed(1)} s, counted up to the API's last poll (every 250 ms).`,
          });
        }
        return figures;
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    }),
};
