import type * as v from "valibot";
import type { FlowRun, FlowRunCreate } from "../../../protocol/flow-runs";
import type { Flow as FlowRecord } from "../../../protocol/flows";
import type { OrchestrationResult } from "../../../protocol/states";
import { HttpError, type ApiClient, type RetryPolicy } from "../client/http";
import { RunAborted, sleepUntil } from "./attempts";
import type { FlowRunScope } from "./context";
import type { StateBody } from "./reporter";
import type { Session } from "./session";

/**
 * Flow-run calls are few (create, start, end) and the run's outcome depends on them, so each waits for
 * its answer, retried long enough to outlast a server restart. Creates carry client-chosen ids and
 * set_state carries the lease, so a request resent after a lost answer does no harm.
 */
export const REPORT_RETRY: RetryPolicy = { attempts: 30, baseDelayMs: 250, maxDelayMs: 5000 };

export type FlowRunCreateBody = v.InferInput<typeof FlowRunCreate> & { id: string };

/** The flow's id on the server (POST /flows/ creates it or answers the existing one), once per session. */
export function flowId(session: Session, client: ApiClient, name: string, retry: RetryPolicy, timeoutMs?: number): Promise<string> {
  let id = session.flowIds.get(name);
  if (!id) {
    id = client.post<FlowRecord>("/flows/", { name }, { retry, timeoutMs }).then((f) => f.id);
    session.flowIds.set(name, id);
    id.catch(() => session.flowIds.delete(name));
  }
  return id;
}

export const createFlowRun = (client: ApiClient, body: FlowRunCreateBody, retry: RetryPolicy, timeoutMs?: number) =>
  client.post<FlowRun>("/flow_runs/", body, { retry, timeoutMs });

/**
 * Proposes a state of the scope's flow run and answers the server's decision. WAIT (a concurrency limit)
 * is waited out here. ABORT (the run is being cancelled) and 409 (the claim was lost) throw RunAborted:
 * the run must stop without reporting anything more.
 */
export async function proposeFlowRunState(scope: FlowRunScope, state: StateBody): Promise<OrchestrationResult> {
  const client = scope.session.client!;
  const details = scope.leaseToken ? { ...state.state_details, lease_token: scope.leaseToken } : state.state_details;
  for (;;) {
    const body = { state: { ...state, timestamp: state.timestamp ?? new Date().toISOString(), state_details: details } };
    let result: OrchestrationResult;
    try {
      result = await client.post<OrchestrationResult>(`/flow_runs/${scope.id}/set_state`, body, { retry: REPORT_RETRY });
    } catch (e) {
      if (e instanceof HttpError && e.status === 409) throw new RunAborted(`flow run ${scope.name}: ${e.detail}`);
      throw e;
    }
    if (result.status === "ABORT") throw new RunAborted(`flow run ${scope.name}: ${result.details.reason ?? "the server asked to stop"}`);
    if (result.status !== "WAIT") return result;
    await sleepUntil(new Date(Date.now() + (result.details.delay_seconds ?? 1) * 1000));
  }
}
