/*
 * The runtime already retries a Durable Object call that never reached the object. A call that failed
 * after it did (the object reset by a deploy, its machine lost) is not retried: for the trigger engine
 * that would lose the evaluation of stored events. evaluate() is safe to repeat (runs are created with
 * an idempotency key per trigger and event, thresholds count an event id once), so such a failure is
 * tried again, as Cloudflare advises: only when marked retryable and not overloaded, with backoff.
 * https://developers.cloudflare.com/durable-objects/best-practices/error-handling/
 */

type DurableError = { retryable?: unknown; overloaded?: unknown };

/** Whether Cloudflare says the failed call may be sent again. */
export function worthRetrying(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { retryable, overloaded } = error as DurableError;
  return retryable === true && overloaded !== true;
}

/** Calls `call` up to `attempts` times while it fails with a retryable error; waits base·2ⁿ ms between. */
export async function withDurableRetries<T>(call: () => Promise<T>, attempts = 3, baseMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !worthRetrying(error)) throw error;
      await new Promise((r) => setTimeout(r, baseMs * 2 ** (attempt - 1)));
    }
  }
}
