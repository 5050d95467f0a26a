import { randomUUID } from "node:crypto";
import { clientConfig } from "../client/config";
import { ApiClient, HttpError, NotBatonApiError, RETRY_BRIEFLY, type RetryPolicy } from "../client/http";
import { finishedWithin } from "../client/within";
import { LOG_LEVELS } from "../../../protocol/logs";
import { captureConsole, printLocal } from "./console-capture";
import { currentRun, nextDynamicKey, type FlowRunScope, type RunContext } from "./context";
import { createFlowRun, flowId, REPORT_RETRY } from "./flow-run-api";
import { executeFlowRun, type FlowDefinition, type FlowRunEnd } from "./flow-run";
import { recordedParameters } from "./parameters";
import { markServerAbsent } from "./server-absent";
import { closeSession, openSession, type Session } from "./session";
import { summariseError, summariseValue } from "./summary";
import { CHILD_ENV } from "./types";

export const echoes = (env = process.env) => env[CHILD_ENV.workerChild] !== "1";

export function newScope(session: Session, fields: Pick<FlowRunScope, "id" | "name" | "flowName" | "logPrints"> & Partial<FlowRunScope>): FlowRunScope {
  return { session, keyPrefix: "", counters: new Map(), pending: new Set(), results: new WeakMap(), ...fields };
}

const outcome = (end: FlowRunEnd): unknown => {
  if (end.ok) return end.value;
  throw end.error;
};

/** Calling a flow: a subflow run inside a running flow, else a flow run of its own (a script's). */
export function callFlow(def: FlowDefinition, parameters: unknown): Promise<unknown> {
  const parent = currentRun();
  return parent ? callSubflow(def, parameters, parent) : callRootFlow(def, parameters);
}

let warnedUnrecorded = false;

/** Said once per process: a script without a server still runs its flows. */
function warnUnrecorded(url: string, configured: boolean, error: unknown): void {
  const why = configured ? `the Baton server at ${url} did not answer (${error instanceof Error ? error.message : String(error)})` : `no Baton server answers at ${url}`;
  markServerAbsent(why);
  if (warnedUnrecorded) return;
  warnedUnrecorded = true;
  printLocal(LOG_LEVELS.WARNING, `Baton: ${why}; flows run, but nothing is recorded. Start one with \`npx baton server start\` or set BATON_API_URL.`);
}

/** Nothing configured: one quick look at the default local URL (a configured server gets RETRY_BRIEFLY). */
const QUICK: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

async function callRootFlow(def: FlowDefinition, parameters: unknown): Promise<unknown> {
  const config = clientConfig();
  const client = new ApiClient(config);
  const id = randomUUID();
  const given = (parameters ?? {}) as Record<string, unknown>;
  let session = openSession(client, echoes());
  let name = def.name;
  try {
    const retry = config.configured ? RETRY_BRIEFLY : QUICK;
    const timeoutMs = config.configured ? undefined : 1500;
    const flow_id = await flowId(session, client, def.name, retry, timeoutMs);
    const run = await createFlowRun(
      client,
      { id, flow_id, parameters: recordedParameters(given), tags: def.options.tags ?? [], state: { type: "RUNNING", state_details: {} }, empirical_policy: def.policy },
      retry,
    );
    name = run.name;
  } catch (e) {
    // A server that answers but refuses (a wrong key, a bad name), or is not the API (a URL without /api),
    // is a mistake to fix, not an outage.
    if ((e instanceof HttpError && e.status < 500) || e instanceof NotBatonApiError) throw e;
    warnUnrecorded(config.apiUrl, config.configured, e);
    session = openSession(undefined, echoes());
  }
  const release = captureConsole();
  try {
    const end = await executeFlowRun(def, newScope(session, { id, name, flowName: def.name, logPrints: def.options.logPrints ?? true }), given);
    return outcome(end);
  } finally {
    release();
    await closeSession(session);
  }
}

/** How long a subflow call waits for its stand-in task run to be stored before creating its run. */
const SUBFLOW_LINK_WAIT_MS = 10_000;

/**
 * A flow called by a flow: its own flow run, linked to a task run of the parent that stands for it (as in
 * Prefect), which ends in the subflow run's final state.
 */
async function callSubflow(def: FlowDefinition, parameters: unknown, parent: RunContext): Promise<unknown> {
  const up = parent.flowRun;
  const { session } = up;
  const standIn = randomUUID();
  const dynamicKey = nextDynamicKey(up, def.name);
  const now = () => new Date().toISOString();
  session.reporter?.create({ id: standIn, flow_run_id: up.id, name: `${def.name}-${dynamicKey}`, task_key: def.name, dynamic_key: dynamicKey, state: { type: "RUNNING", timestamp: now() } });
  const id = randomUUID();
  const given = (parameters ?? {}) as Record<string, unknown>;
  let name = def.name;
  if (session.client) {
    // The stand-in is stored before the subflow run, so that when the parent ends (cancelled, crashed) the
    // server finds the subflow through it and ends it too. A server that is away does not hold the flow up.
    if (session.reporter) await finishedWithin(session.reporter.flush(), SUBFLOW_LINK_WAIT_MS);
    const flow_id = await flowId(session, session.client, def.name, REPORT_RETRY);
    const body = { id, flow_id, parent_task_run_id: standIn, parameters: recordedParameters(given), tags: def.options.tags ?? [], state: { type: "RUNNING" as const, state_details: {} }, empirical_policy: def.policy };
    name = (await createFlowRun(session.client, body, REPORT_RETRY)).name;
  }
  const scope = newScope(session, { id, name, flowName: def.name, logPrints: def.options.logPrints ?? up.logPrints });
  const running = executeFlowRun(def, scope, given);
  up.pending.add(running);
  const end = await running.finally(() => up.pending.delete(running));
  const state = end.state === "ABORTED" || end.state === "UNREPORTED" ? "CRASHED" : end.state;
  session.reporter?.finish(standIn, {
    type: state,
    timestamp: now(),
    message: end.ok ? null : (end.message ?? null),
    data: end.ok ? summariseValue(end.value) : summariseError(end.error),
  });
  return outcome(end);
}
