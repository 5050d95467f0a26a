import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../cli/errors";

/**
 * Where the server's Worker lives: its wrangler.toml, worker/, migrations/ and web/. The server code is not
 * bundled into the `baton` package yet, so it is the repository that contains this package (sdk/..), unless
 * BATON_SERVER_DIR points elsewhere.
 */
export interface ServerDir {
  root: string;
  wranglerConfig: string;
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function resolveServerDir(env: Record<string, string | undefined>, packageRoot = PACKAGE_ROOT): string {
  return env.BATON_SERVER_DIR ? resolve(env.BATON_SERVER_DIR) : resolve(packageRoot, "..");
}

export function locateServerDir(env: Record<string, string | undefined>): ServerDir {
  const root = resolveServerDir(env);
  const wranglerConfig = join(root, "wrangler.toml");
  if (!existsSync(wranglerConfig)) {
    throw new CliError("E_NO_SERVER_CONFIG", `No wrangler.toml in ${root}: the Baton server code was not found there.`, {
      hint: env.BATON_SERVER_DIR
        ? "Check BATON_SERVER_DIR: it must be the Baton repository (the folder with wrangler.toml)."
        : "Set BATON_SERVER_DIR to the Baton repository (the folder with wrangler.toml).",
    });
  }
  return { root, wranglerConfig };
}
