import type { EmpiricalPolicy } from "../../../protocol/runs";
import type { RetryDelay } from "./types";

/*
 * Retry options as the server keeps them (a run's empirical_policy): the server decides whether a failure
 * is retried and when (AwaitingRetry at now + delay, jitter included), as Prefect's orchestration does.
 * Runs without a server decide the same way here.
 */

const MAX_RETRIES = 100;
const MAX_DELAY_SECONDS = 86_400 * 7;
/** The server keeps at most 50 delays; the last one repeats. */
const MAX_DELAYS = 50;

export interface RetryOptions {
  retries?: number;
  retryDelaySeconds?: RetryDelay;
}

function check(ok: boolean, what: string, message: string): void {
  if (!ok) throw new TypeError(`${what}: ${message}`);
}

const delay = (what: string, seconds: number) => {
  check(Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_DELAY_SECONDS, what, `retry delays must be 0 to ${MAX_DELAY_SECONDS} seconds, not ${seconds}`);
  return seconds;
};

/** The policy sent with the run; throws a TypeError naming `what` (the flow or task) for bad options. */
export function empiricalPolicy(what: string, options: RetryOptions): EmpiricalPolicy {
  const retries = options.retries ?? 0;
  check(Number.isInteger(retries) && retries >= 0 && retries <= MAX_RETRIES, what, `retries must be an integer from 0 to ${MAX_RETRIES}, not ${retries}`);
  const spec = options.retryDelaySeconds ?? 0;
  if (typeof spec === "number") return { retries, retry_delay: delay(what, spec) };
  if (Array.isArray(spec)) {
    check(spec.length > 0, what, "retryDelaySeconds must not be an empty list");
    return { retries, retry_delay: spec.slice(0, MAX_DELAYS).map((s) => delay(what, s)) };
  }
  const { baseSeconds, maxSeconds = MAX_DELAY_SECONDS, jitterFactor } = spec.exponential;
  delay(what, baseSeconds);
  delay(what, maxSeconds);
  check(jitterFactor === undefined || (jitterFactor >= 0 && jitterFactor <= 10), what, "jitterFactor must be from 0 to 10");
  const count = Math.max(1, Math.min(retries, MAX_DELAYS));
  return {
    retries,
    retry_delay: Array.from({ length: count }, (_, i) => Math.min(maxSeconds, baseSeconds * 2 ** i)),
    retry_jitter_factor: jitterFactor ?? null,
  };
}

/**
 * A flow's retry options as a deployment keeps them, so its deployed runs retry as its script runs do.
 * A deployment holds one whole-second delay: a list or an exponential policy is represented by its first delay.
 */
export function deploymentRetryFields(what: string, options: RetryOptions): { retries: number; retry_delay_seconds: number } {
  const policy = empiricalPolicy(what, options);
  const first = Array.isArray(policy.retry_delay) ? (policy.retry_delay[0] ?? 0) : policy.retry_delay;
  return { retries: policy.retries, retry_delay_seconds: Math.round(first) };
}

/**
 * The server's rule, for runs it does not record: the delay before retrying after attempt `runCount`,
 * or null when no retry is left.
 */
export function localRetryDelaySeconds(policy: EmpiricalPolicy, runCount: number, random = Math.random): number | null {
  if (runCount > policy.retries) return null;
  const delays = policy.retry_delay;
  const base = Array.isArray(delays) ? (delays[Math.min(runCount - 1, delays.length - 1)] ?? 0) : delays;
  return base * (1 + (policy.retry_jitter_factor ?? 0) * random());
}
