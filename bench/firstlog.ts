/**
 * Trigger → first log line, the whole path a user waits on: the real `baton worker start` connected to
 * its pool and examples/hello.ts deployed to it; each round starts a run and times until the server has
 * stored the run's first log line (and, to see where the time goes, until the run became RUNNING: its
 * child process is up and the runtime loaded). From a create_flow_run call, and from spawning
 * `baton deployment run` (its own start-up included). Times are the server's (the log's `created`, the
 * run's `start_time`) against this process's clock: same machine, same clock.
 */
import { spawn, spawnSync } from "node:child_process";
import { latencyFigures } from "./harness/stats";
import type { Benchmark, Figure } from "./harness/types";
import { withBenchServer, type BenchServer } from "./local-server";

const repoRoot = new URL("..", import.meta.url).pathname;
const WARM_UP = 1;

/** Waits until the run has ended; answers when it started running and when its first line was stored. */
async function times(server: BenchServer, runId: string): Promise<{ running: number; firstLog: number }> {
  for (let i = 0; i < 1500; i++) {
    const run = await server.call("GET", `/flow_runs/${runId}`);
    if (run.end_time) {
      if (run.state_type !== "COMPLETED") throw new Error(`run ${runId} ended ${run.state_name}`);
      const logs: { created: string }[] = await server.call("POST", "/logs/filter", { logs: { flow_run_id: { any_: [runId] } }, limit: 200 });
      if (logs.length === 0) throw new Error(`run ${runId} has no logs`);
      return { running: Date.parse(run.start_time), firstLog: Math.min(...logs.map((l) => Date.parse(l.created))) };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`run ${runId} did not end within 30 s`);
}

export const firstlog: Benchmark = {
  name: "firstlog",
  title: "Trigger → first log line, with the real worker agent",
  description:
    "`baton worker start` (the real agent: one child process per run, `node --import tsx`) takes the runs of examples/hello.ts deployed with `baton deploy`. Each round starts a run and times until it is RUNNING (its process is up and the runtime loaded) and until the server has stored its first log line; **REST** from the `create_flow_run` call, **CLI** from spawning `baton deployment run` (its own start-up included). One warm-up round of each is not counted.",
  repeats: { full: 1, quick: 1 },
  run: (ctx) =>
    withBenchServer(async (server) => {
      const rounds = ctx.quick ? 3 : 5;
      const baton = (args: string[]) => spawnSync(process.execPath, ["sdk/bin/baton.js", ...args], { cwd: repoRoot, env: server.env, encoding: "utf8" });
      const deployed = baton(["deploy", "examples/hello.ts:helloFlow", "--name", "my_first_deployment", "--pool", "bench-pool", "--create-pool", "--json"]);
      if (deployed.status !== 0) throw new Error(`baton deploy failed: ${deployed.stderr}`);
      const deploymentId: string = JSON.parse(deployed.stdout).id;
      const worker = spawn(process.execPath, ["sdk/bin/baton.js", "worker", "start", "--pool", "bench-pool"], { cwd: repoRoot, env: server.env, stdio: ["ignore", "pipe", "pipe"] });
      let workerOut = "";
      const keep = (chunk: Buffer) => (workerOut = (workerOut + chunk.toString()).slice(-4000));
      worker.stdout.on("data", keep);
      worker.stderr.on("data", keep);
      try {
        for (let i = 0; !workerOut.includes("is taking runs"); i++) {
          if (i > 600 || worker.exitCode !== null) throw new Error(`baton worker start did not start:\n${workerOut}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const rest = { running: [] as number[], firstLog: [] as number[] };
        const cli = { running: [] as number[], firstLog: [] as number[] };
        for (let i = 0; i < rounds + WARM_UP; i++) {
          const t0 = Date.now();
          const run = await server.call("POST", `/deployments/${deploymentId}/create_flow_run`, { parameters: { name: "Ada" } });
          const r = await times(server, run.id);
          const t1 = Date.now();
          const started = baton(["deployment", "run", "hello-flow/my_first_deployment", "--param", "name=Ada", "--json"]);
          if (started.status !== 0) throw new Error(`baton deployment run failed: ${started.stderr}`);
          const c = await times(server, JSON.parse(started.stdout).id);
          if (i >= WARM_UP) {
            rest.running.push(r.running - t0);
            rest.firstLog.push(r.firstLog - t0);
            cli.running.push(c.running - t1);
            cli.firstLog.push(c.firstLog - t1);
          }
          ctx.progress(`round ${i + 1}/${rounds + WARM_UP}: REST → first line ${r.firstLog - t0} ms, CLI → first line ${c.firstLog - t1} ms`);
        }
        const only = ["p50", "p90"] as ("p50" | "p90")[];
        const figures: Figure[] = [
          ...latencyFigures("firstlog.rest.first_log", "create_flow_run → first log line stored", rest.firstLog, { only }),
          ...latencyFigures("firstlog.rest.running", "create_flow_run → RUNNING (run's process up)", rest.running, { only: ["p50"] }),
          ...latencyFigures("firstlog.cli.first_log", "baton deployment run → first log line stored", cli.firstLog, { only }),
          ...latencyFigures("firstlog.cli.running", "baton deployment run → RUNNING", cli.running, { only: ["p50"] }),
        ];
        return figures;
      } finally {
        if (worker.exitCode === null && worker.signalCode === null) {
          worker.kill("SIGTERM");
          await new Promise((r) => worker.once("exit", r));
        }
      }
    }),
};
