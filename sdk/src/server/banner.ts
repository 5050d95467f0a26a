import pc from "picocolors";

export interface ServerUrls {
  dashboard: string;
  api: string;
}

/** URLs to show people: a wildcard bind address is reached as localhost, an IPv6 address needs brackets. */
export function serverUrls(host: string, port: number): ServerUrls {
  const shown = host === "0.0.0.0" || host === "::" || host === "*" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  const dashboard = `http://${shown}:${port}`;
  return { dashboard, api: `${dashboard}/api` };
}

export const READY_PREFIX = "Baton server ready at ";

export function readyMessage(info: { urls: ServerUrls; stateDir: string; auth: boolean; startupMs: number }): string {
  const { urls } = info;
  const auth = info.auth
    ? `${pc.green("on")} (clients send BATON_API_KEY as a Bearer token)`
    : `${pc.yellow("off")} (set BATON_API_KEY before starting to require a key)`;
  return [
    `${pc.green("✔")} ${READY_PREFIX}${pc.bold(urls.dashboard)} ${pc.dim(`(${(info.startupMs / 1000).toFixed(1)} s)`)}`,
    "",
    `  Dashboard  ${pc.cyan(urls.dashboard)}`,
    `  API        ${pc.cyan(urls.api)}`,
    `  State      ${info.stateDir}`,
    `  Auth       ${auth}`,
    "",
    `  Point the CLI and workers at it:  ${pc.bold(`export BATON_API_URL=${urls.api}`)}`,
    "",
    pc.dim("Press Ctrl-C to stop."),
  ].join("\n");
}
