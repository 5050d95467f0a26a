/** Where the SDK, CLI and worker find the server, and with which key. */
export interface ClientConfig {
  /** Base URL of the API, ending in /api, no trailing slash. */
  apiUrl: string;
  apiKey: string | undefined;
  /** Whether the URL was configured (BATON_API_URL) or is the local server's default guess. */
  configured: boolean;
}

export const DEFAULT_API_URL = "http://127.0.0.1:4200/api";

export function clientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const url = env.BATON_API_URL?.trim();
  return {
    apiUrl: (url || DEFAULT_API_URL).replace(/\/+$/, ""),
    apiKey: env.BATON_API_KEY?.trim() || undefined,
    configured: !!url,
  };
}
