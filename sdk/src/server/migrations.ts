import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CliError } from "../cli/errors";
import { runNodeScript, tail } from "./child";
import type { ServerDir } from "./server-dir";

const require = createRequire(import.meta.url);

/**
 * Applies the D1 migrations with wrangler's own command, so the local database gets exactly what
 * `wrangler d1 migrations apply --remote` gives a deployed one (same migrations table, same order).
 */
export async function applyMigrations(server: ServerDir, stateDir: string, signal?: AbortSignal): Promise<string[]> {
  const wrangler = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
  const args = ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir, "--config", server.wranglerConfig];
  // Its output is captured, not shown: keep wrangler's normal level so the applied migrations can be read.
  const result = await runNodeScript(wrangler, args, { cwd: server.root, env: { WRANGLER_LOG: "log" }, signal });
  if (result.code !== 0) {
    throw new CliError("E_MIGRATIONS", "Applying the database migrations failed:\n" + tail(result.output));
  }
  return appliedMigrations(result.output);
}

/**
 * Names of the migrations wrangler reports as applied (its result table marks each with ✅). Wrangler reprints
 * the table after each migration it applies, so a name is listed once, in the order first seen.
 */
export function appliedMigrations(output: string): string[] {
  return [...new Set([...output.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g)].map((match) => match[1]!))];
}
