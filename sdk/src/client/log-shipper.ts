import { randomUUID } from "node:crypto";
import type { LogCreate } from "../../../protocol/logs";
import { backoffMs, HttpError, type ApiClient, type RetryPolicy } from "./http";
import { finishedWithin } from "./within";

/** One line to send; the shipper gives it a client-side id, so a batch sent twice is stored once. */
export type LogLine = Omit<LogCreate, "id" | "name" | "task_run_id"> & { name?: string; task_run_id?: string | null };

const MAX_BATCH = 1000;
const FLUSH_EVERY_MS = 250;
/** Retries go on while the server is away; flush() waits for them, close() gives up after a while. */
const BACKOFF: RetryPolicy = { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5000 };

/**
 * Batches log lines into POST /logs requests: at most one request in flight, sent every FLUSH_EVERY_MS
 * or as soon as MAX_BATCH lines wait. A batch that fails is kept and sent again with backoff (ids make
 * that safe), so lines survive a server that is slow, restarting or briefly gone.
 */
export class LogShipper {
  #queue: LogCreate[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #failures = 0;
  /** Requests made so far, for the benchmarks' request counts. */
  requests = 0;
  /** Lines the server refused as invalid (reported through onError). */
  dropped = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  push(line: LogLine): void {
    this.#queue.push({ ...line, id: randomUUID(), name: line.name ?? "baton", task_run_id: line.task_run_id ?? null });
    if (this.#queue.length >= MAX_BATCH) void this.#kick();
    else this.#timer ??= setTimeout(() => void this.#kick(), FLUSH_EVERY_MS).unref();
  }

  get pending(): number {
    return this.#queue.length;
  }

  #kick(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending ??= this.#drain().finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, MAX_BATCH);
      try {
        this.requests++;
        await this.client.post("/logs/", batch);
        this.#queue.splice(0, batch.length);
        this.#failures = 0;
      } catch (e) {
        this.onError(e);
        // A batch the server refuses as invalid would be refused forever: it is dropped, not retried.
        if (e instanceof HttpError && e.status >= 400 && e.status < 500 && e.status !== 429) {
          this.#queue.splice(0, batch.length);
          this.dropped += batch.length;
          continue;
        }
        // Not unref()ed: a script whose last work is this flush must not exit before it is done.
        await new Promise((r) => setTimeout(r, backoffMs(BACKOFF, this.#failures++)));
      }
    }
  }

  /** Sends everything pushed so far, retrying until the server takes it. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#sending) await this.#kick();
  }

  /** Flushes, but gives up after `timeoutMs` (a process that exits must not hang forever); answers lines lost. */
  async close(timeoutMs = 10_000): Promise<number> {
    return (await finishedWithin(this.flush(), timeoutMs)) ? 0 : this.#queue.length;
  }
}
