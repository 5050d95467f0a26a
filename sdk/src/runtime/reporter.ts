import type * as v from "valibot";
import type { OrchestrationResult, StateCreate } from "../../../protocol/states";
import type { TaskRunBulk, TaskRunBulkResult, TaskRunCreate } from "../../../protocol/task-runs";
import { backoffMs, HttpError, UnreachableError, type ApiClient, type RetryPolicy } from "../client/http";
import { finishedWithin } from "../client/within";

/** Bodies as sent (the schemas' input types: defaults left to the server), ids chosen here. */
export type TaskRunCreateBody = v.InferInput<typeof TaskRunCreate> & { id: string };
export type StateBody = v.InferInput<typeof StateCreate>;

type CreateItem = { kind: "create"; body: TaskRunCreateBody };
type StateItem = { kind: "state"; task_run_id: string; state: StateBody; answer?: (result: OrchestrationResult | null) => void };
type Item = CreateItem | StateItem;

/** Per request, as the server allows. */
const MAX_ITEMS = 500;
const FLUSH_EVERY_MS = 100;
const BACKOFF: RetryPolicy = { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5000 };

const retriable = (e: unknown) => e instanceof UnreachableError || (e instanceof HttpError && (e.status >= 500 || e.status === 429));

/**
 * Sends task-run creations and state changes in POST /task_runs/bulk requests: at most one in flight,
 * every FLUSH_EVERY_MS or as soon as a request's worth waits, in the order they were made (the server
 * applies a request's creates before its state changes, so a run is always created before it moves).
 * A task that ends before its creation went out is created in its final state (with the time it started):
 * one row write instead of three. A request that fails for a server that is away or overloaded is sent
 * again with backoff; client-side ids make resends harmless.
 */
export class TaskRunReporter {
  #queue: Item[] = [];
  /** Creates still queued, by task run id: a final state can be folded into them. */
  #unsent = new Map<string, CreateItem>();
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #failures = 0;
  /** Requests made so far. */
  requests = 0;

  constructor(
    private readonly client: ApiClient,
    /** Told of failed requests (retried) and of items the server refused (dropped). */
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  create(body: TaskRunCreateBody): void {
    const item: CreateItem = { kind: "create", body };
    this.#unsent.set(body.id, item);
    this.#push(item);
  }

  /**
   * Reports a state nobody waits the answer of (a run's end), folded into the run's creation when it can.
   * Folded over a RUNNING creation, the time it started goes along, so the run keeps its start and run time.
   */
  finish(taskRunId: string, state: StateBody): void {
    const unsent = this.#unsent.get(taskRunId);
    if (!unsent) return this.#push({ kind: "state", task_run_id: taskRunId, state });
    const started = unsent.body.state;
    if (started?.type === "RUNNING" && started.timestamp) unsent.body.start_time = started.timestamp;
    unsent.body.state = state;
  }

  /** Proposes a state and answers the server's decision (null when the server refused the item). */
  propose(taskRunId: string, state: StateBody): Promise<OrchestrationResult | null> {
    this.#unsent.delete(taskRunId);
    return new Promise((answer) => {
      this.#push({ kind: "state", task_run_id: taskRunId, state, answer });
      void this.#kick();
    });
  }

  get pending(): number {
    return this.#queue.length;
  }

  #push(item: Item): void {
    this.#queue.push(item);
    if (this.#queue.length >= MAX_ITEMS) void this.#kick();
    else this.#timer ??= setTimeout(() => void this.#kick(), FLUSH_EVERY_MS).unref();
  }

  #kick(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending ??= this.#drain().finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  /** The longest prefix of the queue that fits one request. */
  #nextBatch(): Item[] {
    let creates = 0;
    let states = 0;
    let n = 0;
    for (const item of this.#queue) {
      if (item.kind === "create" ? creates === MAX_ITEMS : states === MAX_ITEMS) break;
      if (item.kind === "create") creates++;
      else states++;
      n++;
    }
    return this.#queue.slice(0, n);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#nextBatch();
      // From here on the creates are fixed: a final state reported meanwhile goes as a state change.
      for (const item of batch) if (item.kind === "create") this.#unsent.delete(item.body.id);
      const creates = batch.filter((i): i is CreateItem => i.kind === "create");
      const states = batch.filter((i): i is StateItem => i.kind === "state");
      const body = { create: creates.map((i) => i.body), set_state: states.map((i) => ({ task_run_id: i.task_run_id, state: i.state })) };
      try {
        this.requests++;
        const result = await this.client.post<TaskRunBulkResult>("/task_runs/bulk", body satisfies v.InferInput<typeof TaskRunBulk>);
        this.#queue.splice(0, batch.length);
        this.#failures = 0;
        this.#settle(creates, states, result);
      } catch (e) {
        this.onError(e);
        if (!retriable(e)) {
          // The server refused the request as a whole: sending it again would be refused again.
          this.#queue.splice(0, batch.length);
          for (const s of states) s.answer?.(null);
          continue;
        }
        await new Promise((r) => setTimeout(r, backoffMs(BACKOFF, this.#failures++)).unref());
      }
    }
  }

  #settle(creates: CreateItem[], states: StateItem[], result: TaskRunBulkResult): void {
    result.create.forEach((outcome, i) => {
      const { body } = creates[i]!;
      if (outcome.status >= 300) this.onError(new Error(`task run ${body.name} was not recorded: ${outcome.detail}`));
      else if (outcome.task_run?.id !== body.id) this.onError(new Error(`task run ${body.name}: the server already had a run of that key`));
    });
    result.set_state.forEach((outcome, i) => {
      const item = states[i]!;
      if (outcome.status >= 300) this.onError(new Error(`a state of task run ${item.task_run_id} was not recorded: ${outcome.detail}`));
      item.answer?.(outcome.result);
    });
  }

  /** Sends everything reported so far, retrying until the server takes it. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#sending) await this.#kick();
  }

  /** Flushes, giving up after `timeoutMs`; answers how many reports were lost. */
  async close(timeoutMs = 10_000): Promise<number> {
    if (await finishedWithin(this.flush(), timeoutMs)) return 0;
    const lost = this.#queue.splice(0);
    for (const item of lost) if (item.kind === "state") item.answer?.(null);
    return lost.length;
  }
}
