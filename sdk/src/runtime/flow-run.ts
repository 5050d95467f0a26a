import { LOG_LEVELS } from "../../../protocol/logs";
import type { EmpiricalPolicy } from "../../../protocol/runs";
import type { OrchestrationResult, StateType } from "../../../protocol/states";
import { runAttempts, RunAborted } from "./attempts";
import { withRun, type FlowRunScope, type RunContext } from "./context";
import { proposeFlowRunState } from "./flow-run-api";
import { logLine } from "./logger";
import { ParameterError, validParameters } from "./parameters";
import type { StateBody } from "./reporter";
import { localRetryDelaySeconds } from "./retry-policy";
import { flushSession } from "./session";
import { errorMessage, summariseError, summariseValue } from "./summary";
import type { FlowOptions } from "./types";

/** A flow as the runtime runs it. */
export interface FlowDefinition {
  name: string;
  fn: (parameters: never) => unknown;
  options: FlowOptions<never>;
  policy: EmpiricalPolicy;
}

/**
 * How a flow run ended: its value or error, and the state the server stored. ABORTED: the server said to
 * stop (cancelled, or the claim was lost). UNREPORTED: the server could not be told, even after retries.
 */
export type FlowRunEnd = ({ ok: true; value: unknown } | { ok: false; error: unknown }) & {
  state: StateType | "ABORTED" | "UNREPORTED";
  message?: string;
};

/** The server could not be told a state of the run. */
class ReportError extends Error {
  override name = "ReportError";
}

/** Waits until every task run started so far has ended (also those started meanwhile). */
async function settled(pending: Set<Promise<unknown>>): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}

/** A state of the run; recorded runs tell the server once their task runs and logs are flushed. */
async function report(scope: FlowRunScope, state: StateBody): Promise<OrchestrationResult | null> {
  if (!scope.session.client) return null;
  await flushSession(scope.session);
  try {
    return await proposeFlowRunState(scope, state);
  } catch (e) {
    if (e instanceof RunAborted) throw e;
    throw new ReportError(`the ${state.type} state of flow run '${scope.name}' could not be reported: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Runs a flow run that exists (RUNNING on the server, or not recorded): its attempts with retries and
 * timeout in the run's context, then its final state, sent after its task runs and logs.
 */
export async function executeFlowRun(def: FlowDefinition, scope: FlowRunScope, parameters: unknown): Promise<FlowRunEnd> {
  const context: RunContext = { flowRun: scope };
  const say = (level: number, message: string) => logLine(level, message, "baton.engine", context);
  say(LOG_LEVELS.INFO, `Beginning flow run '${scope.name}' for flow '${def.name}'`);
  let stored: StateType = "FAILED";
  try {
    const valid = await validParameters(def.name, def.options, parameters);
    const value = await runAttempts({
      what: `Flow run '${scope.name}'`,
      context,
      timeoutSeconds: def.options.timeoutSeconds,
      async attempt() {
        try {
          return await withRun(context, async () => def.fn(valid as never));
        } finally {
          await settled(scope.pending);
        }
      },
      async failed(state, runCount) {
        if (!scope.session.client) {
          const delay = localRetryDelaySeconds(def.policy, runCount);
          return delay === null ? null : new Date(Date.now() + delay * 1000);
        }
        const result = await report(scope, state);
        const scheduled = result?.state?.type === "SCHEDULED" ? result.state.state_details.scheduled_time : undefined;
        stored = result?.state?.type ?? "FAILED";
        return scheduled ? new Date(scheduled) : null;
      },
      async retrying() {
        await report(scope, { type: "RUNNING" });
      },
    });
    let result: OrchestrationResult | null;
    try {
      result = await report(scope, { type: "COMPLETED", data: summariseValue(value) });
    } catch (e) {
      if (!(e instanceof ReportError)) throw e;
      say(LOG_LEVELS.ERROR, e.message);
      return { ok: true, value, state: "UNREPORTED", message: e.message };
    }
    say(LOG_LEVELS.INFO, `Finished in state ${result?.state?.name ?? "Completed"}`);
    return { ok: true, value, state: result?.state?.type ?? "COMPLETED" };
  } catch (error) {
    if (error instanceof RunAborted) {
      say(LOG_LEVELS.WARNING, `Stopped: ${error.message}`);
      return { ok: false, error, state: "ABORTED", message: error.message };
    }
    if (error instanceof ReportError) {
      say(LOG_LEVELS.ERROR, error.message);
      return { ok: false, error, state: "UNREPORTED", message: error.message };
    }
    const summary = summariseError(error);
    // Invalid parameters are not an attempt: nothing ran, so nothing was reported yet.
    if (error instanceof ParameterError) {
      say(LOG_LEVELS.ERROR, error.message);
      stored = (await report(scope, { type: "FAILED", message: errorMessage(summary), data: summary }).catch(() => null))?.state?.type ?? "FAILED";
    }
    say(LOG_LEVELS.ERROR, `Finished in state ${stored === "FAILED" ? "Failed" : stored}: ${errorMessage(summary)}`);
    return { ok: false, error, state: stored, message: errorMessage(summary) };
  }
}
