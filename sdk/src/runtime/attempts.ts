import { LOG_LEVELS } from "../../../protocol/logs";
import type { RunContext } from "./context";
import { logLine } from "./logger";
import type { StateBody } from "./reporter";
import { errorMessage, errorText, summariseError } from "./summary";

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/** The server told the runtime to stop working on a run (it is being cancelled, or its claim was lost). */
export class RunAborted extends Error {
  override name = "RunAborted";
}

/**
 * Rejects after `seconds`. JavaScript cannot stop a running function, so the attempt goes on in the
 * background; its outcome is ignored (as Prefect's timeouts cannot interrupt a busy thread either).
 */
export function withTimeout<T>(promise: Promise<T>, seconds: number | undefined, what: string): Promise<T> {
  if (seconds === undefined) return promise;
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}

export const sleepUntil = (at: Date, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, at.getTime() - Date.now()));
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export interface Attempts<R> {
  /** "Task run 'greet-0'": how lines and errors name the run. */
  what: string;
  /** Where failures are logged (the run's own context). */
  context: RunContext | undefined;
  timeoutSeconds: number | undefined;
  attempt: () => Promise<R>;
  /** Reports a failed attempt; answers when to try again (the server's AwaitingRetry), or null when the run failed. */
  failed: (state: StateBody, runCount: number) => Promise<Date | null>;
  /** Reports the start of the next attempt. */
  retrying: () => Promise<void>;
}

/** Runs attempts until one succeeds or the run's retries are spent (Prefect's AwaitingRetry → Retrying, in-process). */
export async function runAttempts<R>(a: Attempts<R>): Promise<R> {
  for (let runCount = 1; ; runCount++) {
    try {
      return await withTimeout(a.attempt(), a.timeoutSeconds, a.what);
    } catch (error) {
      if (error instanceof RunAborted) throw error;
      const summary = summariseError(error);
      // Inside a run, lines are named by their run already.
      const who = a.context ? "" : `${a.what}: `;
      logLine(LOG_LEVELS.ERROR, `${who}Attempt ${runCount} failed: ${errorText(summary)}`, "baton.engine", a.context);
      const retryAt = await a.failed({ type: "FAILED", message: errorMessage(summary), data: summary }, runCount);
      if (!retryAt) throw error;
      const seconds = Math.max(0, Math.round((retryAt.getTime() - Date.now()) / 100) / 10);
      logLine(LOG_LEVELS.INFO, `${who}Retrying in ${seconds} s (attempt ${runCount + 1})`, "baton.engine", a.context);
      await sleepUntil(retryAt);
      await a.retrying();
    }
  }
}
