import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import { filterWorkers, recordHeartbeat } from "../db/workers";
import { api } from "../test/http";

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

async function createPool() {
  const name = unique("pool");
  const res = await api("POST", "/work_pools/", { name });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string };
}

const beat = (pool: string, body: unknown) => api("POST", `/work_pools/${pool}/workers/heartbeat`, body);
const list = async (pool: string, body: unknown = {}) => {
  const res = await api("POST", `/work_pools/${pool}/workers/filter`, body);
  expect(res.status).toBe(200);
  return res.body as { name: string; status: string; last_heartbeat_time: string; metadata: unknown }[];
};
const workerRows = async (poolId: string) =>
  (await env.DB.prepare("SELECT * FROM workers WHERE work_pool_id = ? ORDER BY name").bind(poolId).all()).results;

async function setHeartbeat(poolId: string, worker: string, time: string) {
  await env.DB.prepare("UPDATE workers SET last_heartbeat_time = ? WHERE work_pool_id = ? AND name = ?").bind(time, poolId, worker).run();
}

describe("POST /api/work_pools/{name}/workers/heartbeat", () => {
  it("creates the worker on its first beat and moves its heartbeat on later ones (204)", async () => {
    const pool = await createPool();
    expect((await beat(pool.name, { name: "w1", heartbeat_interval_seconds: 5, metadata: { host: "a" } })).status).toBe(204);
    const [first] = await list(pool.name);
    expect(first).toMatchObject({ name: "w1", status: "ONLINE", heartbeat_interval_seconds: 5, work_pool_id: pool.id, metadata: { host: "a" } });
    await setHeartbeat(pool.id, "w1", "2020-01-01T00:00:00.000Z");
    expect((await beat(pool.name, { name: "w1", heartbeat_interval_seconds: 5 })).status).toBe(204);
    const [again] = await list(pool.name);
    expect(again!.last_heartbeat_time > "2020-01-01T00:00:00.000Z").toBe(true);
    expect(again).toMatchObject({ status: "ONLINE", metadata: { host: "a" } });
    expect(await workerRows(pool.id)).toHaveLength(1);
  });

  it("replaces the metadata when a beat sends it", async () => {
    const pool = await createPool();
    await beat(pool.name, { name: "w", metadata: { v: 1 } });
    await beat(pool.name, { name: "w", metadata: { v: 2 } });
    expect((await list(pool.name))[0]!.metadata).toEqual({ v: 2 });
  });

  it("writes one row per later beat, touching no index", async () => {
    const pool = await createPool();
    const db = createDb(env.DB);
    // The first beat writes the row and its two index entries (the text primary key's and (pool, name));
    // later beats only the row.
    expect(await recordHeartbeat(db, pool.name, { name: "w", heartbeat_interval_seconds: 10 })).toBe(3);
    expect(await recordHeartbeat(db, pool.name, { name: "w", heartbeat_interval_seconds: 10 })).toBe(1);
    expect(await recordHeartbeat(db, pool.name, { name: "w", heartbeat_interval_seconds: 10, metadata: { a: 1 } })).toBe(1);
  });

  it("keeps one worker when its first beats race", async () => {
    const pool = await createPool();
    const answers = await Promise.all(Array.from({ length: 8 }, () => beat(pool.name, { name: "racer" })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(204));
    expect(await workerRows(pool.id)).toHaveLength(1);
  });

  it("answers 404 for an unknown pool and creates nothing", async () => {
    const name = unique("ghost");
    expect(await beat(name, { name: "w" })).toMatchObject({ status: 404, body: { detail: `work pool "${name}" not found` } });
    const n = await env.DB.prepare("SELECT count(*) AS n FROM workers WHERE name = 'w' AND work_pool_id NOT IN (SELECT id FROM work_pools)").first();
    expect(n).toEqual({ n: 0 });
  });

  it.each([
    [{}, "body.name"],
    [{ name: "a/b" }, "body.name"],
    [{ name: "w", heartbeat_interval_seconds: 0 }, "body.heartbeat_interval_seconds"],
    [{ name: "w", metadata: "x" }, "body.metadata"],
  ])("answers 422 for %j and writes nothing", async (body, path) => {
    const pool = await createPool();
    const res = await beat(pool.name, body);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await workerRows(pool.id)).toHaveLength(0);
  });
});

describe("POST /api/work_pools/{name}/workers/filter", () => {
  it("derives status from the heartbeat and filters on it", async () => {
    const pool = await createPool();
    await beat(pool.name, { name: "alive" });
    await beat(pool.name, { name: "gone" });
    await setHeartbeat(pool.id, "gone", new Date(Date.now() - 31_000).toISOString());
    const names = (ws: { name: string }[]) => ws.map((w) => w.name);
    expect((await list(pool.name)).map((w) => [w.name, w.status])).toEqual([
      ["alive", "ONLINE"],
      ["gone", "OFFLINE"],
    ]);
    expect(names(await list(pool.name, { workers: { status: { any_: ["ONLINE"] } } }))).toEqual(["alive"]);
    expect(names(await list(pool.name, { workers: { status: { any_: ["OFFLINE"] } } }))).toEqual(["gone"]);
    expect(names(await list(pool.name, { workers: { status: { any_: ["OFFLINE", "ONLINE"] } } }))).toEqual(["alive", "gone"]);
    expect(names(await list(pool.name, { workers: { status: { any_: [] } } }))).toEqual([]);
    expect(names(await list(pool.name, { limit: 1, offset: 1 }))).toEqual(["gone"]);
  });

  it("agrees with worker/liveness.ts at the exact deadline (SQL filter and derived status)", async () => {
    const pool = await createPool();
    await beat(pool.name, { name: "edge", heartbeat_interval_seconds: 7 });
    const last = "2025-06-01T10:00:00.250Z";
    await setHeartbeat(pool.id, "edge", last);
    const db = createDb(env.DB);
    const atDeadline = new Date(Date.parse(last) + 21_000);
    const justAfter = new Date(atDeadline.getTime() + 1);
    for (const [now, expected] of [[atDeadline, "ONLINE"], [justAfter, "OFFLINE"]] as const) {
      const all = await filterWorkers(db, pool.name, { limit: 10, offset: 0 }, now);
      expect(all?.map((w) => w.status)).toEqual([expected]);
      const matching = await filterWorkers(db, pool.name, { workers: { status: { any_: [expected] } }, limit: 10, offset: 0 }, now);
      expect(matching).toHaveLength(1);
    }
  });

  it("answers 404 for an unknown pool, 422 for an unknown status or filter field", async () => {
    expect(await api("POST", "/work_pools/ghost/workers/filter", {})).toMatchObject({
      status: 404,
      body: { detail: 'work pool "ghost" not found' },
    });
    const pool = await createPool();
    const bad = await api("POST", `/work_pools/${pool.name}/workers/filter`, { workers: { status: { any_: ["ASLEEP"] } } });
    expect(bad.status).toBe(422);
    const unknownField = await api("POST", `/work_pools/${pool.name}/workers/filter`, { workers: { last_heartbeat_time: {} } });
    expect(unknownField.status).toBe(422);
  });
});

describe("DELETE /api/work_pools/{name}/workers/{worker_name}", () => {
  it("deletes the worker (204) and only that one", async () => {
    const pool = await createPool();
    await beat(pool.name, { name: "keep" });
    await beat(pool.name, { name: "drop" });
    expect((await api("DELETE", `/work_pools/${pool.name}/workers/drop`)).status).toBe(204);
    expect((await list(pool.name)).map((w) => w.name)).toEqual(["keep"]);
  });

  it("answers 404 naming what is missing, and deletes nothing", async () => {
    const pool = await createPool();
    await beat(pool.name, { name: "keep" });
    expect(await api("DELETE", `/work_pools/${pool.name}/workers/nobody`)).toMatchObject({
      status: 404,
      body: { detail: `worker "nobody" not found in work pool "${pool.name}"` },
    });
    expect(await api("DELETE", "/work_pools/ghost/workers/keep")).toMatchObject({
      status: 404,
      body: { detail: 'work pool "ghost" not found' },
    });
    expect(await workerRows(pool.id)).toHaveLength(1);
  });
});
