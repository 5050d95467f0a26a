import type { ApiClient } from "../client/http";
import { runDeployedFlowRun } from "../runtime/deployed";
import type { Flow } from "../runtime/types";
import { failedToStart, type Executor, type OfferedRun, type RunEnd, type RunHandle } from "./executor";

/** How long a cancelled in-process run may take to notice its aborted signal before the agent reports it cancelled anyway. */
const STOP_GRACE_MS = 10_000;

/**
 * Runs each run of one deployment in this process (flow.serve): the runtime reports its states and logs
 * itself; cancelling aborts the run's signal, as nothing can kill a function.
 */
export function inProcessExecutor(flow: Flow, deploymentId: string, client: ApiClient): Executor {
  return {
    start(run: OfferedRun): RunHandle {
      if (run.flow_run.deployment_id !== deploymentId) {
        return failedToStart(
          `This pool is served by flow.serve() for deployment ${deploymentId} only; run ${run.flow_run.id} belongs to another one`,
        );
      }
      const abort = new AbortController();
      const running: Promise<RunEnd> = runDeployedFlowRun(flow, {
        flowRunId: run.flow_run.id,
        leaseToken: run.lease_token,
        parameters: run.flow_run.parameters,
        client,
        signal: abort.signal,
      }).then(
        (outcome) => ({ outcome, reason: outcome.message ?? outcome.state }),
        (error: unknown) => ({ reason: `The run failed outside its flow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` }),
      );
      // A flow that ignores its signal is left behind: its reports are refused once the run is cancelled.
      let abandon!: (end: RunEnd) => void;
      const done = Promise.race([running, new Promise<RunEnd>((resolve) => (abandon = resolve))]);
      return {
        done,
        async stop() {
          abort.abort(new Error("the run was cancelled"));
          setTimeout(() => abandon({ reason: `The run did not stop within ${STOP_GRACE_MS / 1000} s of its cancellation` }), STOP_GRACE_MS).unref();
          await done;
        },
      };
    },
  };
}
