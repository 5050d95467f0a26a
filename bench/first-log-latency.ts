/**
 * Trigger → first log line, the whole path a user waits on: the real local server, `baton worker start`
 * connected to its pool, and examples/hello.ts deployed to it. Each round starts a run and times until
 * the server has stored the run's first log line (and, to see where the time goes, until the run became
 * RUNNING: its child process is up and the runtime loaded):
 *   rest:  from the create_flow_run call (POST /deployments/{id}/create_flow_run), and
 *   cli:   from spawning `baton deployment run hello-flow/my_first_deployment` (its own start-up included).
 * Times are the server's: the log's `created` and the run's `start_time` (same machine, same clock).
 * Usage: node_modules/.bin/tsx bench/first-log-latency.ts [rounds=20]
 */
import { spawn, spawnSync } from "node:child_process";
import { startBenchServer, summary } from "./local-server";

const rounds = Number(process.argv[2] ?? 20);
const server = await startBenchServer();
const { call, env } = server;
const baton = (args: string[]) => spawnSync(process.execPath, ["sdk/bin/baton.js", ...args], { env, encoding: "utf8" });

/** Waits until the run has ended, and answers when it started running and when its first line was stored. */
async function times(runId: string): Promise<{ running: number; firstLog: number }> {
  for (let i = 0; i < 1500; i++) {
    const run = await call("GET", `/flow_runs/${runId}`);
    if (run.end_time) {
      if (run.state_type !== "COMPLETED") throw new Error(`run ${runId} ended ${run.state_name}`);
      const logs: { created: string }[] = await call("POST", "/logs/filter", { logs: { flow_run_id: { any_: [runId] } }, limit: 200 });
      if (logs.length === 0) throw new Error(`run ${runId} has no logs`);
      return { running: Date.parse(run.start_time), firstLog: Math.min(...logs.map((l) => Date.parse(l.created))) };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`run ${runId} did not end`);
}

let worker: ReturnType<typeof spawn> | undefined;
try {
  const deployed = baton(["deploy", "examples/hello.ts:helloFlow", "--name", "my_first_deployment", "--pool", "bench-pool", "--create-pool", "--json"]);
  if (deployed.status !== 0) throw new Error(deployed.stderr);
  const deploymentId: string = JSON.parse(deployed.stdout).id;
  worker = spawn(process.execPath, ["sdk/bin/baton.js", "worker", "start", "--pool", "bench-pool"], { env, stdio: ["ignore", "pipe", "inherit"] });
  let workerOut = "";
  worker.stdout!.on("data", (chunk: Buffer) => (workerOut += chunk));
  while (!workerOut.includes("is taking runs")) await new Promise((r) => setTimeout(r, 50));

  const results = { rest: { running: [] as number[], firstLog: [] as number[] }, cli: { running: [] as number[], firstLog: [] as number[] } };
  // Two warm-up rounds of each kind (workerd isolates, D1 caches, tsx's transform cache), then `rounds` each.
  for (let i = 0; i < rounds + 2; i++) {
    const t0 = Date.now();
    const run = await call("POST", `/deployments/${deploymentId}/create_flow_run`, { parameters: { name: "Ada" } });
    const rest = await times(run.id);

    const t1 = Date.now();
    const started = baton(["deployment", "run", "hello-flow/my_first_deployment", "--param", "name=Ada", "--json"]);
    if (started.status !== 0) throw new Error(started.stderr);
    const cli = await times(JSON.parse(started.stdout).id);
    if (i >= 2) {
      results.rest.running.push(rest.running - t0);
      results.rest.firstLog.push(rest.firstLog - t0);
      results.cli.running.push(cli.running - t1);
      results.cli.firstLog.push(cli.firstLog - t1);
    }
  }
  console.log(`create_flow_run → RUNNING:                      ${summary(results.rest.running, 0)}`);
  console.log(`create_flow_run → first log line stored:        ${summary(results.rest.firstLog, 0)}`);
  console.log(`baton deployment run → RUNNING:                 ${summary(results.cli.running, 0)}`);
  console.log(`baton deployment run → first log line stored:   ${summary(results.cli.firstLog, 0)}`);
} finally {
  worker?.kill("SIGTERM");
  if (worker) await new Promise((r) => worker!.once("exit", r));
  await server.stop();
}
