/**
 * Ingest throughput: several flows at once (child processes, bench/child/ingest-flow.ts), each making many
 * task runs and log lines, against one local server; what the server stored (counted through its API
 * afterwards) divided by the wall time from "go" until every flow has returned.
 */
import { availableParallelism } from "node:os";
import { startChild, type BenchChild } from "./harness/child";
import { cpuDuring } from "./harness/cpu";
import type { Benchmark, Figure } from "./harness/types";
import { withBenchServer, type BenchServer } from "./local-server";

const cores = availableParallelism();

type Config = { flows: number; tasks: number; lines: number };
const FULL: Config = { flows: 6, tasks: 2000, lines: 1 };
const QUICK: Config = { flows: 4, tasks: 1000, lines: 1 };

/** Every log line the server has, counted a page (the API's largest) at a time. */
async function countLogs(server: BenchServer): Promise<number> {
  let total = 0;
  for (;;) {
    const page: unknown[] = await server.call("POST", "/logs/filter", { limit: 1000, offset: total });
    total += page.length;
    if (page.length < 1000) return total;
  }
}

export const ingest: Benchmark = {
  name: "ingest",
  title: "Ingest throughput",
  description:
    "Several flows at once, each a child process running a user's script (bench/child/ingest-flow.ts): `work.map(items, { concurrency: 16 })` over trivial tasks that each write one log line with `log.info`. The clock starts when every process has loaded and is told to go, and stops when every flow has returned (the SDK has then flushed its task runs and lines). Rates are what the server stored, counted through its API afterwards (`POST /task_runs/count`, `POST /logs/filter`), over that time. The flows' processes share the machine's cores with the server.",
  repeats: { full: 2, quick: 1 },
  run: (ctx) =>
    withBenchServer(async (server) => {
      const config = ctx.quick ? QUICK : FULL;
      const children: BenchChild<{ cpuMs: number }>[] = [];
      try {
        for (let i = 0; i < config.flows; i++) {
          const env = { ...server.env, BENCH_TASKS: String(config.tasks), BENCH_LINES: String(config.lines), BENCH_FLOW: `bench-ingest-${i}` };
          children.push(startChild("../child/ingest-flow.ts", env));
        }
        await Promise.all(children.map((c) => c.ready));
        ctx.progress(`${config.flows} flows of ${config.tasks} tasks each: go`);
        const t0 = performance.now();
        const { result: answers, cpuMs: serverCpuMs } = await cpuDuring(server.pid, async () => {
          for (const c of children) c.go();
          return Promise.all(children.map((c) => c.result));
        });
        const seconds = (performance.now() - t0) / 1000;
        const flowsCpuMs = answers.reduce((a, r) => a + r.cpuMs, 0);

        const taskRuns: number = await server.call("POST", "/task_runs/count", {});
        const completed: number = await server.call("POST", "/task_runs/count", { task_runs: { state: { type: { any_: ["COMPLETED"] } } } });
        const lines = await countLogs(server);
        const expected = config.flows * config.tasks;
        if (taskRuns !== expected || completed !== expected) {
          throw new Error(`the server stored ${taskRuns} task runs (${completed} COMPLETED) of the ${expected} made`);
        }
        if (lines < expected * config.lines) throw new Error(`the server stored ${lines} log lines, fewer than the ${expected * config.lines} written`);
        ctx.progress(`${taskRuns} task runs and ${lines} log lines stored in ${seconds.toFixed(1)} s`);
        const figures: Figure[] = [
          {
            key: "ingest.task_runs_per_s",
            label: `task runs recorded per second (${config.flows} concurrent flows)`,
            unit: "task runs/s",
            value: taskRuns / seconds,
            better: "higher",
            target: { op: ">=", limit: 2000, text: "≥ 2,000 task runs/s" },
            note: `${config.flows} flows × ${config.tasks} tasks = ${taskRuns} task runs, all COMPLETED, and ${lines} log lines (one per task run plus each flow's own lines) stored.`,
          },
          { key: "ingest.log_lines_per_s", label: "log lines recorded per second, at the same time", unit: "lines/s", value: lines / seconds, better: "higher" },
          { key: "ingest.seconds", label: `wall time, go → every flow returned`, unit: "s", value: seconds, better: "lower" },
          {
            key: "ingest.flows_cpu_ms_per_task_run",
            label: "CPU of the flows' processes per task run (with its log line)",
            unit: "ms",
            value: flowsCpuMs / taskRuns,
            better: "lower",
          },
        ];
        if (serverCpuMs !== undefined) {
          figures.push({
            key: "ingest.server_cpu_ms_per_task_run",
            label: "CPU of the server (node + workerd) per task run (with its log line)",
            unit: "ms",
            value: serverCpuMs / taskRuns,
            better: "lower",
            note: `CPU is counted from /proc (the server's process tree) and process.cpuUsage (the flows) over the measured time: the server used ${(serverCpuMs / 1000).toFixed(1)} s of CPU and the flows ${(flowsCpuMs / 1000).toFixed(1)} s in ${seconds.toFixed(1)} s on ${cores} cores. 1,000 ÷ (server CPU ms per task run) is how many task runs a second one core of server would store.`,
          });
        }
        return figures;
      } finally {
        await Promise.all(children.map((c) => c.stop()));
      }
    }),
};
