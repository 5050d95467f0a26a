import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ApiClient } from "../client/http";
import { runDeployedFlowRun } from "../runtime/deployed";
import { CHILD_ENV, isFlow, type Flow, type RunOutcome } from "../runtime/types";
import { entrypointNotFound, missingEntrypoint, splitEntrypoint } from "./entrypoint-file";

/*
 * What a worker's child process runs (see runner.ts): imports the deployment's entrypoint from the working
 * directory, finds the flow and runs the claimed run through the runtime. The outcome goes back to the
 * worker over the IPC channel before the process exits: 0 when the run ended COMPLETED or FAILED, else 1.
 */

const env = process.env;
const flowRunId = env[CHILD_ENV.flowRunId];
const leaseToken = env[CHILD_ENV.leaseToken];
const entrypoint = env[CHILD_ENV.entrypoint];
if (!flowRunId || !leaseToken || !entrypoint) {
  console.error(`child-entry runs under a worker: ${CHILD_ENV.flowRunId}, ${CHILD_ENV.leaseToken} and ${CHILD_ENV.entrypoint} must be set`);
  process.exit(2);
}

// A run must not go on without its worker (it holds the lease): when the worker dies, the IPC channel
// closes, and this process takes its whole group (it leads it, see runner.ts) down with it. The channel
// also keeps this process alive through a server outage, when only the runtime's retry timers (unref'd) wait.
process.on("disconnect", () => process.kill(-process.pid, "SIGKILL"));

/**
 * Ends a run that cannot start, saying why in one line: printed (so the run's logs have it), and sent as
 * the outcome, so that the run's crash message is that line rather than "exited with code 1" and a stack.
 */
function cannotStart(message: string): Promise<never> {
  console.error(message);
  const outcome: RunOutcome = { state: "CRASHED", message };
  return new Promise<never>(() => (process.send ? process.send(outcome, () => process.exit(1)) : process.exit(1)));
}

const parts = splitEntrypoint(entrypoint);
if (!parts) await cannotStart(`entrypoint ${JSON.stringify(entrypoint)} must be path/to/file.ts:exportName`);
const { file, exportName } = parts!;
let module: Record<string, unknown> = {};
try {
  module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
} catch (error) {
  // The file went after the worker looked (runner.ts), or the worker was not the one to look.
  if (missingEntrypoint(entrypoint, process.cwd())) await cannotStart(entrypointNotFound(entrypoint, process.cwd()));
  // The module's own failure (a missing package, code that throws on import): its stack is worth the lines.
  console.error(error);
  await cannotStart(`could not import ${file}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
}
const flow = module[exportName];
if (!isFlow(flow)) {
  const found = Object.keys(module).filter((name) => isFlow(module[name]));
  await cannotStart(`${file} has no flow exported as ${JSON.stringify(exportName)}` + (found.length > 0 ? ` (its flows: ${found.join(", ")})` : ""));
}

const outcome: RunOutcome = await runDeployedFlowRun(flow as Flow, { flowRunId, leaseToken, client: new ApiClient() });
const code = outcome.state === "COMPLETED" || outcome.state === "FAILED" ? 0 : 1;
if (process.send) process.send(outcome, () => process.exit(code));
else process.exit(code);
