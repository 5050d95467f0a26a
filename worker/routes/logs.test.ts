import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LogCreate } from "../../protocol/logs";
import { createDb } from "../db/client";
import { insertLogs, logsQuery } from "../db/logs";
import { api } from "../test/http";

type Line = Omit<LogCreate, "name" | "task_run_id"> & Partial<Pick<LogCreate, "name" | "task_run_id">>;

/** A flow run row to attach logs to (flow runs have their own routes; logs only need the row). */
async function createFlowRun(): Promise<string> {
  const flow = await api("POST", "/flows/", { name: `flow-${crypto.randomUUID().slice(0, 8)}` });
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await env.DB.prepare("INSERT INTO flow_runs (id, created, updated, name, flow_id) VALUES (?, ?, ?, 'run', ?)")
    .bind(id, now, now, flow.body.id)
    .run();
  return id;
}

const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();

function lines(flowRunId: string, n: number, extra: Partial<Line> = {}): Line[] {
  return Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    flow_run_id: flowRunId,
    level: 20,
    message: `line ${i}`,
    timestamp: at(i),
    ...extra,
  }));
}

/** What validation hands to worker/db/logs.ts: defaults filled in. */
const asValidated = (ls: Line[]): LogCreate[] => ls.map((l) => ({ name: "baton", task_run_id: null, ...l }));

const stored = async (flowRunId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM logs WHERE flow_run_id = ?").bind(flowRunId).first<{ n: number }>())!.n;

const filter = async (body: unknown) => {
  const res = await api("POST", "/logs/filter", body);
  expect(res.status).toBe(200);
  return res.body as { id: string; message: string; timestamp: string; level: number }[];
};
const messages = (ls: { message: string }[]) => ls.map((l) => l.message);

describe("POST /api/logs/", () => {
  it("stores a batch (201 with its count) and reads it back in time order", async () => {
    const run = await createFlowRun();
    const batch = lines(run, 3).reverse();
    expect(await api("POST", "/logs/", batch)).toMatchObject({ status: 201, body: { count: 3 } });
    const read = await filter({ logs: { flow_run_id: { any_: [run] } } });
    expect(read.map((l) => l.message)).toEqual(["line 0", "line 1", "line 2"]);
    expect(read[0]).toMatchObject({ flow_run_id: run, task_run_id: null, name: "baton", level: 20, timestamp: at(0) });
  });

  it("stores each line once when the same batch is sent twice, even in parallel", async () => {
    const run = await createFlowRun();
    const batch = lines(run, 25);
    expect((await api("POST", "/logs", batch)).status).toBe(201);
    expect(await api("POST", "/logs", batch)).toMatchObject({ status: 201, body: { count: 25 } });
    expect(await stored(run)).toBe(25);
    const other = await createFlowRun();
    const again = lines(other, 30);
    const answers = await Promise.all(Array.from({ length: 5 }, () => api("POST", "/logs/", again)));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(201));
    expect(await stored(other)).toBe(30);
  });

  it("gives a server id to a line sent without one", async () => {
    const run = await createFlowRun();
    const [line] = lines(run, 1);
    delete line!.id;
    expect((await api("POST", "/logs/", [line])).status).toBe(201);
    expect((await filter({ logs: { flow_run_id: { any_: [run] } } }))[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reads lines of one instant sent without ids back in the order they were sent", async () => {
    const run = await createFlowRun();
    // A burst of lines within one millisecond, from a REST caller that leaves the ids to the server.
    const batch = lines(run, 500, { timestamp: at(0) }).map(({ id: _, ...l }) => l);
    expect((await api("POST", "/logs/", batch)).status).toBe(201);
    const sent = batch.map((l) => l.message);
    expect(messages(await filter({ logs: { flow_run_id: { any_: [run] } }, limit: 1000 }))).toEqual(sent);
    const desc = await filter({ logs: { flow_run_id: { any_: [run] } }, sort: "TIMESTAMP_DESC", limit: 1000 });
    expect(messages(desc)).toEqual([...sent].reverse());
  });

  it("stores times in UTC with milliseconds, whatever offset the client wrote", async () => {
    const run = await createFlowRun();
    const [line] = lines(run, 1, { timestamp: "2025-01-01T02:00:00+02:00" });
    await api("POST", "/logs/", [line]);
    expect((await filter({ logs: { flow_run_id: { any_: [run] } } }))[0]!.timestamp).toBe("2025-01-01T00:00:00.000Z");
  });

  it("stores a full batch of 1,000 lines across many insert statements", async () => {
    const run = await createFlowRun();
    expect(await api("POST", "/logs/", lines(run, 1000))).toMatchObject({ status: 201, body: { count: 1000 } });
    expect(await stored(run)).toBe(1000);
  });

  it("writes one D1 row per new line and none for a resent batch", async () => {
    const run = await createFlowRun();
    const db = createDb(env.DB);
    const batch = asValidated(lines(run, 40));
    expect(await insertLogs(db, batch)).toBe(40);
    expect(await insertLogs(db, batch)).toBe(0);
  });

  it("writes nothing when any statement of the batch fails (one D1 batch)", async () => {
    const run = await createFlowRun();
    const batch = asValidated(lines(run, 40));
    // Past validation nothing should fail; force it in the last chunk to prove the batch is all-or-nothing.
    batch[39] = { ...batch[39]!, message: null as unknown as string };
    await expect(insertLogs(createDb(env.DB), batch)).rejects.toThrow();
    expect(await stored(run)).toBe(0);
  });

  it("answers 404 naming the unknown flow runs and stores nothing of the batch", async () => {
    const run = await createFlowRun();
    const ghost = crypto.randomUUID();
    const res = await api("POST", "/logs/", [...lines(run, 2), ...lines(ghost, 2)]);
    expect(res).toMatchObject({ status: 404, body: { detail: `flow run "${ghost}" not found; no log was stored` } });
    expect(await stored(run)).toBe(0);
    const ghosts = Array.from({ length: 12 }, () => crypto.randomUUID());
    const many = await api("POST", "/logs/", ghosts.flatMap((g) => lines(g, 1)));
    expect(many.status).toBe(404);
    expect(many.body.detail).toContain(`flow runs "${ghosts[0]}"`);
    expect(many.body.detail).toContain("and 2 more not found");
  });

  it.each([
    ["an empty batch", () => []],
    ["1,001 lines", (run: string) => lines(run, 1001)],
    ["a bad level", (run: string) => [...lines(run, 1), ...lines(run, 1, { level: 1.5 })]],
    ["a time without a readable offset", (run: string) => [...lines(run, 1), ...lines(run, 1, { timestamp: "2025-01-01T00:00:00 +02" })]],
    ["a time past the year 9999 in UTC", (run: string) => [...lines(run, 1), ...lines(run, 1, { timestamp: "9999-12-31T23:00:00-05:00" })]],
    ["a bad flow run id", (run: string) => [...lines(run, 1), ...lines("not-a-uuid", 1)]],
    ["a bad line id", (run: string) => [...lines(run, 1), ...lines(run, 1, { id: "x" })]],
  ])("answers 422 for %s and stores nothing", async (_, body) => {
    const run = await createFlowRun();
    expect((await api("POST", "/logs/", body(run))).status).toBe(422);
    expect(await stored(run)).toBe(0);
  });
});

describe("POST /api/logs/filter", () => {
  async function seeded() {
    const run = await createFlowRun();
    const task = crypto.randomUUID();
    const batch: Line[] = [
      { id: crypto.randomUUID(), flow_run_id: run, level: 10, message: "debug", timestamp: at(1) },
      { id: crypto.randomUUID(), flow_run_id: run, level: 20, message: "info", timestamp: at(2), task_run_id: task },
      { id: crypto.randomUUID(), flow_run_id: run, level: 40, message: "error", timestamp: at(3), task_run_id: task },
      { id: crypto.randomUUID(), flow_run_id: run, level: 50, message: "critical", timestamp: at(4) },
    ];
    expect((await api("POST", "/logs/", batch)).status).toBe(201);
    return { run, task };
  }

  it("filters by level, time range and task run, sorts both ways and pages", async () => {
    const { run, task } = await seeded();
    const of = (logs: object, rest: object = {}) => filter({ logs: { flow_run_id: { any_: [run] }, ...logs }, ...rest });
    expect(messages(await of({ level: { ge_: 20, le_: 40 } }))).toEqual(["info", "error"]);
    expect(messages(await of({ timestamp: { after_: at(2), before_: at(3) } }))).toEqual(["info", "error"]);
    expect(messages(await of({ timestamp: { after_: "2025-01-01T02:00:03+02:00" } }))).toEqual(["error", "critical"]);
    expect(messages(await of({ task_run_id: { any_: [task] } }))).toEqual(["info", "error"]);
    expect(messages(await of({}, { sort: "TIMESTAMP_DESC" }))).toEqual(["critical", "error", "info", "debug"]);
    expect(messages(await of({}, { limit: 2, offset: 1 }))).toEqual(["info", "error"]);
    expect(messages(await filter({ logs: { task_run_id: { any_: [task] } } }))).toEqual(["info", "error"]);
  });

  it("orders lines of the same instant by id, so pages are stable", async () => {
    const run = await createFlowRun();
    const batch = lines(run, 6, { timestamp: at(0) });
    await api("POST", "/logs/", batch);
    const ids = batch.map((l) => l.id!).sort();
    const pages = [0, 2, 4].map((offset) => filter({ logs: { flow_run_id: { any_: [run] } }, limit: 2, offset }));
    expect((await Promise.all(pages)).flat().map((l) => l.id)).toEqual(ids);
    const desc = await filter({ logs: { flow_run_id: { any_: [run] } }, sort: "TIMESTAMP_DESC" });
    expect(desc.map((l) => l.id)).toEqual([...ids].reverse());
  });

  it("accepts the largest filter, which stays under D1's 100 bound parameters", async () => {
    const uuids = (n: number) => Array.from({ length: n }, () => crypto.randomUUID());
    const logs = {
      flow_run_id: { any_: uuids(40) },
      task_run_id: { any_: uuids(50) },
      level: { ge_: 0, le_: 50 },
      timestamp: { after_: at(0), before_: at(9) },
    };
    expect(await api("POST", "/logs/filter", { logs, limit: 10, offset: 5 })).toMatchObject({ status: 200, body: [] });
  });

  it("reads lines of several runs", async () => {
    const [a, b] = [await createFlowRun(), await createFlowRun()];
    await api("POST", "/logs/", [...lines(a, 2), ...lines(b, 2)]);
    expect(await filter({ logs: { flow_run_id: { any_: [a, b] } } })).toHaveLength(4);
  });

  it.each(["TIMESTAMP_ASC", "TIMESTAMP_DESC"] as const)("walks the primary key for one flow run, without sorting (%s)", async (sort) => {
    const query = logsQuery(createDb(env.DB), {
      logs: { flow_run_id: { any_: [crypto.randomUUID()] }, level: { ge_: 20 } },
      sort,
      limit: 200,
      offset: 0,
    }).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const steps = plan.results.map((r) => r.detail).join("\n");
    expect(steps).toMatch(/SEARCH logs USING PRIMARY KEY \(flow_run_id=\?\)/);
    expect(steps).not.toMatch(/TEMP B-TREE/);
  });

  it.each([
    [{ sort: "LEVEL_DESC" }],
    [{ limit: 1001 }],
    [{ logs: { flow_run_id: { any_: ["nope"] } } }],
    [{ logs: { flow_run_id: { any_: Array.from({ length: 41 }, () => crypto.randomUUID()) } } }],
    [{ logs: { timestamp: { after_: "yesterday" } } }],
    [{ logs: { level: { ge_: "high" } } }],
    [{ logs: { flow_run: { any_: [crypto.randomUUID()] } } }],
  ])("answers 422 for %j", async (body) => {
    expect((await api("POST", "/logs/filter", body)).status).toBe(422);
  });
});
