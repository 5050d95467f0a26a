import type { TaskRunCreate } from "../../../protocol/task-runs";

type TaskInputs = TaskRunCreate["task_inputs"];

/** A task run started with `task.submit(...)`: await it (or call result()) for its value. */
export class TaskFuture<R> implements PromiseLike<R> {
  readonly #promise: Promise<R>;

  constructor(
    /** The task run's id (known at once: ids are chosen here). */
    readonly taskRunId: string,
    promise: Promise<R>,
  ) {
    this.#promise = promise;
    // A failure nobody awaits is already recorded as the task run's FAILED state; it must not also
    // crash the process as an unhandled rejection.
    promise.catch(() => {});
  }

  then<A = R, B = never>(onFulfilled?: ((value: R) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.#promise.then(onFulfilled, onRejected);
  }

  result(): Promise<R> {
    return this.#promise;
  }
}

/** The futures of `task.map(...)`: await it (or call result()) for all values, in order. */
export class TaskFutureList<R> implements PromiseLike<R[]> {
  constructor(readonly futures: TaskFuture<R>[]) {}

  get length(): number {
    return this.futures.length;
  }

  [Symbol.iterator](): Iterator<TaskFuture<R>> {
    return this.futures[Symbol.iterator]();
  }

  result(): Promise<R[]> {
    return Promise.all(this.futures.map((f) => f.result()));
  }

  then<A = R[], B = never>(onFulfilled?: ((value: R[]) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.result().then(onFulfilled, onRejected);
  }
}

/** A task's argument: the value, or a future of it (awaited before the task runs, recorded as an edge). */
export type Awaitable<T> = T | TaskFuture<T>;

const MAX_DEPTH = 4;

const isPlainObject = (x: object): boolean => {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

/**
 * Awaits the futures among a task's arguments (also inside arrays and plain objects) and names the task
 * runs they came from, per argument index: the graph's edges. Objects that earlier task runs of the flow
 * run returned count as inputs from them too (`results`), as Prefect tracks results.
 */
export async function resolveInputs(args: unknown[], results?: WeakMap<object, string>): Promise<{ args: unknown[]; inputs: TaskInputs }> {
  const inputs: TaskInputs = {};
  const resolved = await Promise.all(
    args.map(async (arg, index) => {
      const ids = new Set<string>();
      const value = await resolve(arg, ids, results, 0);
      if (ids.size) inputs[String(index)] = [...ids].map((id) => ({ input_type: "task_run" as const, id }));
      return value;
    }),
  );
  return { args: resolved, inputs };
}

async function resolve(value: unknown, ids: Set<string>, results: WeakMap<object, string> | undefined, depth: number): Promise<unknown> {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof TaskFuture) {
    ids.add(value.taskRunId);
    return value.result();
  }
  if (value instanceof TaskFutureList) {
    for (const f of value.futures) ids.add(f.taskRunId);
    return value.result();
  }
  const producer = results?.get(value);
  if (producer) ids.add(producer);
  if (producer || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    const items = await Promise.all(value.map((v) => resolve(v, ids, results, depth + 1)));
    // Arguments without futures are passed as they are, not as copies.
    return items.every((item, i) => item === value[i]) ? value : items;
  }
  if (!isPlainObject(value)) return value;
  const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v, ids, results, depth + 1)] as const));
  return entries.every(([k, v]) => v === (value as Record<string, unknown>)[k]) ? value : Object.fromEntries(entries);
}
