import { existsSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { isFlow, type Flow } from "../runtime/types";
import { CliError, UsageError } from "./errors";

/** A flow exported by a module, and how a deployment points at it. */
export interface FoundFlow {
  flow: Flow;
  /** `relative/path.ts:exportName`, relative to the project directory (the deployment's `path`). */
  entrypoint: string;
  exportName: string;
}

/** `flows/hello.ts:helloFlow` → file and export name (the export may be left out when the file has one flow). */
export function parseEntrypoint(text: string): { file: string; exportName?: string } {
  const at = text.lastIndexOf(":");
  // A colon followed by a path separator is part of a path (C:\...), not an export name.
  const hasExport = at >= 0 && !/[\\/]/.test(text.slice(at + 1));
  const file = hasExport ? text.slice(0, at) : text;
  const exportName = hasExport ? text.slice(at + 1).trim() : undefined;
  if (!file.trim() || exportName === "") throw new UsageError(`Invalid entrypoint ${JSON.stringify(text)}`, "Give it as path/to/file.ts:exportName, e.g. flows/hello.ts:helloFlow");
  return { file: file.trim(), exportName };
}

/** The entrypoint of an export of `file`, relative to `projectDir`, with forward slashes on every system. */
export function entrypointOf(projectDir: string, file: string, exportName: string): string {
  return `${relative(projectDir, file).split(sep).join("/")}:${exportName}`;
}

async function importModule(projectDir: string, file: string): Promise<Record<string, unknown>> {
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    const shown = relative(projectDir, file) || file;
    throw new CliError("E_ENTRYPOINT_IMPORT", `Could not import ${shown}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Imports `file` (running its top-level code) and answers its exported flows, the same flow exported twice
 * listed once (by its first name). Only for the one entrypoint being deployed: discovery parses instead.
 */
async function flowsOfModule(projectDir: string, file: string): Promise<FoundFlow[]> {
  const module = await importModule(projectDir, file);
  const found: FoundFlow[] = [];
  const names = Object.keys(module).sort((a, b) => Number(a === "default") - Number(b === "default"));
  for (const exportName of names) {
    const value = module[exportName];
    if (isFlow(value) && !found.some((f) => f.flow === value)) found.push({ flow: value, exportName, entrypoint: entrypointOf(projectDir, file, exportName) });
  }
  return found;
}

/** The flow an entrypoint names, checked: the file exists, imports, and its export is a flow. */
export async function loadEntrypoint(projectDir: string, text: string): Promise<FoundFlow> {
  const { file, exportName } = parseEntrypoint(text);
  const absolute = resolve(projectDir, file);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new CliError("E_ENTRYPOINT_NOT_FOUND", `No file ${file} in ${projectDir}.`, { hint: "Entrypoints are relative to the directory you deploy from." });
  }
  const flows = await flowsOfModule(projectDir, absolute);
  const listed = flows.length ? `Flows it exports: ${flows.map((f) => f.entrypoint).join(", ")}` : "It exports no flow: wrap a function with flow(name, fn) and export it.";
  if (exportName === undefined) {
    if (flows.length === 1) return flows[0]!;
    if (flows.length === 0) throw new CliError("E_FLOW_NOT_FOUND", `${file} exports no flow.`, { hint: listed });
    throw new UsageError(`${file} exports ${flows.length} flows; say which one as ${file}:exportName`, listed);
  }
  // Imported once already: the module cache answers the same object.
  const value = (await importModule(projectDir, absolute))[exportName];
  if (isFlow(value)) return { flow: value, exportName, entrypoint: entrypointOf(projectDir, absolute, exportName) };
  const why = value === undefined ? `${file} has no export ${exportName}` : `${file} exports ${exportName}, but it is not a flow`;
  throw new CliError(value === undefined ? "E_FLOW_NOT_FOUND" : "E_NOT_A_FLOW", `${why}.`, { hint: listed });
}
