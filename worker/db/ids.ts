/** Server-side ids and timestamps in the one format the schema relies on (see schema.ts). */
export const newId = (): string => crypto.randomUUID();
export const isoNow = (now: Date = new Date()): string => now.toISOString();
