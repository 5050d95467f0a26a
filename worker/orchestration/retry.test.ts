import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "./retry";

const never = () => {
  throw new Error("random must not be drawn without jitter");
};

describe("retryDelaySeconds", () => {
  it("uses a single delay for every retry", () => {
    for (const run_count of [1, 2, 7]) {
      expect(retryDelaySeconds({ run_count, retries: 9, retry_delay_seconds: 4 }, never)).toBe(4);
    }
  });

  it("indexes a list by the failed attempt and repeats its last entry", () => {
    const policy = { retries: 9, retry_delay_seconds: [2, 10, 60] };
    expect([1, 2, 3, 4, 9].map((run_count) => retryDelaySeconds({ ...policy, run_count }, never))).toEqual([
      2, 10, 60, 60, 60,
    ]);
  });

  it("treats an empty list, a negative or a non-finite delay as no delay", () => {
    expect(retryDelaySeconds({ run_count: 1, retries: 1, retry_delay_seconds: [] }, never)).toBe(0);
    expect(retryDelaySeconds({ run_count: 1, retries: 1, retry_delay_seconds: -5 }, never)).toBe(0);
    expect(retryDelaySeconds({ run_count: 1, retries: 1, retry_delay_seconds: Number.NaN }, never)).toBe(0);
  });

  it.each([
    [0, 10],
    [0.25, 10.5],
    [0.5, 11],
    [0.999_999, 12],
  ])("stretches 10s with jitter 0.2 and random %f to %fs", (r, expected) => {
    const policy = { run_count: 1, retries: 1, retry_delay_seconds: 10, retry_jitter_factor: 0.2 };
    expect(retryDelaySeconds(policy, () => r)).toBeCloseTo(expected, 3);
  });

  it("keeps the delay within [delay, delay * (1 + jitter)] even for a misbehaving random", () => {
    const policy = { run_count: 1, retries: 1, retry_delay_seconds: 10, retry_jitter_factor: 0.2 };
    expect(retryDelaySeconds(policy, () => -3)).toBe(10);
    expect(retryDelaySeconds(policy, () => 7)).toBe(12);
  });

  it("ignores a negative or missing jitter factor", () => {
    const policy = { run_count: 1, retries: 1, retry_delay_seconds: 10 };
    expect(retryDelaySeconds({ ...policy, retry_jitter_factor: -1 }, never)).toBe(10);
    expect(retryDelaySeconds({ ...policy, retry_jitter_factor: null }, never)).toBe(10);
  });
});
