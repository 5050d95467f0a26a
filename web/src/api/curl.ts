/**
 * A copyable curl command for an API call on this server: what the placeholder pages offer until the
 * dashboard shows the data itself.
 */
export function curlCommand(origin: string, method: "GET" | "POST", path: string, body?: unknown): string {
  const url = `${origin}/api${path}`;
  if (body === undefined) return method === "GET" ? `curl -s ${url}` : `curl -s -X ${method} ${url}`;
  const json = JSON.stringify(body).replace(/'/g, `'\\''`);
  return `curl -s -X ${method} ${url} -H 'content-type: application/json' -d '${json}'`;
}

/** The same, for the page's own server. */
export const curl = (method: "GET" | "POST", path: string, body?: unknown) => curlCommand(location.origin, method, path, body);
