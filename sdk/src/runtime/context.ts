import { AsyncLocalStorage } from "node:async_hooks";
import type { Session } from "./session";

/** A flow run in progress in this process: what its tasks, subflows and captured lines attach to. */
export interface FlowRunScope {
  session: Session;
  id: string;
  name: string;
  flowName: string;
  /** The claim of a deployed run, sent with each of its state reports; none for runs started here. */
  leaseToken?: string;
  logPrints: boolean;
  /**
   * Task runs are keyed (task key, dynamic key) within the flow run, and the server answers an existing
   * run for a key it has seen. An attempt of a deployed run after a crash starts counting from zero again,
   * so its keys carry the attempt ("2.0", "2.1") rather than colliding with the first attempt's.
   */
  keyPrefix: string;
  counters: Map<string, number>;
  /** Task runs started and not yet ended: the flow run ends only after them. */
  pending: Set<Promise<unknown>>;
  /** Objects returned by task runs, so that passing one on to another task records the edge. */
  results: WeakMap<object, string>;
}

export interface TaskRunScope {
  id: string;
  name: string;
  logPrints: boolean;
}

export interface RunContext {
  flowRun: FlowRunScope;
  taskRun?: TaskRunScope;
}

const storage = new AsyncLocalStorage<RunContext>();

export const currentRun = (): RunContext | undefined => storage.getStore();

export const withRun = <T>(context: RunContext, fn: () => T): T => storage.run(context, fn);

/** Whether console output of the current code is captured as logs of its run. */
export const capturesPrints = (context: RunContext): boolean => context.taskRun?.logPrints ?? context.flowRun.logPrints;

/** The next dynamic key of a task (or subflow stand-in) within its flow run: "0", "1", … */
export function nextDynamicKey(scope: FlowRunScope, taskKey: string): string {
  const n = scope.counters.get(taskKey) ?? 0;
  scope.counters.set(taskKey, n + 1);
  return `${scope.keyPrefix}${n}`;
}
