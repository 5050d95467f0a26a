import type { FlowRun } from "../../../protocol/flow-runs";
import { HttpError } from "../client/http";
import { RunAborted } from "./attempts";
import { captureConsole } from "./console-capture";
import { echoes, newScope } from "./flow-call";
import { proposeFlowRunState, REPORT_RETRY } from "./flow-run-api";
import { executeFlowRun, type FlowDefinition, type FlowRunEnd } from "./flow-run";
import { closeSession, openSession } from "./session";
import type { DeployedRun, RunOutcome } from "./types";

/**
 * Where a flow object keeps the function that runs one of its deployed runs. Found through a global symbol,
 * so a worker runs a flow with the SDK copy the flow was defined with (its tasks share that copy's context).
 */
export const DEPLOYED_RUNNER = Symbol.for("baton.flow.runDeployed");

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

function outcomeOf(end: FlowRunEnd): RunOutcome {
  switch (end.state) {
    case "COMPLETED":
    case "FAILED":
    case "CANCELLED":
    case "CRASHED":
    case "ABORTED":
      return end.message ? { state: end.state, message: end.message } : { state: end.state };
    case "UNREPORTED":
      throw new UnreportedError(end.message ?? "the run's final state could not be reported");
    default:
      return { state: "ABORTED", message: `the run ended ${end.state}` };
  }
}

/**
 * The server could not be told how the run went (read, start or end), even after retrying through what a
 * restart takes: no outcome to answer, so the worker finds out what the server has and reports the run
 * CRASHED itself, as when a child process dies.
 */
export class UnreportedError extends Error {
  override name = "UnreportedError";
}

/** Resolves ABORTED (stopped, nothing reported) when the signal aborts first; the flow's code cannot be stopped, only left. */
function unlessCancelled(running: Promise<RunOutcome>, signal: AbortSignal | undefined): Promise<RunOutcome> {
  if (!signal) return running;
  const cancelled = { state: "ABORTED", message: "the run was cancelled" } as const;
  if (signal.aborted) return Promise.resolve(cancelled);
  return Promise.race([running, new Promise<RunOutcome>((r) => signal.addEventListener("abort", () => r(cancelled), { once: true }))]);
}

/**
 * Runs a run a worker claimed (see runDeployedFlowRun): RUNNING under the claim's lease, the flow with the
 * run's parameters, then every report flushed and the final state. A run cancelled through `signal` answers
 * ABORTED without reporting anything more: the worker that cancelled it reports CANCELLED, as it does for
 * processes it kills.
 */
export async function runDeployed(def: FlowDefinition, run: DeployedRun): Promise<RunOutcome> {
  const session = openSession(run.client, echoes());
  try {
    let flowRun: FlowRun;
    try {
      flowRun = await run.client.get<FlowRun>(`/flow_runs/${run.flowRunId}`, { retry: REPORT_RETRY, signal: run.signal });
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return { state: "ABORTED", message: `flow run ${run.flowRunId} no longer exists` };
      throw new UnreportedError(`could not read flow run ${run.flowRunId}: ${reason(e)}`, { cause: e });
    }
    session.noticesTo = flowRun.id;
    const scope = newScope(session, {
      id: flowRun.id,
      name: flowRun.name,
      flowName: def.name,
      leaseToken: run.leaseToken,
      logPrints: def.options.logPrints ?? true,
      // An earlier attempt (crashed) recorded task runs under the plain keys.
      keyPrefix: flowRun.run_count > 0 ? `${flowRun.run_count + 1}.` : "",
    });
    try {
      const start = await proposeFlowRunState(scope, { type: "RUNNING" });
      // REJECT while RUNNING: our own start, resent after its answer was lost (the lease says it is ours).
      if (start.status !== "ACCEPT" && start.state?.type !== "RUNNING") {
        return { state: "ABORTED", message: `the server did not let the run start: ${start.details.reason ?? start.status}` };
      }
    } catch (e) {
      if (e instanceof RunAborted) return { state: "ABORTED", message: e.message };
      throw new UnreportedError(`could not start flow run ${flowRun.name}: ${reason(e)}`, { cause: e });
    }
    const release = captureConsole();
    try {
      const running = executeFlowRun(def, scope, run.parameters ?? flowRun.parameters).then(outcomeOf);
      return await unlessCancelled(running, run.signal);
    } finally {
      release();
    }
  } finally {
    await closeSession(session);
  }
}
