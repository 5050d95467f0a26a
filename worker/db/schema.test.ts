import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("migrated schema", () => {
  it.each(["flow_runs", "task_runs", "logs", "events"])("keeps %s WITHOUT ROWID (drizzle-kit cannot express it)", async (table) => {
    const row = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").bind(table).first<{ sql: string }>();
    expect(row?.sql).toMatch(/WITHOUT ROWID\s*$/i);
  });

  it("writes one row per log line and two per task run insert (the D1 write budget)", async () => {
    const now = new Date().toISOString();
    const log = await env.DB.prepare(
      "INSERT INTO logs (id, created, flow_run_id, task_run_id, name, level, message, timestamp) VALUES (?, ?, ?, NULL, 'x', 20, 'm', ?)",
    )
      .bind(crypto.randomUUID(), now, crypto.randomUUID(), now)
      .run();
    expect(log.meta.rows_written).toBe(1);
    const task = await env.DB.prepare(
      "INSERT INTO task_runs (id, created, updated, name, flow_run_id, task_key, dynamic_key) VALUES (?, ?, ?, 't', ?, 'k', '0')",
    )
      .bind(crypto.randomUUID(), now, now, crypto.randomUUID())
      .run();
    expect(task.meta.rows_written).toBe(2);
  });
});
