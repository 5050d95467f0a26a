import { existsSync, realpathSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { entrypointOf } from "./entrypoint";

/** Directories that never hold the project's own flows. Hidden ones (.git, .wrangler…) are skipped too. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", "build", "coverage", "test-fixtures"]);
const SOURCE = /\.(ts|mts)$/;
const NOT_FLOWS = /\.(d|test|spec)\.m?ts$/;
/** Only files that mention `flow` are parsed: a flow is defined by calling it, renamed or not. */
const MENTIONS_FLOW = /\bflow\b/;
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

/** A flow found in the project's source, not loaded: loadEntrypoint(entrypoint) gives the flow itself. */
export interface DiscoveredFlow {
  /** `relative/path.ts:exportName`, as entrypointOf gives it. */
  entrypoint: string;
  exportName: string;
  /** The flow's name when its source gives it as a literal; undefined when computed at run time. */
  name: string | undefined;
}

export interface Discovery {
  flows: DiscoveredFlow[];
  /** Files that mention flows but could not be read or parsed, with the reason, to show why a flow is missing. */
  failed: { file: string; reason: string }[];
}

/** The SDK's modules that export flow(), by real path: projects inside this repository import them relatively. */
const SDK_FLOW_MODULES = new Set(["../index.ts", "../runtime/index.ts", "../runtime/flow.ts"].map((p) => realpathSync(fileURLToPath(new URL(p, import.meta.url)))));

/** Whether `specifier`, imported by `file`, is the SDK: "baton", or a path to one of its modules. */
export function isSdkSpecifier(file: string, specifier: string): boolean {
  if (specifier === "baton") return true;
  if (!/^\.\.?(\/|$)/.test(specifier) && !isAbsolute(specifier)) return false;
  const base = resolve(dirname(file), specifier);
  const tried = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")];
  return tried.some((path) => existsSync(path) && SDK_FLOW_MODULES.has(realpathSync(path)));
}

/**
 * The flows exported by the project's TypeScript files, for the interactive `baton deploy`. Files are
 * parsed, never imported: importing runs a module's top-level code, which in a script creates flow runs.
 */
export async function discoverFlows(projectDir: string): Promise<Discovery> {
  // Loaded here: the TypeScript compiler takes a moment to load, and only this question needs it.
  const { scanFlows } = await import("./flow-scan");
  const result: Discovery = { flows: [], failed: [] };
  for (const file of await candidateFiles(projectDir)) {
    try {
      const text = await readFile(file, "utf8");
      for (const { exportName, name } of scanFlows(file, text, (specifier) => isSdkSpecifier(file, specifier))) {
        result.flows.push({ exportName, name, entrypoint: entrypointOf(projectDir, file, exportName) });
      }
    } catch (error) {
      result.failed.push({ file: relative(projectDir, file), reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
