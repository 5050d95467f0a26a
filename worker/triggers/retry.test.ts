import { describe, expect, it } from "vitest";
import { withDurableRetries, worthRetrying } from "./retry";

const failure = (props: Record<string, unknown>) => Object.assign(new Error("Durable Object reset because its code was updated."), props);

describe("retrying a trigger engine call", () => {
  it("retries only what Cloudflare marks retryable and not overloaded", () => {
    expect(worthRetrying(failure({ retryable: true }))).toBe(true);
    expect(worthRetrying(failure({ retryable: true, overloaded: true }))).toBe(false);
    expect(worthRetrying(failure({ remote: true }))).toBe(false);
    expect(worthRetrying(new Error("boom"))).toBe(false);
    expect(worthRetrying("text")).toBe(false);
  });

  it("tries again after a retryable failure and answers what the call answered", async () => {
    let calls = 0;
    const answer = await withDurableRetries(async () => {
      if (++calls < 3) throw failure({ retryable: true });
      return "evaluated";
    }, 3, 1);
    expect([answer, calls]).toEqual(["evaluated", 3]);
  });

  it("gives up after the last attempt, and at once for an error that is not retryable", async () => {
    let calls = 0;
    await expect(withDurableRetries(async () => (calls++, Promise.reject(failure({ retryable: true }))), 3, 1)).rejects.toThrow(/reset/);
    expect(calls).toBe(3);
    calls = 0;
    await expect(withDurableRetries(async () => (calls++, Promise.reject(failure({ overloaded: true, retryable: true }))), 3, 1)).rejects.toThrow();
    expect(calls).toBe(1);
  });
});
