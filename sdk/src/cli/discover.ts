import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { flowsOfModule, type FoundFlow } from "./entrypoint";

/** Directories that never hold the project's own flows. Hidden ones (.git, .wrangler…) are skipped too. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", "build", "coverage", "test-fixtures"]);
const SOURCE = /\.(ts|mts)$/;
const NOT_FLOWS = /\.(d|test|spec)\.m?ts$/;
/** Only files that mention a flow call are imported: importing runs a module's top-level code. */
const MENTIONS_FLOW = /\bflow\s*\(/;
const MAX_FILES = 5000;

/** TypeScript files under `dir` that may define flows, relative paths sorted. */
export async function candidateFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= MAX_FILES) return;
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_DIRS.has(entry.name)) await walk(path);
      } else if (entry.isFile() && SOURCE.test(entry.name) && !NOT_FLOWS.test(entry.name)) {
        if (MENTIONS_FLOW.test(await readFile(path, "utf8"))) found.push(path);
      }
    }
  };
  await walk(dir);
  return found;
}

export interface Discovery {
  flows: FoundFlow[];
  /** Files that mention flows but failed to import, with the reason, to show people why a flow is missing. */
  failed: { file: string; reason: string }[];
}

/** The flows exported by the project's TypeScript files, for the interactive `baton deploy`. */
export async function discoverFlows(projectDir: string): Promise<Discovery> {
  const result: Discovery = { flows: [], failed: [] };
  for (const file of await candidateFiles(projectDir)) {
    try {
      // A flow re-exported by another file (an index.ts) is listed once, where it was found first.
      for (const found of await flowsOfModule(projectDir, file)) if (!result.flows.some((f) => f.flow === found.flow)) result.flows.push(found);
    } catch (error) {
      result.failed.push({ file: relative(projectDir, file), reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
