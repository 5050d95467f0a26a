import { DEPLOYED_RUNNER } from "./deployed-run";
import { isFlow, type DeployedRun, type Flow, type RunOutcome } from "./types";

/**
 * Runs a flow run that a worker claimed (PENDING, under `run.leaseToken`): proposes RUNNING, runs the flow
 * with the run's parameters (read from the server when not given), reports its task runs, logs and final
 * state, flushes everything, and answers how it ended. A report answered ABORT (the run is being
 * cancelled) or 409 (the lease was lost) stops the run without further reports (ABORTED), as does `signal`.
 * Rejects (UnreportedError) when the server could not be told how the run went, even after retries: the
 * worker then reports the run CRASHED, as for a process that died.
 */
export function runDeployedFlowRun<P extends Record<string, unknown>, R>(flow: Flow<P, R>, run: DeployedRun): Promise<RunOutcome> {
  const runner = isFlow(flow) ? (flow as unknown as Record<symbol, unknown>)[DEPLOYED_RUNNER] : undefined;
  if (typeof runner !== "function") {
    return Promise.reject(new TypeError("runDeployedFlowRun: not a flow made by baton's flow()"));
  }
  return (runner as (run: DeployedRun) => Promise<RunOutcome>)(run);
}
