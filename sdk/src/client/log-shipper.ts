import { uuidv7 } from "uuidv7";
import type { LogCreate } from "../../../protocol/logs";
import type { ApiClient } from "./http";
import { BatchShipper } from "./shipper";

/**
 * One line to send; the shipper gives it a client-side id, so a batch sent twice is stored once. The id is a
 * monotonic UUIDv7: the server orders lines by (timestamp, id), so lines of one millisecond read back in the
 * order they were pushed. Every line of this process (logger, console capture, a worker's child output) gets
 * its id here.
 */
export type LogLine = Omit<LogCreate, "id" | "name" | "task_run_id"> & { name?: string; task_run_id?: string | null };

/** LogBatch's limit; 1,000 lines of the longest kind would pass the API's 4 MB body limit, hence the byte budget. */
const MAX_BATCH = 1000;
const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** A line's fields other than its message, in JSON, roughly. */
const LINE_OVERHEAD = 200;

/** Batches log lines into POST /logs requests (see BatchShipper: retried with backoff, resent with the same ids). */
export class LogShipper extends BatchShipper<LogLine, LogCreate> {
  constructor(client: ApiClient, onError: (error: unknown) => void = () => {}) {
    super(client, {
      path: "/logs/",
      prepare: (line) => ({ ...line, id: uuidv7(), name: line.name ?? "baton", task_run_id: line.task_run_id ?? null }),
      maxBatch: MAX_BATCH,
      maxBatchBytes: MAX_BATCH_BYTES,
      // Escapes in JSON can add a little; the budget stays at half the limit for them.
      sizeOf: (line) => Buffer.byteLength(line.message) + LINE_OVERHEAD,
      flushEveryMs: 250,
      onError,
    });
  }
}
