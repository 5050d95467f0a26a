import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../test/http";

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

async function createPool(body: Record<string, unknown>) {
  const res = await api("POST", "/work_pools/", body);
  expect(res.status).toBe(201);
  return res.body;
}

const readPool = async (name: string) => (await api("GET", `/work_pools/${encodeURIComponent(name)}`)).body;
const poolRows = async (name: string) =>
  (await env.DB.prepare("SELECT * FROM work_pools WHERE name = ?").bind(name).all()).results;

/** Moves every heartbeat of the pool's workers into the past, as if they had stopped beating. */
async function silenceWorkers(poolId: string, secondsAgo: number) {
  const then = new Date(Date.now() - secondsAgo * 1000).toISOString();
  await env.DB.prepare("UPDATE workers SET last_heartbeat_time = ? WHERE work_pool_id = ?").bind(then, poolId).run();
}

describe("POST /api/work_pools/", () => {
  it("creates a pool with Prefect's defaults and NOT_READY status", async () => {
    const name = unique("pool");
    const pool = await createPool({ name });
    expect(pool).toMatchObject({
      name,
      description: null,
      type: "process",
      is_paused: false,
      concurrency_limit: null,
      base_job_template: {},
      status: "NOT_READY",
    });
    expect(pool.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readPool(name)).toEqual(pool);
  });

  it("keeps every field sent, and a paused pool is PAUSED", async () => {
    const name = unique("pool");
    const body = { name, description: "gpu boxes", is_paused: true, concurrency_limit: 4, base_job_template: { env: { A: "1" } } };
    expect(await createPool(body)).toMatchObject({ ...body, status: "PAUSED" });
  });

  it("answers 409 naming the pool when the name is taken, and changes nothing", async () => {
    const name = unique("pool");
    const first = await createPool({ name, description: "first" });
    const res = await api("POST", "/work_pools", { name, description: "second" });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe(`work pool "${name}" already exists`);
    expect(await readPool(name)).toEqual(first);
  });

  it("lets exactly one of many parallel creates win", async () => {
    const name = unique("race");
    const answers = await Promise.all(Array.from({ length: 8 }, () => api("POST", "/work_pools/", { name })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(7);
    expect(await poolRows(name)).toHaveLength(1);
  });

  it.each([
    [{ name: "a/b" }, "body.name"],
    [{ name: "" }, "body.name"],
    [{ name: "ok", type: "kubernetes" }, "body.type"],
    [{ name: "ok", concurrency_limit: -1 }, "body.concurrency_limit"],
    [{ name: "ok", base_job_template: "x" }, "body.base_job_template"],
  ])("answers 422 for %j and writes nothing", async (body, path) => {
    const name = unique("bad");
    const res = await api("POST", "/work_pools/", { ...body, name: body.name === "ok" ? name : body.name });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await poolRows(name)).toHaveLength(0);
  });
});

describe("GET /api/work_pools/{name}", () => {
  it("answers 404 naming the pool", async () => {
    const res = await api("GET", "/work_pools/no-such-pool");
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe('work pool "no-such-pool" not found');
  });

  it("is READY while a worker is ONLINE, NOT_READY once it misses three beats, PAUSED when paused", async () => {
    const name = unique("status");
    const pool = await createPool({ name });
    expect((await api("POST", `/work_pools/${name}/workers/heartbeat`, { name: "w1" })).status).toBe(204);
    expect((await readPool(name)).status).toBe("READY");
    await api("POST", `/work_pools/${name}/pause`);
    expect((await readPool(name)).status).toBe("PAUSED");
    await api("POST", `/work_pools/${name}/resume`);
    expect((await readPool(name)).status).toBe("READY");
    await silenceWorkers(pool.id, 31);
    expect((await readPool(name)).status).toBe("NOT_READY");
  });
});

describe("POST /api/work_pools/filter and /count", () => {
  it("filters by name, sorts by name and pages", async () => {
    const names = [unique("f-c"), unique("f-a"), unique("f-b")];
    for (const name of names) await createPool({ name });
    const all = await api("POST", "/work_pools/filter", { work_pools: { name: { any_: names } } });
    expect(all.status).toBe(200);
    expect(all.body.map((p: { name: string }) => p.name)).toEqual([...names].sort());
    const page = await api("POST", "/work_pools/filter", { work_pools: { name: { any_: names } }, limit: 1, offset: 1 });
    expect(page.body.map((p: { name: string }) => p.name)).toEqual([[...names].sort()[1]]);
    const count = await api("POST", "/work_pools/count", { work_pools: { name: { any_: [...names, "missing"] } } });
    expect(count).toMatchObject({ status: 200, body: 3 });
  });

  it("shows each pool's status in the list", async () => {
    const [idle, busy] = [unique("idle"), unique("busy")];
    await createPool({ name: idle });
    await createPool({ name: busy });
    await api("POST", `/work_pools/${busy}/workers/heartbeat`, { name: "w" });
    const res = await api("POST", "/work_pools/filter", { work_pools: { name: { any_: [idle, busy] } } });
    expect(Object.fromEntries(res.body.map((p: { name: string; status: string }) => [p.name, p.status]))).toEqual({
      [idle]: "NOT_READY",
      [busy]: "READY",
    });
  });

  it("accepts the longest name list, which stays under D1's 100 bound parameters", async () => {
    const res = await api("POST", "/work_pools/filter", { work_pools: { name: { any_: Array.from({ length: 90 }, (_, i) => `n${i}`) } } });
    expect(res).toMatchObject({ status: 200, body: [] });
  });

  it("answers 422 for a bad filter", async () => {
    expect((await api("POST", "/work_pools/filter", { limit: -1 })).status).toBe(422);
    const unknownField = await api("POST", "/work_pools/filter", { work_pools: { type: { any_: ["process"] } } });
    expect(unknownField.status).toBe(422);
    expect((await api("POST", "/work_pools/filter", { work_pools: { name: { any_: Array(91).fill("x") } } })).status).toBe(422);
  });
});

describe("PATCH /api/work_pools/{name}", () => {
  it("changes only the fields sent (204)", async () => {
    const name = unique("patch");
    const before = await createPool({ name, description: "keep me", concurrency_limit: 2 });
    const res = await api("PATCH", `/work_pools/${name}`, { concurrency_limit: null, base_job_template: { x: 1 } });
    expect(res.status).toBe(204);
    const after = await readPool(name);
    expect(after).toMatchObject({ description: "keep me", concurrency_limit: null, base_job_template: { x: 1 }, is_paused: false });
    expect(after.updated >= before.updated).toBe(true);
    expect((await api("PATCH", `/work_pools/${name}`, { is_paused: true })).status).toBe(204);
    expect((await readPool(name)).status).toBe("PAUSED");
  });

  it("answers 404 for an unknown pool and 422 for a bad field, changing nothing", async () => {
    const missing = await api("PATCH", "/work_pools/nope-nope", { description: "x" });
    expect(missing).toMatchObject({ status: 404, body: { detail: 'work pool "nope-nope" not found' } });
    const name = unique("patch");
    const before = await createPool({ name, concurrency_limit: 2 });
    const bad = await api("PATCH", `/work_pools/${name}`, { concurrency_limit: 1.5, description: "new" });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toContain("body.concurrency_limit");
    expect(await readPool(name)).toEqual(before);
  });
});

describe("POST /api/work_pools/{name}/pause and /resume", () => {
  it("pause and resume, idempotently (204)", async () => {
    const name = unique("pause");
    await createPool({ name });
    for (const path of ["pause", "pause"]) expect((await api("POST", `/work_pools/${name}/${path}`)).status).toBe(204);
    expect(await readPool(name)).toMatchObject({ is_paused: true, status: "PAUSED" });
    for (const path of ["resume", "resume"]) expect((await api("POST", `/work_pools/${name}/${path}`)).status).toBe(204);
    expect(await readPool(name)).toMatchObject({ is_paused: false, status: "NOT_READY" });
  });

  it("answer 404 for an unknown pool", async () => {
    for (const path of ["pause", "resume"]) {
      expect(await api("POST", `/work_pools/ghost/${path}`)).toMatchObject({ status: 404, body: { detail: 'work pool "ghost" not found' } });
    }
  });
});

describe("DELETE /api/work_pools/{name}", () => {
  /** A deployment of a new flow in the pool, inserted directly (the deployments API is tested elsewhere). */
  async function deploymentIn(poolId: string, name = "d") {
    const flow = (await api("POST", "/flows/", { name: unique("flow") })).body;
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    await env.DB.prepare("INSERT INTO deployments (id, created, updated, flow_id, name, work_pool_id) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(id, now, now, flow.id, name, poolId)
      .run();
    return { id, label: `${flow.name}/${name}` };
  }
  const deploymentPool = async (id: string) =>
    (await env.DB.prepare("SELECT work_pool_id FROM deployments WHERE id = ?").bind(id).first<{ work_pool_id: string | null }>())?.work_pool_id;

  it("refuses (409) a pool deployments use, naming them, and changes nothing: their runs would never be picked up", async () => {
    const name = unique("used");
    const pool = await createPool({ name });
    const one = await deploymentIn(pool.id);
    const only = await api("DELETE", `/work_pools/${name}`);
    expect(only).toMatchObject({
      status: 409,
      body: { detail: `work pool "${name}" is used by deployment ${one.label}; deploy it to another pool or delete it first` },
    });
    const others = await Promise.all(Array.from({ length: 6 }, () => deploymentIn(pool.id)));
    const named = [one, ...others].map((d) => d.label).sort().slice(0, 5);
    expect((await api("DELETE", `/work_pools/${name}`)).body.detail).toBe(
      `work pool "${name}" is used by 7 deployments: ${named.join(", ")} and 2 more; deploy them to another pool or delete them first`,
    );
    expect((await api("GET", `/work_pools/${name}`)).status).toBe(200);
    expect(await deploymentPool(one.id)).toBe(pool.id);
  });

  it("deletes a pool no deployment uses, and its workers; runs of deleted deployments stay, with no pool", async () => {
    const name = unique("del");
    const pool = await createPool({ name });
    await api("POST", `/work_pools/${name}/workers/heartbeat`, { name: "w1" });
    const dep = await deploymentIn(pool.id);
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    expect(run.work_pool_name).toBe(name);
    expect((await api("DELETE", `/deployments/${dep.id}`)).status).toBe(204);

    expect((await api("DELETE", `/work_pools/${name}`)).status).toBe(204);
    expect((await api("GET", `/work_pools/${name}`)).status).toBe(404);
    const workers = await env.DB.prepare("SELECT count(*) AS n FROM workers WHERE work_pool_id = ?").bind(pool.id).first<{ n: number }>();
    expect(workers?.n).toBe(0);
    expect((await api("GET", `/flow_runs/${run.id}`)).body).toMatchObject({ id: run.id, work_pool_name: null, deployment_id: null });
  });

  it("sends the Scheduled runs left in it to their deployment's pool now, in the same change", async () => {
    const [old, now] = [await createPool({ name: unique("old") }), await createPool({ name: unique("now") })];
    const dep = await deploymentIn(old.id);
    const waiting = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const done = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    await env.DB.prepare("UPDATE flow_runs SET state_type = 'COMPLETED', state_name = 'Completed' WHERE id = ?").bind(done.id).run();
    // Moved behind the API's back, as a deployment moved before moves took its runs along.
    await env.DB.prepare("UPDATE deployments SET work_pool_id = ? WHERE id = ?").bind(now.id, dep.id).run();

    expect((await api("DELETE", `/work_pools/${old.name}`)).status).toBe(204);
    expect((await api("GET", `/flow_runs/${waiting.id}`)).body.work_pool_name).toBe(now.name);
    expect((await api("GET", `/flow_runs/${done.id}`)).body.work_pool_name).toBeNull();
  });

  it("answers 404 for an unknown pool", async () => {
    expect(await api("DELETE", "/work_pools/ghost")).toMatchObject({ status: 404, body: { detail: 'work pool "ghost" not found' } });
  });
});
