import { CliError } from "../cli/errors";

/**
 * Waits until GET /api/health answers 200: the Worker is up, its bindings work, and it is the Baton Worker
 * (any other server on the port would not answer that route that way).
 */
export async function waitForHealth(
  baseUrl: URL,
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 100, signal } = options;
  const url = new URL("api/health", baseUrl);
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(Math.max(1, Math.min(5_000, deadline - Date.now()))) });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `HTTP ${response.status} ${response.statusText}`.trim();
    } catch (error) {
      // An attempt cut short by the deadline itself tells nothing new: the answer before it is the one to report.
      const cutByDeadline = error instanceof Error && error.name === "TimeoutError" && Date.now() >= deadline && last !== "no answer";
      if (!cutByDeadline) last = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new CliError("E_HEALTH_TIMEOUT", `The server did not answer GET ${url.pathname} with 200 within ${timeoutMs / 1000} s (last: ${last}).`);
}
