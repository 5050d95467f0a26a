/**
 * The one question auth asks of a path: could the router treat it as an API route? Decoding,
 * doubled slashes, trailing slashes and case are all normalised first, so `/api/flows/`, `//api/flows`,
 * `/%61pi/flows` and `/API/flows` are all protected. Only `/api/health` is public.
 */
export function normalisePath(rawPath: string): string {
  let path = rawPath;
  for (let i = 0; i < 3 && path.includes("%"); i++) {
    try {
      path = decodeURIComponent(path);
    } catch {
      break;
    }
  }
  path = path.replace(/\\/g, "/").replace(/\/{2,}/g, "/").toLowerCase();
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

export const PUBLIC_API_PATHS = new Set(["/api/health"]);

export function needsKey(rawPath: string): boolean {
  const path = normalisePath(rawPath);
  if (PUBLIC_API_PATHS.has(path)) return false;
  return path === "/api" || path.startsWith("/api/");
}
