import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";

/** `flows/x.ts:fn` → its file and export (checked by deploy; a worker only splits it). */
export function splitEntrypoint(entrypoint: string): { file: string; exportName: string } | undefined {
  const at = entrypoint.lastIndexOf(":");
  if (at <= 0) return undefined;
  return { file: entrypoint.slice(0, at), exportName: entrypoint.slice(at + 1) };
}

/**
 * The line a run ends with when its entrypoint's file is not where its deployment says, on this machine:
 * the deployment was made elsewhere, or the project moved. Said so, instead of Node's ERR_MODULE_NOT_FOUND stack.
 */
export const entrypointNotFound = (entrypoint: string, dir: string): string =>
  `entrypoint ${entrypoint} not found in ${dir} (the worker runs deployments from the directory \`baton deploy\` ran in, on the worker's machine)`;

/** That line, when the entrypoint's file is missing from `dir`; undefined when it is there. */
export function missingEntrypoint(entrypoint: string, dir: string): string | undefined {
  const path = resolve(dir, splitEntrypoint(entrypoint)?.file ?? entrypoint);
  return existsSync(path) && statSync(path).isFile() ? undefined : entrypointNotFound(entrypoint, dir);
}
