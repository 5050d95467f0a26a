import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Event } from "../../protocol/events";
import { createDb } from "../db/client";
import worker from "../index";
import { unique } from "../test/runs";
import { completeEvent } from "./emit";
import { DEFAULT_RETENTION_DAYS, PRUNE_BATCH, pruneExpiredEvents, retentionDays } from "./retention";
import { insertEvents } from "./store";

const db = createDb(env.DB);
const DAY = 86_400_000;

async function insertAt(times: string[]): Promise<Event[]> {
  const prefix = `test.${unique("retention")}.`;
  const list = times.map((occurred) => completeEvent({ event: "test.retention", occurred, resource: { "baton.resource.id": `${prefix}${crypto.randomUUID()}` } }, occurred));
  await insertEvents(db, list);
  return list;
}

async function remaining(list: Event[]): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))").bind(JSON.stringify(list.map((e) => e.id))).all<{ id: string }>();
  return rows.results.map((r) => r.id).sort();
}

describe("event retention", () => {
  it("reads BATON_EVENT_RETENTION_DAYS, and keeps the default with a warning for a value that is not a number of days", () => {
    const warn = vi.fn();
    expect(retentionDays(undefined, warn)).toBe(DEFAULT_RETENTION_DAYS);
    expect(retentionDays(" ", warn)).toBe(DEFAULT_RETENTION_DAYS);
    expect(retentionDays("30", warn)).toBe(30);
    expect(retentionDays(" 0.5 ", warn)).toBe(0.5);
    expect(warn).not.toHaveBeenCalled();
    for (const bad of ["seven", "0", "-3", "1e9", "Infinity", "7d"]) {
      warn.mockClear();
      expect(retentionDays(bad, warn)).toBe(DEFAULT_RETENTION_DAYS);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`BATON_EVENT_RETENTION_DAYS=${JSON.stringify(bad)}`));
    }
  });

  it("prunes events older than the retention at the clock it is given, and keeps the rest", async () => {
    // A clock in 2001: only this test's events are that old.
    const now = new Date("2001-06-30T00:00:00Z");
    const old = await insertAt(["2001-06-01T00:00:00.000Z", "2001-06-19T23:59:59.999Z"]);
    const young = await insertAt(["2001-06-20T00:00:00.001Z", "2001-06-29T00:00:00.000Z"]);
    const report = await pruneExpiredEvents({ ...env, BATON_EVENT_RETENTION_DAYS: "10" }, now);
    expect(report).toEqual({ deleted: 2, more: false, before: "2001-06-20T00:00:00.000Z" });
    expect(await remaining([...old, ...young])).toEqual(young.map((e) => e.id).sort());
  });

  it("deletes a bounded number per tick and finishes the backlog on later ticks", async () => {
    const backlog = await insertAt(Array.from({ length: PRUNE_BATCH + 3 }, (_, i) => new Date(Date.UTC(1990, 0, 1) + i).toISOString()));
    const now = new Date("1990-03-01T00:00:00Z");
    expect(await pruneExpiredEvents(env, now, 1)).toMatchObject({ deleted: PRUNE_BATCH, more: true });
    expect(await remaining(backlog)).toEqual(backlog.slice(PRUNE_BATCH).map((e) => e.id).sort());
    expect(await pruneExpiredEvents(env, now, 1)).toMatchObject({ deleted: 3, more: false });
  });

  it("is part of the cron: the scheduled handler prunes events past the default retention", async () => {
    const now = Date.now();
    const expired = await insertAt([new Date(now - (DEFAULT_RETENTION_DAYS + 1) * DAY).toISOString()]);
    const kept = await insertAt([new Date(now - (DEFAULT_RETENTION_DAYS - 1) * DAY).toISOString()]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(now), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await remaining([...expired, ...kept])).toEqual(kept.map((e) => e.id));
  });
});
