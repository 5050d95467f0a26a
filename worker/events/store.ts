import { and, asc, desc, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { RESOURCE_ID, type Event, type EventFilter, type EventPage } from "../../protocol/events";
import type { Db } from "../db/client";
import { events } from "../db/schema";
import { inValues } from "../db/sql";
import { utcTime } from "../orchestration";
import { encodePageToken, type PageKey } from "./page-token";

/*
 * The events table (worker/db/schema.ts): primary key (occurred, id), WITHOUT ROWID, no other index, so
 * an event costs one row write, reads walk the key newest first and pruning deletes a key range.
 */

/**
 * Bytes of event JSON per INSERT: the whole chunk is ONE bound parameter (D1 binds at most 100 per
 * statement, and a row per placeholder set would allow 12 events), and D1 refuses strings over 2 MB.
 */
const CHUNK_BYTES = 900_000;
const encoder = new TextEncoder();

/** Splits events (as JSON texts) into chunks under CHUNK_BYTES; an event bigger than that goes alone. */
export function chunkEventJson(texts: readonly string[], maxBytes = CHUNK_BYTES): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const text of texts) {
    const size = encoder.encode(text).length + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      bytes = 0;
    }
    current.push(text);
    bytes += size;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

const INSERT = `INSERT OR IGNORE INTO events (occurred, id, received, event, resource_id, resource, related, payload)
  SELECT json_extract(value, '$.occurred'), json_extract(value, '$.id'), json_extract(value, '$.received'),
    json_extract(value, '$.event'), json_extract(value, '$.resource."${RESOURCE_ID}"'),
    json_extract(value, '$.resource'), json_extract(value, '$.related'), json_extract(value, '$.payload')
  FROM json_each(?1)`;

/**
 * Stores the events all-or-nothing (one D1 batch of one statement per chunk). An event already stored
 * (same occurred and id: a resent batch) is skipped. Times must be `toISOString()` text (emit.ts makes
 * them so): the key sorts as text. Answers the rows D1 wrote.
 */
export async function insertEvents(db: Db, list: readonly Event[]): Promise<number> {
  if (list.length === 0) return 0;
  const d1 = db.$client;
  const statements = chunkEventJson(list.map((e) => JSON.stringify(e))).map((json) => d1.prepare(INSERT).bind(json));
  const results = await d1.batch(statements);
  return results.reduce((sum, r) => sum + (r.meta.rows_written ?? 0), 0);
}

/** Keys strictly below `key` in (occurred, id) order, written so SQLite walks the primary key from there. */
const belowKey = (key: PageKey): SQL => and(lte(events.occurred, key.occurred), or(lt(events.occurred, key.occurred), lt(events.id, key.id)))!;

/** Some element of `list` (a JSON array of strings) is a prefix of `column`. One bound parameter. */
const startsWithAny = (column: SQL.Aliased | typeof events.event | typeof events.resource_id, list: readonly string[]): SQL =>
  sql`EXISTS (SELECT 1 FROM json_each(${JSON.stringify(list)}) AS p WHERE substr(${column}, 1, length(p.value)) = p.value)`;

/** The WHERE of a filter, without its page position. */
export function eventConditions(f: Omit<EventFilter, "limit" | "next_page">): SQL[] {
  const where: SQL[] = [];
  if (f.event?.prefix) where.push(startsWithAny(events.event, f.event.prefix));
  if (f.event?.name) where.push(inValues(events.event, f.event.name));
  const r = f.resource;
  if (r?.id) where.push(inValues(events.resource_id, r.id));
  if (r?.id_prefix) where.push(startsWithAny(events.resource_id, r.id_prefix));
  const labels = Object.entries(r?.labels ?? {});
  if (labels.length > 0) {
    // Every label given, equal: counted in one join, whatever the keys' characters (no JSON path to quote).
    where.push(sql`(SELECT count(*) FROM json_each(${events.resource}) AS l JOIN json_each(${JSON.stringify(Object.fromEntries(labels))}) AS w
      ON l.key = w.key AND l.value = w.value) = ${labels.length}`);
  }
  if (f.related?.id) {
    where.push(sql`EXISTS (SELECT 1 FROM json_each(${events.related}) AS r
      WHERE json_extract(r.value, ${`$."${RESOURCE_ID}"`}) IN (SELECT value FROM json_each(${JSON.stringify(f.related.id)})))`);
  }
  if (f.occurred?.since) where.push(gte(events.occurred, utcTime(f.occurred.since)));
  if (f.occurred?.until) where.push(lte(events.occurred, utcTime(f.occurred.until)));
  return where;
}

/** The filter as a query, kept apart so tests can check its plan. */
export function eventsQuery(db: Db, f: Omit<EventFilter, "next_page">, after: PageKey | null) {
  const where = eventConditions(f);
  if (after) where.push(belowKey(after));
  return db
    .select({
      id: events.id,
      occurred: events.occurred,
      received: events.received,
      event: events.event,
      resource: events.resource,
      related: events.related,
      payload: events.payload,
    })
    .from(events)
    .where(and(...where))
    .orderBy(desc(events.occurred), desc(events.id))
    .limit(f.limit + 1);
}

/** Newest first; `after` is the decoded `next_page` of the previous answer. */
export async function filterEvents(db: Db, f: Omit<EventFilter, "next_page">, after: PageKey | null): Promise<EventPage> {
  const rows: Event[] = await eventsQuery(db, f, after);
  const more = rows.length > f.limit;
  const page = more ? rows.slice(0, f.limit) : rows;
  const last = page[page.length - 1];
  return { events: page, next_page: more && last ? encodePageToken(last) : null };
}

/**
 * Deletes at most `max` events older than `before` (oldest first), as one key-range delete bounded by
 * the first key it keeps. Answers how many went and whether older ones remain.
 */
export async function pruneEvents(db: Db, before: Date, max: number): Promise<{ deleted: number; more: boolean }> {
  const cut = before.toISOString();
  const kept = await db
    .select({ occurred: events.occurred, id: events.id })
    .from(events)
    .where(lt(events.occurred, cut))
    .orderBy(asc(events.occurred), asc(events.id))
    .limit(1)
    .offset(max)
    .get();
  const result = await db.delete(events).where(and(lt(events.occurred, cut), kept ? belowKey(kept) : undefined));
  return { deleted: result.meta.changes ?? 0, more: kept !== undefined };
}
