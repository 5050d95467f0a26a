import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { CliError } from "../cli/errors";

export const DEFAULT_PORT = 4200;
/** Loopback only by default: the local server has no auth unless BATON_API_KEY is set. */
export const DEFAULT_HOST = "127.0.0.1";

export interface ServerOptions {
  host: string;
  port: number;
  /** BATON_HOME: everything the local server keeps between runs lives under it. */
  home: string;
  /** D1 and Durable Object storage, persisted across restarts. */
  stateDir: string;
  /** When set, the Worker requires it on every /api route but /api/health. */
  apiKey: string | undefined;
}

export interface ServerArgs {
  port?: string;
  host?: string;
}

export function resolveServerOptions(
  args: ServerArgs,
  env: Record<string, string | undefined>,
  system: { homeDir: string; cwd: string } = { homeDir: homedir(), cwd: process.cwd() },
): ServerOptions {
  const home = resolveBatonHome(env.BATON_HOME, system);
  return {
    host: parseHost(args.host),
    port: parsePort(args.port),
    home,
    stateDir: join(home, "state"),
    apiKey: env.BATON_API_KEY || undefined,
  };
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65_535) {
    throw new CliError("E_INVALID_PORT", `Invalid --port ${JSON.stringify(value)}: expected a number from 1 to 65535.`);
  }
  return port;
}

export function parseHost(value: string | undefined): string {
  if (value === undefined) return DEFAULT_HOST;
  const host = value.trim();
  if (host === "" || /\s/.test(host)) {
    throw new CliError("E_INVALID_HOST", `Invalid --host ${JSON.stringify(value)}: expected a hostname or IP address.`);
  }
  // Accept the bracketed form people copy from URLs ("[::1]"); the listener wants the bare address.
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** BATON_HOME when set (a leading `~` expanded, relative paths taken from the working directory), else ~/.baton. */
export function resolveBatonHome(value: string | undefined, system: { homeDir: string; cwd: string }): string {
  if (!value) return join(system.homeDir, ".baton");
  const expanded = value === "~" || value.startsWith("~/") ? join(system.homeDir, value.slice(1)) : value;
  return isAbsolute(expanded) ? expanded : resolve(system.cwd, expanded);
}
