/**
 * One of the concurrent flows of the ingest benchmark, a user's script: once the harness says go, a flow
 * runs BENCH_TASKS trivial tasks with task.map at concurrency 16, each writing BENCH_LINES log lines, and
 * answers when the flow has returned (the SDK has then flushed every task run and line to the server).
 */
import { flow, log, task } from "baton";
import { answer, ready } from "./ipc";

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const LINES = Number(process.env.BENCH_LINES ?? 1);
const name = process.env.BENCH_FLOW ?? "bench-ingest";

const work = task("work", (i: number) => {
  for (let l = 0; l < LINES; l++) log.info(`item ${i}: line ${l} of its task run`);
  return i;
});

const ingestFlow = flow(name, async () => {
  await work.map(
    Array.from({ length: TASKS }, (_, i) => i),
    { concurrency: 16 },
  );
});

await ready();
await answer(async () => {
  const cpu = process.cpuUsage();
  await ingestFlow();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 };
});
