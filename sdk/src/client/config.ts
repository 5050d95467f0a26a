/** Where the SDK, CLI and worker find the server, and with which key. */
export interface ClientConfig {
  /** Base URL of the API, ending in /api, no trailing slash. */
  apiUrl: string;
  apiKey: string | undefined;
  /** Whether the URL was configured (BATON_API_URL) or is the local server's default guess. */
  configured: boolean;
}

export const DEFAULT_API_URL = "http://127.0.0.1:4200/api";

/**
 * A setting the SDK cannot use, such as a BATON_API_URL without its scheme: said where the setting is read,
 * in the user's words, rather than later as a server that cannot be reached.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** fetch needs the scheme: `127.0.0.1:4320/api` would be read as a URL of scheme `127.0.0.1:`, or none. */
function assertApiUrl(url: string): void {
  if (/^https?:\/\//i.test(url)) return;
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/^\/+/, "");
  throw new ConfigError(`BATON_API_URL must start with http:// or https:// (did you mean http://${rest}?)`);
}

export function clientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const url = env.BATON_API_URL?.trim();
  if (url) assertApiUrl(url);
  return {
    apiUrl: (url || DEFAULT_API_URL).replace(/\/+$/, ""),
    apiKey: env.BATON_API_KEY?.trim() || undefined,
    configured: !!url,
  };
}
