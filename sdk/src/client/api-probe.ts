import { isBatonHealth } from "./problems";

/** A probe only runs once something answered oddly; it must not hold the caller up for long. */
const PROBE_TIMEOUT_MS = 3_000;

/** Whether the Baton API answers GET {apiUrl}/health as itself (needs no key). Anything else, a failure included, is no. */
export async function batonApiAt(apiUrl: string, signal?: AbortSignal): Promise<boolean> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const res = await fetch(`${apiUrl}/health`, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return res.ok && isBatonHealth(await res.json().catch(() => undefined));
  } catch {
    return false;
  }
}

/**
 * Where the API is when it is not at `apiUrl`, if it is in one of the usual places: `apiUrl` with /api added
 * (the server's root was given), or /api of the same server (a dashboard page's URL was given).
 */
export async function apiUrlNearby(apiUrl: string, signal?: AbortSignal): Promise<string | undefined> {
  const candidates = new Set<string>();
  if (!apiUrl.endsWith("/api")) candidates.add(`${apiUrl}/api`);
  try {
    candidates.add(new URL("/api", apiUrl).href);
  } catch {
    // Not a URL at all: fetch failed on it already, nothing nearby to try.
  }
  candidates.delete(apiUrl);
  for (const candidate of candidates) if (await batonApiAt(candidate, signal)) return candidate;
  return undefined;
}
