import type { OrchestratedState, RunSnapshot } from "./types";

type RetryPolicy = Pick<RunSnapshot, "run_count" | "retries" | "retry_delay_seconds" | "retry_jitter_factor">;

const nonNegative = (n: number | null | undefined): number => (n != null && Number.isFinite(n) && n > 0 ? n : 0);

/**
 * Seconds to wait before the next attempt: the policy's delay for this retry (a list is indexed by
 * the attempt that just failed, its last entry repeating), stretched by jitter. The result lies in
 * [delay, delay * (1 + jitter)], rounded to milliseconds because that is what a timestamp can hold.
 */
export function retryDelaySeconds(policy: RetryPolicy, random: () => number): number {
  const delays = policy.retry_delay_seconds;
  const base = Array.isArray(delays)
    ? nonNegative(delays[Math.min(Math.max(policy.run_count - 1, 0), delays.length - 1)])
    : nonNegative(delays);
  const jitter = nonNegative(policy.retry_jitter_factor);
  const spread = jitter === 0 ? 0 : jitter * Math.min(Math.max(random(), 0), 1);
  return Math.round(base * (1 + spread) * 1000) / 1000;
}

/** Whether a failure of the current attempt should be retried instead of ending the run. */
export function hasRetriesLeft(policy: RetryPolicy, failure: OrchestratedState): boolean {
  return policy.run_count <= policy.retries && failure.state_details.retriable !== false;
}

/**
 * The AwaitingRetry state that replaces a retriable failure. It keeps the failure's message and
 * data, so the history still says why the attempt failed.
 */
export function awaitingRetry(
  failure: OrchestratedState,
  policy: RetryPolicy,
  now: Date,
  random: () => number,
): { state: OrchestratedState; reason: string } {
  const delay = retryDelaySeconds(policy, random);
  return {
    state: {
      type: "SCHEDULED",
      name: "AwaitingRetry",
      timestamp: failure.timestamp,
      message: failure.message,
      state_details: { scheduled_time: new Date(now.getTime() + delay * 1000).toISOString() },
      data: failure.data,
    },
    reason: `retry ${policy.run_count} of ${policy.retries} in ${delay}s`,
  };
}
