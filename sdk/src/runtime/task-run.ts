import { createHash, randomUUID } from "node:crypto";
import { LOG_LEVELS } from "../../../protocol/logs";
import type { EmpiricalPolicy } from "../../../protocol/runs";
import { RunAborted, runAttempts } from "./attempts";
import { readCached, writeCached } from "./cache";
import { currentRun, nextDynamicKey, withRun, type FlowRunScope, type RunContext } from "./context";
import { resolveInputs } from "./futures";
import { logLine } from "./logger";
import type { StateBody, TaskRunReporter } from "./reporter";
import { localRetryDelaySeconds } from "./retry-policy";
import { summariseValue } from "./summary";
import type { TaskOptions } from "./task";

/** A task as the runtime runs it: its options checked once, when it was defined. */
export interface TaskDefinition {
  name: string;
  fn: (...args: never[]) => unknown;
  options: TaskOptions<never[]>;
  policy: EmpiricalPolicy;
}

const now = () => new Date().toISOString();

/** The server keeps cache keys of up to 2,000 characters; longer ones are recorded by their hash. */
const recordedKey = (key: string) => (key.length <= 2000 ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`);
const running = (): StateBody => ({ type: "RUNNING", timestamp: now() });

/**
 * Runs one call of a task: as a task run of the current flow run, reported through the session's
 * reporter (never waiting for the server on the way, except to learn a retry's time), or, outside
 * any flow, as a plain call with the same retries and timeout.
 */
export function startTaskRun(def: TaskDefinition, args: unknown[], id: string = randomUUID()): Promise<unknown> {
  const run = currentRun();
  if (!run) return attempts(def, undefined, undefined, id, "", async () => def.fn(...(args as never[])));
  const scope = run.flowRun;
  const promise = taskRun(def, scope, args, id);
  scope.pending.add(promise);
  const done = () => void scope.pending.delete(promise);
  promise.then(done, done);
  return promise;
}

async function taskRun(def: TaskDefinition, scope: FlowRunScope, rawArgs: unknown[], id: string): Promise<unknown> {
  const { args, inputs } = await resolveInputs(rawArgs, scope.results);
  const dynamicKey = nextDynamicKey(scope, def.name);
  const name = `${def.name}-${dynamicKey}`;
  const context: RunContext = { flowRun: scope, taskRun: { id, name, logPrints: def.options.logPrints ?? scope.logPrints } };
  const reporter = scope.session.reporter;
  const base = {
    id,
    flow_run_id: scope.id,
    name,
    task_key: def.name,
    dynamic_key: dynamicKey,
    task_inputs: inputs,
    tags: def.options.tags ?? [],
    empirical_policy: def.policy,
  };

  const cacheKey = def.options.cacheKey?.(...(args as never[]));
  let expiration: string | null = null;
  if (cacheKey !== undefined) {
    const hit = await readCached(cacheKey);
    if (hit) {
      const details = { cache_key: recordedKey(cacheKey), cache_expiration: hit.expiration };
      const state = { type: "COMPLETED", name: "Cached", timestamp: now(), state_details: details, data: summariseValue(hit.value) } as const;
      reporter?.create({ ...base, ...details, state });
      remember(scope, hit.value, id);
      return hit.value;
    }
    const ttl = def.options.cacheExpirationSeconds;
    expiration = ttl === undefined ? null : new Date(Date.now() + ttl * 1000).toISOString();
  }

  reporter?.create({ ...base, cache_key: cacheKey === undefined ? null : recordedKey(cacheKey), cache_expiration: expiration, state: running() });
  const value = await attempts(def, context, reporter, id, name, () => withRun(context, async () => def.fn(...(args as never[]))));
  reporter?.finish(id, { type: "COMPLETED", timestamp: now(), data: summariseValue(value) });
  if (cacheKey !== undefined) {
    await writeCached(cacheKey, value, expiration).catch((e: unknown) =>
      logLine(LOG_LEVELS.WARNING, `result not cached: ${e instanceof Error ? e.message : String(e)}`, "baton.engine", context),
    );
  }
  remember(scope, value, id);
  return value;
}

/** Objects a task run returned, so that passing them on records the edge. */
function remember(scope: FlowRunScope, value: unknown, id: string): void {
  if (value !== null && (typeof value === "object" || typeof value === "function")) scope.results.set(value, id);
}

function attempts(
  def: TaskDefinition,
  context: RunContext | undefined,
  reporter: TaskRunReporter | undefined,
  id: string,
  name: string,
  attempt: () => Promise<unknown>,
): Promise<unknown> {
  const what = name ? `Task run '${name}'` : `Task '${def.name}'`;
  const stopped = () => new RunAborted(`${what}: the server asked to stop (the run is being cancelled)`);
  return runAttempts({
    what,
    context,
    timeoutSeconds: def.options.timeoutSeconds,
    attempt,
    async failed(state, runCount) {
      if (runCount > def.policy.retries) {
        reporter?.finish(id, { ...state, timestamp: now() });
        return null;
      }
      if (!reporter) {
        const delay = localRetryDelaySeconds(def.policy, runCount);
        return delay === null ? null : new Date(Date.now() + delay * 1000);
      }
      // The server decides: AwaitingRetry with its time, or FAILED.
      const result = await reporter.propose(id, { ...state, timestamp: now() });
      if (result?.status === "ABORT") throw stopped();
      const scheduled = result?.state?.type === "SCHEDULED" ? result.state.state_details.scheduled_time : undefined;
      return scheduled ? new Date(scheduled) : null;
    },
    async retrying() {
      const result = await reporter?.propose(id, running());
      if (result?.status === "ABORT") throw stopped();
    },
  });
}
