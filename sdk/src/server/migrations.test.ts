import { describe, expect, it } from "vitest";
import { appliedMigrations } from "./migrations";

describe("appliedMigrations", () => {
  it("reads the migrations wrangler marks as applied", () => {
    const output = [
      "🚣 24 commands executed successfully.",
      "┌────────────────────┬────────┐",
      "│ name               │ status │",
      "├────────────────────┼────────┤",
      "│ 0000_init.sql      │ ✅     │",
      "├────────────────────┼────────┤",
      "│ 0001_schedules.sql │ ✅     │",
      "└────────────────────┴────────┘",
    ].join("\n");
    expect(appliedMigrations(output)).toEqual(["0000_init.sql", "0001_schedules.sql"]);
  });

  it("lists each migration once although wrangler reprints its table after each one", () => {
    const table = (...names: string[]) => ["┌──┐", ...names.map((n) => `│ ${n} │ ✅ │`), "└──┘"].join("\n");
    const output = [table("0000_init.sql"), table("0000_init.sql", "0001_b.sql"), table("0000_init.sql", "0001_b.sql", "0002_c.sql")].join("\n");
    expect(appliedMigrations(output)).toEqual(["0000_init.sql", "0001_b.sql", "0002_c.sql"]);
  });

  it("finds none when the database is up to date", () => {
    expect(appliedMigrations("✅ No migrations to apply!")).toEqual([]);
  });
});
