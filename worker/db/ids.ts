import { uuidv7 } from "uuidv7";

/** Server-side ids and timestamps in the one format the schema relies on (see schema.ts). */
export const newId = (): string => crypto.randomUUID();
/**
 * A log line's id: a monotonic UUIDv7 (RFC 9562), so lines of the same millisecond sort in the order the
 * ids were made. The logs' primary key and reads order by (timestamp, id); random ids scrambled such lines.
 */
export const newLogId = (): string => uuidv7();
export const isoNow = (now: Date = new Date()): string => now.toISOString();
