import { describe, expect, it } from "vitest";
import { deploymentRetryFields, empiricalPolicy, localRetryDelaySeconds } from "./retry-policy";

describe("retry options as the server's empirical policy", () => {
  it("passes fixed delays and lists as they are", () => {
    expect(empiricalPolicy("t", {})).toEqual({ retries: 0, retry_delay: 0 });
    expect(empiricalPolicy("t", { retries: 2, retryDelaySeconds: 5 })).toEqual({ retries: 2, retry_delay: 5 });
    expect(empiricalPolicy("t", { retries: 3, retryDelaySeconds: [1, 10] })).toEqual({ retries: 3, retry_delay: [1, 10] });
  });

  it("turns exponential backoff into the list of delays, capped, with the jitter for the server to apply", () => {
    const policy = empiricalPolicy("t", { retries: 5, retryDelaySeconds: { exponential: { baseSeconds: 2, maxSeconds: 10, jitterFactor: 0.5 } } });
    expect(policy).toEqual({ retries: 5, retry_delay: [2, 4, 8, 10, 10], retry_jitter_factor: 0.5 });
  });

  it("refuses what the server would refuse, naming the flow or task", () => {
    expect(() => empiricalPolicy('task "t"', { retries: 1.5 })).toThrow(/^task "t": retries must be an integer/);
    expect(() => empiricalPolicy("t", { retryDelaySeconds: -1 })).toThrow(/retry delays must be 0 to 604800 seconds/);
    expect(() => empiricalPolicy("t", { retryDelaySeconds: [] })).toThrow(/empty list/);
  });

  it("decides retries without a server as the server does", () => {
    const policy = { retries: 2, retry_delay: [1, 3], retry_jitter_factor: 1 };
    expect(localRetryDelaySeconds(policy, 1, () => 0)).toBe(1);
    expect(localRetryDelaySeconds(policy, 2, () => 0.5)).toBe(4.5);
    expect(localRetryDelaySeconds(policy, 3)).toBeNull();
  });
});

describe("deploymentRetryFields", () => {
  it("keeps the retries and the first delay in whole seconds", () => {
    expect(deploymentRetryFields("flow f", {})).toEqual({ retries: 0, retry_delay_seconds: 0 });
    expect(deploymentRetryFields("flow f", { retries: 2, retryDelaySeconds: 1.4 })).toEqual({ retries: 2, retry_delay_seconds: 1 });
    expect(deploymentRetryFields("flow f", { retries: 3, retryDelaySeconds: [5, 10] })).toEqual({ retries: 3, retry_delay_seconds: 5 });
    expect(deploymentRetryFields("flow f", { retries: 3, retryDelaySeconds: { exponential: { baseSeconds: 2 } } })).toEqual({ retries: 3, retry_delay_seconds: 2 });
  });
});
