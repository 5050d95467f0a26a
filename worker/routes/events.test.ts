import { describe, expect, it } from "vitest";
import { MAX_EVENTS_PER_REQUEST } from "../../protocol/events";
import { api } from "../test/http";
import { unique } from "../test/runs";
import { openStream } from "../test/stream";

/** Events of one test: resource ids under a prefix nobody else uses. */
function scope() {
  const prefix = `test.${unique("route")}.`;
  const event = (name: string, extra: Record<string, unknown> = {}) => ({ event: name, resource: { "baton.resource.id": `${prefix}${crypto.randomUUID()}` }, ...extra });
  const filter = (body: Record<string, unknown> = {}) => api("POST", "/events/filter", { ...body, resource: { id_prefix: [prefix], ...(body.resource as object) } });
  return { prefix, event, filter };
}

describe("POST /api/events", () => {
  it("stores a batch and answers 202 with the ids in order, keeping the ids clients chose", async () => {
    const { event, filter } = scope();
    const own = crypto.randomUUID();
    const res = await api("POST", "/events", [event("app.a", { payload: { n: 1 } }), event("app.b", { id: own, occurred: "2030-05-01T10:00:00+02:00" })]);
    expect(res.status).toBe(202);
    expect(res.body.ids).toHaveLength(2);
    expect(res.body.ids[1]).toBe(own);
    // Newest first: the event dated 2030 before the one that happened now.
    const stored = (await filter()).body.events;
    expect(stored.map((e: { id: string }) => e.id)).toEqual([own, res.body.ids[0]]);
    expect(stored[0]).toMatchObject({ event: "app.b", occurred: "2030-05-01T08:00:00.000Z", related: [], payload: {} });
    expect(stored[1]).toMatchObject({ event: "app.a", payload: { n: 1 }, received: expect.any(String) });
    expect(stored[1].occurred).toBe(stored[1].received);
  });

  it("stores a resent batch (same ids and times) once", async () => {
    const { event, filter } = scope();
    const batch = [event("app.resent", { id: crypto.randomUUID(), occurred: "2030-05-02T00:00:00Z" }), event("app.resent", { id: crypto.randomUUID(), occurred: "2030-05-02T00:00:01Z" })];
    const first = await api("POST", "/events", batch);
    const again = await api("POST", "/events", batch);
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body.ids).toEqual(first.body.ids);
    expect((await filter()).body.events).toHaveLength(2);
  });

  it("refuses a batch with one bad event with 422 naming it, and stores none of it", async () => {
    const { event, filter } = scope();
    const cases: [unknown, RegExp][] = [
      [[event("app.ok"), { event: "app.bad", resource: {} }], /body\.1\.resource: must have a "baton\.resource\.id" label/],
      [[event("app.ok"), event("has space")], /body\.1\.event: must not contain spaces/],
      [[event("app.ok"), event("app.ok", { related: [{ "baton.resource.id": "x" }] })], /body\.1\.related\.0: must have a "baton\.resource\.role" label/],
      [[event("app.ok"), event("app.ok", { occurred: "yesterday" })], /body\.1\.occurred/],
      [[event("app.ok"), event("app.ok", { id: "not-a-uuid" })], /body\.1\.id: must be a UUID/],
      [[event("app.ok"), event("app.ok", { payload: [1, 2] })], /body\.1\.payload: must be a JSON object/],
      [[event("app.ok"), event("app.ok", { payload: { blob: "x".repeat(200_000) }, resource: { "baton.resource.id": "r", big: "y".repeat(1000) }, related: Array.from({ length: 50 }, (_, i) => ({ "baton.resource.id": `r${i}`, "baton.resource.role": "x", ...Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`l${j}`, "z".repeat(200)])) })) })], /body\.1: event is \d+ bytes of JSON, at most 524288; no event was stored/],
      [[], /send at least one event/],
      [Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => event("app.ok")), /at most 500 events per request/],
      [event("app.ok"), /must be a JSON array/],
    ];
    for (const [body, message] of cases) {
      const res = await api("POST", "/events", body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.detail).toMatch(message);
      expect(res.body.errors?.length ?? 1).toBeGreaterThan(0);
    }
    expect((await api("POST", "/events", "[{")).status).toBe(400);
    expect((await filter()).body.events).toEqual([]);
  });
});

describe("POST /api/events/filter", () => {
  it("filters by name prefix and name, resource labels, related resource and time range", async () => {
    const { prefix, event, filter } = scope();
    const dep = { "baton.resource.id": `baton.deployment.${crypto.randomUUID()}`, "baton.resource.role": "deployment" };
    const res = await api("POST", "/events", [
      event("file.created", { occurred: "2030-06-01T00:00:00Z", resource: { "baton.resource.id": `${prefix}a.csv`, dir: "/in" } }),
      event("file.deleted", { occurred: "2030-06-02T00:00:00Z", resource: { "baton.resource.id": `${prefix}b.csv`, dir: "/out" }, related: [dep] }),
      event("webhook.received", { occurred: "2030-06-03T00:00:00Z", related: [dep] }),
    ]);
    const [a, b, c] = res.body.ids;
    const ids = async (body: Record<string, unknown>) => {
      const r = await filter(body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.events.map((e: { id: string }) => e.id);
    };
    expect(await ids({})).toEqual([c, b, a]);
    expect(await ids({ event: { prefix: ["file."] } })).toEqual([b, a]);
    expect(await ids({ event: { name: ["webhook.received"] } })).toEqual([c]);
    expect(await ids({ resource: { id: [`${prefix}a.csv`] } })).toEqual([a]);
    expect(await ids({ resource: { labels: { dir: "/out" } } })).toEqual([b]);
    expect(await ids({ related: { id: [dep["baton.resource.id"]] } })).toEqual([c, b]);
    expect(await ids({ occurred: { since: "2030-06-01T12:00:00Z", until: "2030-06-02T12:00:00Z" } })).toEqual([b]);
  });

  it("pages through more events than a page holds, newest first, without gaps or repeats", async () => {
    const { event, filter } = scope();
    const sent: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      // Many events share a millisecond: the id orders them within it.
      const res = await api("POST", "/events", Array.from({ length: 100 }, (_, i) => event("app.page", { occurred: `2030-07-01T00:00:0${batch}.${String(i % 10).padStart(3, "0")}Z` })));
      sent.push(...res.body.ids);
    }
    const seen: string[] = [];
    const times: string[] = [];
    let next_page: string | undefined;
    let pages = 0;
    do {
      const res = await filter({ limit: 70, ...(next_page ? { next_page } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.events.map((e: { id: string }) => e.id));
      times.push(...res.body.events.map((e: { occurred: string }) => e.occurred));
      next_page = res.body.next_page ?? undefined;
      pages++;
    } while (next_page);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(300);
    expect(new Set(seen)).toEqual(new Set(sent));
    expect(times).toEqual([...times].sort().reverse());
  });

  it("refuses a bad filter or page token with 422", async () => {
    const bad: [unknown, RegExp][] = [
      [{ next_page: "garbage!" }, /next_page: not a page token/],
      [{ limit: 501 }, /limit: must be at most 500/],
      [{ limit: 0 }, /limit/],
      [{ occurred: { since: "soon" } }, /occurred\.since/],
      [{ event: { prefix: "baton." } }, /event\.prefix/],
      [[], /must be a JSON object/],
    ];
    for (const [body, message] of bad) {
      const res = await api("POST", "/events/filter", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.detail).toMatch(message);
    }
  });
});

describe("events on the live stream", () => {
  it("go to subscribers of the events topic as they are stored, and only to them", async () => {
    const { event } = scope();
    const s = await openStream();
    await s.subscribe(["events"]);
    const other = await openStream();
    await other.subscribe(["flow_runs"]);
    const res = await api("POST", "/events", [event("app.live", { payload: { n: 1 } }), event("app.live", { payload: { n: 2 } })]);
    for (const id of res.body.ids) {
      const msg = await s.next("event", (m) => m.event.id === id);
      expect(msg.event).toMatchObject({ event: "app.live", related: [], received: expect.any(String) });
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(other.received.filter((m) => m.type === "event")).toEqual([]);
    s.close();
    other.close();
  });
});
