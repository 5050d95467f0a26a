import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ApiClient } from "../client/http";
import { LOG_LEVELS } from "../../../protocol/logs";
import { CHILD_ENV, type RunOutcome } from "../runtime/types";
import { missingEntrypoint } from "./entrypoint-file";
import { failedToStart, type Executor, type OfferedRun, type RunEnd, type RunHandle } from "./executor";
import type { RunOutput } from "./run-output";

export interface ChildExecutorOptions {
  client: ApiClient;
  output: RunOutput;
  /** The script each child runs (default: child-entry.ts beside this file). */
  entry?: string;
  /** How long a cancelled run's processes get between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

const DEFAULT_ENTRY = fileURLToPath(new URL("./child-entry.ts", import.meta.url));
/** tsx's loader by absolute URL: the deployment's directory need not have tsx installed. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** How long a child's output may keep flowing after it exited (a process it started in a session of its own may hold the pipe). */
const OUTPUT_AFTER_EXIT_MS = 2_000;

/**
 * Runs each run in a child process: `node --import tsx child-entry.ts` in the deployment's directory, with
 * the run and lease in its environment. Each child leads its own process group, so stopping a run kills
 * everything it started, and a Ctrl-C meant for the worker does not reach it.
 */
export function childExecutor(options: ChildExecutorOptions): Executor {
  return {
    start(run: OfferedRun): RunHandle {
      const deployment = run.deployment;
      if (!deployment?.entrypoint || !deployment.path) return failedToStart(noEntrypointMessage(run.flow_run.deployment_id, deployment?.name));
      if (!existsSync(deployment.path)) {
        return failedToStart(`The deployment's directory ${deployment.path} does not exist on the machine of this worker`);
      }
      const missing = missingEntrypoint(deployment.entrypoint, deployment.path);
      if (missing) {
        // No process to print it: the run's logs get the line its process would have written.
        options.output.note(run.flow_run.id, LOG_LEVELS.ERROR, missing);
        return failedToStart(missing);
      }
      return startChild(options, run, deployment.entrypoint, deployment.path);
    },
  };
}

/** Why a run has nothing to start from: its deployment was deleted, or it is not one a worker can run. */
export function noEntrypointMessage(deploymentId: string | null, deploymentName: string | undefined): string {
  if (deploymentId === null) {
    return "The run's deployment was deleted, so there is no entrypoint to run it from; run it again from a deployment that exists";
  }
  return (
    `Deployment ${deploymentName ?? deploymentId} has no entrypoint: it is served by flow.serve(), or was created without one; ` +
    "deploy it with `npx baton deploy` to run it on a worker"
  );
}

function startChild(options: ChildExecutorOptions, run: OfferedRun, entrypoint: string, cwd: string): RunHandle {
  const { apiUrl, apiKey } = options.client.config;
  const { BATON_API_KEY: _inherited, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", TSX_LOADER, options.entry ?? DEFAULT_ENTRY], {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: {
      ...env,
      BATON_API_URL: apiUrl,
      ...(apiKey ? { BATON_API_KEY: apiKey } : {}),
      [CHILD_ENV.flowRunId]: run.flow_run.id,
      [CHILD_ENV.leaseToken]: run.lease_token,
      [CHILD_ENV.entrypoint]: entrypoint,
      [CHILD_ENV.workerChild]: "1",
    },
  });
  let outcome: RunOutcome | undefined;
  child.on("message", (message) => {
    if (message && typeof message === "object" && "state" in message) outcome = message as RunOutcome;
  });
  const { ended } = options.output.follow({ id: run.flow_run.id, name: run.flow_run.name }, child.stdout!, child.stderr!);
  const exited = new Promise<string>((resolve) => {
    child.once("error", (error) => resolve(`The run's process could not be started (${error.message})`));
    child.once("exit", (code, signal) =>
      resolve(`The run's process ${code !== null ? `exited with code ${code}` : `was killed by ${signal}`}`),
    );
  });
  /** Signals the run's process group; answers false when none of it is left. */
  const signalGroup = (signal: NodeJS.Signals | 0) => {
    try {
      return child.pid !== undefined && process.kill(-child.pid, signal);
    } catch {
      return false;
    }
  };
  let stopping = false;
  const done = (async (): Promise<RunEnd> => {
    const how = await exited;
    // The run is over: processes it started and left behind in its group end with it.
    if (!stopping) signalGroup("SIGKILL");
    const tail = await Promise.race([ended, new Promise<string[]>((r) => setTimeout(() => r([]), OUTPUT_AFTER_EXIT_MS).unref())]);
    await options.output.flush();
    const reason = tail.length > 0 ? `${how}; its last error output:\n${tail.join("\n")}` : how;
    return outcome ? { outcome, reason } : { reason };
  })();
  return {
    done,
    pid: child.pid,
    async stop() {
      stopping = true;
      signalGroup("SIGTERM");
      const deadline = Date.now() + (options.killGraceMs ?? 5_000);
      while (signalGroup(0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      signalGroup("SIGKILL");
      await done;
    },
  };
}
