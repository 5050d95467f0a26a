import { randomUUID } from "node:crypto";
import * as v from "valibot";
import { Name, Tags } from "../../../protocol/common";
import { TaskFuture, TaskFutureList, type Awaitable } from "./futures";
import { empiricalPolicy } from "./retry-policy";
import { startTaskRun, type TaskDefinition } from "./task-run";
import type { RetryDelay } from "./types";

export interface TaskOptions<A extends unknown[]> {
  description?: string;
  /** Attempts after the first that fail (default 0). */
  retries?: number;
  /** Seconds before each retry: one for all, one per retry (the last repeats), or exponential with jitter. */
  retryDelaySeconds?: RetryDelay;
  /** The run fails ("timed out after N s") when an attempt takes longer. */
  timeoutSeconds?: number;
  tags?: string[];
  /**
   * A call whose key has a result cached (and not expired) ends Cached without running and answers that
   * result. Results are kept on this machine, under BATON_HOME/results.
   */
  cacheKey?: (...args: A) => string;
  cacheExpirationSeconds?: number;
  /** Capture console.* inside the task as logs of its task run (default: as the flow says). */
  logPrints?: boolean;
}

/** Arguments of a task call: values, or futures of other task runs (awaited, and recorded as edges). */
export type TaskArgs<A extends unknown[]> = { [K in keyof A]: Awaitable<A[K]> };

export interface MapOptions {
  /** Task runs at once (default 16). */
  concurrency?: number;
}

/** A task: call it inside a flow to run it as a task run of that flow run. */
export interface Task<A extends unknown[] = unknown[], R = unknown> {
  (...args: TaskArgs<A>): Promise<R>;
  readonly name: string;
  readonly options: TaskOptions<A>;
  /** Starts a task run without waiting for it. */
  submit(...args: TaskArgs<A>): TaskFuture<R>;
  /** One task run per item, each item the task's first argument, at most `concurrency` running at once. */
  map(items: Iterable<Awaitable<A[0]>>, options?: MapOptions): TaskFutureList<R>;
}

const DEFAULT_CONCURRENCY = 16;
/** Room left in a name for the dynamic key ("greet-12"). */
const MAX_TASK_NAME = 180;

function checkName(name: string): void {
  const result = v.safeParse(Name, name);
  if (!result.success || result.output !== name || name.length > MAX_TASK_NAME) {
    throw new TypeError(`task name ${JSON.stringify(name)}: ${result.success ? `must be at most ${MAX_TASK_NAME} characters, without surrounding spaces` : result.issues[0].message}`);
  }
}

function checkOptions(name: string, options: TaskOptions<never[]>): void {
  const what = `task ${JSON.stringify(name)}`;
  const seconds = (n: number | undefined, field: string) => {
    if (n !== undefined && !(Number.isFinite(n) && n > 0)) throw new TypeError(`${what}: ${field} must be a positive number of seconds`);
  };
  seconds(options.timeoutSeconds, "timeoutSeconds");
  seconds(options.cacheExpirationSeconds, "cacheExpirationSeconds");
  const tags = v.safeParse(Tags, options.tags ?? []);
  if (!tags.success) throw new TypeError(`${what}: tags ${tags.issues[0].message}`);
}

/** Runs `run` over `items`, at most `limit` at once, in order of the items. */
function bounded<T>(items: unknown[], limit: number, run: (item: unknown, id: string) => Promise<T>): TaskFuture<T>[] {
  let active = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    while (active >= limit) await new Promise<void>((r) => waiting.push(r));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return items.map((item) => {
    const id = randomUUID();
    const promise = slot().then(() => run(item, id).finally(release));
    return new TaskFuture(id, promise);
  });
}

export function task<A extends unknown[], R>(name: string, fn: (...args: A) => R, options: TaskOptions<A> = {}): Task<A, Awaited<R>> {
  checkName(name);
  checkOptions(name, options as TaskOptions<never[]>);
  const def: TaskDefinition = {
    name,
    fn: fn as TaskDefinition["fn"],
    options: options as TaskOptions<never[]>,
    policy: empiricalPolicy(`task ${JSON.stringify(name)}`, options),
  };
  type Result = Awaited<R>;
  const call = (...args: TaskArgs<A>) => startTaskRun(def, args) as Promise<Result>;
  const submit = (...args: TaskArgs<A>) => {
    const id = randomUUID();
    return new TaskFuture(id, startTaskRun(def, args, id) as Promise<Result>);
  };
  const map = (items: Iterable<Awaitable<A[0]>>, mapOptions: MapOptions = {}) => {
    const limit = mapOptions.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`${name}.map: concurrency must be a positive integer, not ${limit}`);
    return new TaskFutureList(bounded([...items], limit, (item, id) => startTaskRun(def, [item], id) as Promise<Result>));
  };
  Object.defineProperty(call, "name", { value: name });
  return Object.assign(call, { options, submit, map }) as unknown as Task<A, Result>;
}
