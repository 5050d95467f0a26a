import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CliError } from "../cli/errors";
import type { Output } from "../output";
import { runNodeScript, tail } from "./child";
import type { ServerDir } from "./server-dir";

/** What the built dashboard (web/dist) is made from, relative to the server dir. */
const SOURCES = ["web/src", "web/index.html", "web/vite.config.ts"];
const VITE_CONFIG = "web/vite.config.ts";
const BUILT_INDEX = "web/dist/index.html";

/**
 * Builds the dashboard when web/dist is missing or older than its sources, so `baton server start` always
 * serves the dashboard of the code it runs. A failed rebuild keeps serving the previous build.
 */
export async function ensureDashboard(server: ServerDir, out: Output, signal?: AbortSignal): Promise<void> {
  const builtAt = mtime(join(server.root, BUILT_INDEX));
  const sourcesAt = newestMtime(SOURCES.map((path) => join(server.root, path)));
  if (!isDashboardStale(builtAt, sourcesAt)) return;
  if (!existsSync(join(server.root, VITE_CONFIG))) {
    out.warn(`No ${VITE_CONFIG} in ${server.root}: the dashboard is not built, the API works without it.`);
    return;
  }
  out.step(builtAt === undefined ? "Building the dashboard…" : "Rebuilding the dashboard (its sources changed)…");
  const vite = resolveViteCli(server.root);
  const result = await runNodeScript(vite, ["build", "--config", VITE_CONFIG], { cwd: server.root, signal });
  if (result.code === 0) return;
  if (builtAt === undefined) {
    throw new CliError("E_DASHBOARD_BUILD", "Building the dashboard failed:\n" + tail(result.output));
  }
  out.warn("Rebuilding the dashboard failed; serving the previous build:\n" + tail(result.output));
}

/** Stale when never built, or when a source changed after the build; no sources means nothing to build. */
export function isDashboardStale(builtAt: number | undefined, sourcesAt: number | undefined): boolean {
  if (sourcesAt === undefined) return false;
  return builtAt === undefined || sourcesAt > builtAt;
}

/** vite is a dependency of the server's repository, not of this package. */
function resolveViteCli(root: string): string {
  const require = createRequire(join(root, "package.json"));
  try {
    return join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  } catch (cause) {
    throw new CliError("E_DASHBOARD_BUILD", `vite is not installed in ${root}.`, { hint: "Run `npm install` there.", cause });
  }
}

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Newest modification time among files and folders (a deleted file changes its folder's time). */
export function newestMtime(paths: string[]): number | undefined {
  let newest: number | undefined;
  for (const path of paths) {
    const own = mtime(path);
    if (own === undefined) continue;
    newest = Math.max(newest ?? own, own);
    if (!statSync(path).isDirectory()) continue;
    for (const entry of readdirSync(path, { recursive: true, encoding: "utf8" })) {
      const time = mtime(join(path, entry));
      if (time !== undefined) newest = Math.max(newest, time);
    }
  }
  return newest;
}
