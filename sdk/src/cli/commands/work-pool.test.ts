import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkPool, Worker } from "../../../../protocol/work-pools";
import { baton, startTestServer, type TestServer } from "../../testing/cli";

let server: TestServer;
const cli = (...args: string[]) => baton(args, { apiUrl: server.apiUrl });
const pool = (name: string) => server.client.get<WorkPool>(`/work_pools/${name}`);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("baton work-pool", () => {
  it("creates a pool, and refuses a second one of the same name", async () => {
    const created = await cli("work-pool", "create", "my-pool", "--concurrency-limit", "3", "--description", "the tutorial's pool");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("✔ Created work pool my-pool");
    expect(await pool("my-pool")).toMatchObject({ concurrency_limit: 3, description: "the tutorial's pool", is_paused: false });
    const again = await cli("work-pool", "create", "my-pool");
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("✖ Work pool my-pool already exists. [E_POOL_EXISTS]\n");
  });

  it("lists pools with their status and the workers online, and as JSON", async () => {
    await server.client.post("/work_pools/my-pool/workers/heartbeat", { name: "worker-1" });
    expect((await cli("work-pool", "create", "other", "--json")).code).toBe(0);
    const table = await cli("work-pool", "ls");
    expect(table.stdout).toMatch(/^NAME\s+TYPE\s+STATUS\s+WORKERS ONLINE\s+CONCURRENCY\s+DESCRIPTION\n/);
    expect(table.stdout).toMatch(/my-pool\s+process\s+ready\s+1\s+3\s+the tutorial's pool/);
    expect(table.stdout).toMatch(/other\s+process\s+not ready\s+0\s+-\s+-/);
    const json = JSON.parse((await cli("work-pool", "ls", "--json")).stdout) as (WorkPool & { workers_online: number })[];
    expect(json.map((p) => [p.name, p.status, p.workers_online])).toEqual([["my-pool", "READY", 1], ["other", "NOT_READY", 0]]);
  });

  it("inspects a pool with its workers", async () => {
    const text = await cli("work-pool", "inspect", "my-pool");
    expect(text.stdout).toMatch(/Status\s+ready/);
    expect(text.stdout).toMatch(/WORKER\s+STATUS\s+LAST HEARTBEAT\nworker-1\s+online\s+\d{4}-/);
    const json = JSON.parse((await cli("work-pool", "inspect", "my-pool", "--json")).stdout) as WorkPool & { workers: Worker[] };
    expect(json.workers.map((w) => w.name)).toEqual(["worker-1"]);
  });

  it("pauses, resumes and deletes a pool", async () => {
    expect((await cli("work-pool", "pause", "other")).stdout).toBe("✔ Paused work pool other\n");
    expect(await pool("other")).toMatchObject({ is_paused: true, status: "PAUSED" });
    expect((await cli("work-pool", "resume", "other")).code).toBe(0);
    expect((await pool("other")).is_paused).toBe(false);
    expect((await cli("work-pool", "delete", "other")).stdout).toBe("✔ Deleted work pool other\n");
    await expect(pool("other")).rejects.toMatchObject({ status: 404 });
  });

  it("says in one line that a pool does not exist", async () => {
    const result = await cli("work-pool", "inspect", "nowhere");
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("✖ Work pool nowhere not found. [E_POOL_NOT_FOUND]");
  });
});

describe("baton config", () => {
  it("prints the API URL, whether a key is set (never the key) and whether the server answers", async () => {
    const text = await baton(["config"], { apiUrl: server.apiUrl, env: { BATON_API_KEY: "secret-key-123" } });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`API URL\\s+${server.apiUrl} \\(BATON_API_URL\\)`));
    expect(text.stdout).toMatch(/API key\s+set/);
    expect(text.stdout).toMatch(/Server\s+answers \(version /);
    expect(text.stdout).not.toContain("secret-key-123");
    const json = JSON.parse((await cli("config", "--json")).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ api_url: server.apiUrl, api_url_source: "BATON_API_URL", api_key_set: false, server_answers: true, key_accepted: true });
  });

  it("says when the server does not answer, still with exit 0", async () => {
    const result = await baton(["config", "--json"], { apiUrl: "http://127.0.0.1:9/api" });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ server_answers: false, key_accepted: null });
  });
});
