import { backoffMs, HttpError, type ApiClient, type RetryPolicy } from "./http";
import { finishedWithin } from "./within";

/** Retries go on while the server is away; flush() waits for them, close() gives up after a while. */
const BACKOFF: RetryPolicy = { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5000 };

export interface ShipperOptions<In, Out> {
  /** Where batches go: `POST <path>` with a JSON array (e.g. "/logs/", "/events"). */
  path: string;
  /** Turns what callers push into what is sent; ids are given here, so a resent batch is stored once. */
  prepare: (item: In) => Out;
  /** Items per request at most (the endpoint's own limit). */
  maxBatch: number;
  /** A request carries about this many bytes at most (an item larger than it goes alone). */
  maxBatchBytes?: number;
  /** Rough size of an item in bytes, for maxBatchBytes. */
  sizeOf?: (item: Out) => number;
  /** How long an item may wait for others to share its request. */
  flushEveryMs: number;
  /** Items kept while the server is away; past it new ones are refused and counted in `dropped`. */
  maxQueue?: number;
  /** Every failed request (the batch is kept and sent again, unless the server refused it as invalid). */
  onError?: (error: unknown) => void;
  /** Items given up: the server refused them as invalid, or the queue was full. */
  onDrop?: (count: number, reason: "invalid" | "full") => void;
  /** A batch the server took; `afterFailures` > 0 when it went through only after failed attempts. */
  onSent?: (batch: readonly Out[], afterFailures: number) => void;
  /**
   * Whether waiting to retry keeps the process alive (default true: a script whose last work is a flush
   * must not exit before it is done). False for a shipper whose owner bounds the wait at exit itself.
   */
  holdsProcess?: boolean;
}

/**
 * Batches items into POST requests of one endpoint: at most one request in flight, sent every
 * flushEveryMs or as soon as a full batch waits. A batch that fails is kept and sent again with backoff
 * (client-side ids make that safe), so items survive a server that is slow, restarting or briefly gone.
 * Logs and events both go through it.
 */
export class BatchShipper<In, Out> {
  #queue: Out[] = [];
  #sizes: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #failures = 0;
  #discarded = false;
  /** Ends a request in flight and the wait before the next attempt when the shipper is discarded. */
  readonly #stop = new AbortController();
  /** Requests made so far, for the benchmarks' request counts. */
  requests = 0;
  /** Items given up (refused as invalid by the server, or over maxQueue). */
  dropped = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly options: ShipperOptions<In, Out>,
  ) {}

  /** Queues an item; false when it was dropped because the queue is full (or the shipper was discarded). */
  push(input: In): boolean {
    if (this.#discarded) {
      this.dropped++;
      return false;
    }
    const item = this.options.prepare(input);
    if (this.#queue.length >= (this.options.maxQueue ?? Infinity)) {
      this.dropped++;
      this.options.onDrop?.(1, "full");
      return false;
    }
    this.#queue.push(item);
    this.#sizes.push(this.options.sizeOf?.(item) ?? 0);
    if (this.#queue.length >= this.options.maxBatch) void this.#kick();
    else this.#timer ??= setTimeout(() => void this.#kick(), this.options.flushEveryMs).unref();
    return true;
  }

  /** Items waiting to be sent (a batch in flight included). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Whether the last request failed (the server is away or refusing); false again after a success. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  #kick(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending ??= this.#drain().finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  /** How many items from the head make the next request. */
  #batchLength(): number {
    const maxBytes = this.options.maxBatchBytes ?? Infinity;
    let n = 0;
    let bytes = 0;
    while (n < this.#queue.length && n < this.options.maxBatch) {
      bytes += this.#sizes[n]!;
      if (n > 0 && bytes > maxBytes) break;
      n++;
    }
    return n;
  }

  #take(n: number): void {
    this.#queue.splice(0, n);
    this.#sizes.splice(0, n);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#batchLength());
      try {
        this.requests++;
        await this.client.post(this.options.path, batch, { signal: this.#stop.signal });
        this.#take(batch.length);
        const failures = this.#failures;
        this.#failures = 0;
        this.options.onSent?.(batch, failures);
      } catch (e) {
        if (this.#discarded) return;
        this.options.onError?.(e);
        // A batch the server refuses as invalid would be refused forever: it is dropped, not retried.
        if (e instanceof HttpError && e.status >= 400 && e.status < 500 && e.status !== 429) {
          this.#take(batch.length);
          this.dropped += batch.length;
          this.options.onDrop?.(batch.length, "invalid");
          continue;
        }
        this.#failures++;
        await this.#wait(backoffMs(BACKOFF, this.#failures - 1));
      }
    }
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      if (this.options.holdsProcess === false) timer.unref();
      this.#stop.signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Sends everything pushed so far, retrying until the server takes it. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#sending) await this.#kick();
  }

  /**
   * Flushes, but gives up after `timeoutMs` (a process that exits must not hang forever): then what is
   * left is discarded and retrying stops. Answers how many items were lost.
   */
  async close(timeoutMs = 10_000): Promise<number> {
    return (await finishedWithin(this.flush(), timeoutMs)) ? 0 : this.discard();
  }

  /** Forgets what waits, stops retrying and takes nothing more; answers how many items were forgotten. */
  discard(): number {
    const forgotten = this.#queue.length;
    this.#discarded = true;
    this.dropped += forgotten;
    this.#take(forgotten);
    clearTimeout(this.#timer);
    this.#stop.abort();
    return forgotten;
  }
}
