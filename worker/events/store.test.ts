import { env } from "cloudflare:test";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { EventFilter, type Event } from "../../protocol/events";
import { createDb } from "../db/client";
import { unique } from "../test/runs";
import { completeEvent } from "./emit";
import { decodePageToken } from "./page-token";
import { chunkEventJson, eventsQuery, filterEvents, insertEvents, pruneEvents } from "./store";

const db = createDb(env.DB);

/** Events of one test: a resource id prefix nobody else uses. */
function scope() {
  const prefix = `test.${unique("store")}.`;
  const make = (name: string, occurred: string, extra: Partial<Event> = {}): Event =>
    completeEvent({ event: name, occurred, resource: { "baton.resource.id": `${prefix}${extra.id ?? crypto.randomUUID()}` }, ...extra }, new Date().toISOString());
  const read = async (filter: Record<string, unknown> = {}, after: string | null = null) =>
    filterEvents(db, v.parse(EventFilter, { limit: 500, ...filter, resource: { id_prefix: [prefix], ...(filter.resource as object) } }), after ? decodePageToken(after) : null);
  return { prefix, make, read };
}

describe("the events store", () => {
  it("stores a batch with one row write per event, and a resent event once", async () => {
    const { make, read } = scope();
    const batch = Array.from({ length: 30 }, (_, i) => make("test.stored", `2030-01-01T00:00:${String(i).padStart(2, "0")}.000Z`, { payload: { i, text: "é".repeat(10) } }));
    expect(await insertEvents(db, batch)).toBe(30);
    expect(await insertEvents(db, [...batch.slice(0, 10), make("test.stored", "2030-01-01T00:01:00.000Z")])).toBe(1);
    expect(await insertEvents(db, [])).toBe(0);
    const { events } = await read();
    expect(events).toHaveLength(31);
    const tenth = events.find((e) => e.id === batch[10]!.id);
    expect(tenth).toEqual(batch[10]);
  });

  it("splits a large batch into statements under D1's string limit (one D1 batch: all stored or none)", async () => {
    const texts = ["a".repeat(400), "b".repeat(400), "c".repeat(400), "d".repeat(2000)];
    expect(chunkEventJson(texts, 1000).map((c) => JSON.parse(c.replace(/([a-d]+)/g, '"$1"')).length)).toEqual([2, 1, 1]);

    const { make, read } = scope();
    const big = { blob: "x".repeat(200_000) };
    const batch = Array.from({ length: 12 }, (_, i) => make("test.big", `2030-01-02T00:00:${String(i).padStart(2, "0")}.000Z`, { payload: big }));
    expect(chunkEventJson(batch.map((e) => JSON.stringify(e)))).toHaveLength(3);
    expect(await insertEvents(db, batch)).toBe(12);
    expect((await read()).events).toEqual([...batch].reverse());

  });

  it("filters by name prefix, exact name, resource id and labels, related resource and time", async () => {
    const { prefix, make, read } = scope();
    const dep = `baton.deployment.${crypto.randomUUID()}`;
    const related = [{ "baton.resource.id": dep, "baton.resource.role": "deployment" }];
    const a = make("app.order.created", "2030-02-01T00:00:00.000Z", { id: "a", resource: { "baton.resource.id": `${prefix}a`, team: "red", "odd.key\"x": "1" } });
    const b = make("app.order.shipped", "2030-02-02T00:00:00.000Z", { id: "b", resource: { "baton.resource.id": `${prefix}b`, team: "blue" }, related });
    const c = make("app.invoice.sent", "2030-02-03T00:00:00.000Z", { id: "c", resource: { "baton.resource.id": `${prefix}c`, team: "red" }, related });
    await insertEvents(db, [a, b, c]);
    const ids = async (f: Record<string, unknown>) => (await read(f)).events.map((e) => e.id);

    expect(await ids({})).toEqual([c.id, b.id, a.id]);
    expect(await ids({ event: { prefix: ["app.order."] } })).toEqual([b.id, a.id]);
    expect(await ids({ event: { prefix: ["app.invoice", "app.order.c"] } })).toEqual([c.id, a.id]);
    expect(await ids({ event: { name: ["app.order.shipped", "nope"] } })).toEqual([b.id]);
    expect(await ids({ event: { prefix: [] } })).toEqual([]);
    expect(await ids({ resource: { id: [`${prefix}a`, `${prefix}c`] } })).toEqual([c.id, a.id]);
    expect(await ids({ resource: { labels: { team: "red" } } })).toEqual([c.id, a.id]);
    expect(await ids({ resource: { labels: { team: "red", "odd.key\"x": "1" } } })).toEqual([a.id]);
    expect(await ids({ resource: { labels: { team: "green" } } })).toEqual([]);
    expect(await ids({ related: { id: [dep] } })).toEqual([c.id, b.id]);
    expect(await ids({ related: { id: ["baton.deployment.other"] } })).toEqual([]);
    expect(await ids({ occurred: { since: "2030-02-02T00:00:00Z", until: "2030-02-03T00:00:00+01:00" } })).toEqual([b.id]);
    expect(await ids({ occurred: { since: "2030-02-01T12:00:00Z" }, event: { prefix: ["app.order"] }, related: { id: [dep] } })).toEqual([b.id]);
  });

  it("pages newest first through ties in time, without gaps or repeats, also while newer events arrive", async () => {
    const { make, read } = scope();
    // Three events per millisecond: the id breaks the tie.
    const batch = Array.from({ length: 120 }, (_, i) => make("test.page", `2030-03-01T00:00:00.${String(Math.floor(i / 3)).padStart(3, "0")}Z`));
    await insertEvents(db, batch);
    const expected = [...batch].sort((x, y) => (x.occurred === y.occurred ? (x.id < y.id ? 1 : -1) : x.occurred < y.occurred ? 1 : -1)).map((e) => e.id);

    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof read>> = await read({ limit: 25 }, token);
      seen.push(...page.events.map((e) => e.id));
      token = page.next_page;
      pages++;
      if (pages === 2) await insertEvents(db, [make("test.page", "2030-03-02T00:00:00.000Z")]);
    } while (token);
    expect(pages).toBe(5);
    expect(seen).toEqual(expected);
  });

  it("walks the primary key in order: no sort, whatever the filter", async () => {
    const f = v.parse(EventFilter, { event: { prefix: ["baton.flow-run."] }, related: { id: ["baton.deployment.x"] }, resource: { labels: { a: "b" } }, occurred: { since: "2030-01-01T00:00:00Z" } });
    const query = eventsQuery(db, f, { occurred: "2031-01-01T00:00:00.000Z", id: "z" }).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).bind(...query.params).all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join("\n");
    expect(details).toMatch(/SEARCH events USING PRIMARY KEY \(occurred>\? AND occurred<\?\)/);
    expect(details).not.toMatch(/TEMP B-TREE/);
  });

  it("prunes a bounded number of the oldest events per call, then the rest", async () => {
    const { make, read } = scope();
    // Old events only this test has (year 2001): older than any other test's, so pruning before 2001-02 touches only them.
    const old = Array.from({ length: 7 }, (_, i) => make("test.old", `2001-01-01T00:00:0${i}.000Z`));
    const tied = Array.from({ length: 4 }, () => make("test.old", "2001-01-02T00:00:00.000Z"));
    const kept = make("test.old", "2001-03-01T00:00:00.000Z");
    await insertEvents(db, [...old, ...tied, kept]);
    const before = new Date("2001-02-01T00:00:00Z");

    expect(await pruneEvents(db, before, 5)).toEqual({ deleted: 5, more: true });
    expect((await read()).events.map((e) => e.id).sort()).toEqual([...old.slice(5), ...tied, kept].map((e) => e.id).sort());
    // Four events of the same millisecond are split by the bound too: the id orders them.
    expect(await pruneEvents(db, before, 4)).toEqual({ deleted: 4, more: true });
    expect(await pruneEvents(db, before, 4)).toEqual({ deleted: 2, more: false });
    expect((await read()).events.map((e) => e.id)).toEqual([kept.id]);
    expect(await pruneEvents(db, before, 4)).toEqual({ deleted: 0, more: false });
  });
});
