import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { everyMinute, nextMinute } from "./cron";

const at = (iso: string) => new Date(iso).getTime();

describe("nextMinute", () => {
  it("is the next whole minute, strictly after the given time", () => {
    expect(nextMinute(at("2030-01-01T10:00:30.500Z"))).toBe(at("2030-01-01T10:01:00Z"));
    expect(nextMinute(at("2030-01-01T10:00:59.999Z"))).toBe(at("2030-01-01T10:01:00Z"));
    expect(nextMinute(at("2030-01-01T10:01:00Z"))).toBe(at("2030-01-01T10:02:00Z"));
  });
});

describe("everyMinute", () => {
  const out = { warn: vi.fn(), error: vi.fn() };

  beforeEach(() => {
    vi.useFakeTimers({ now: at("2030-01-01T10:00:20Z") });
    out.warn.mockReset();
    out.error.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it("fires at the start of each minute with that minute as the scheduled time", async () => {
    const times: string[] = [];
    const timer = everyMinute(async (time) => void times.push(time.toISOString()), out);
    await vi.advanceTimersByTimeAsync(39_999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual(["2030-01-01T10:01:00.000Z"]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(times).toEqual(["2030-01-01T10:01:00.000Z", "2030-01-01T10:02:00.000Z", "2030-01-01T10:03:00.000Z"]);
    await timer.stop();
  });

  it("does not fire a minute twice when the clock is behind the timer", async () => {
    const times: string[] = [];
    const timer = everyMinute(async (time) => void times.push(time.toISOString()), out);
    await vi.advanceTimersByTimeAsync(40_000);
    vi.setSystemTime(at("2030-01-01T10:00:59.990Z"));
    await vi.advanceTimersByTimeAsync(60_010);
    expect(times).toEqual(["2030-01-01T10:01:00.000Z", "2030-01-01T10:02:00.000Z"]);
    await timer.stop();
  });

  it("logs a failed tick and keeps firing", async () => {
    const tick = vi.fn().mockRejectedValueOnce(new Error("boom")).mockResolvedValue(undefined);
    const timer = everyMinute(tick, out);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(tick).toHaveBeenCalledTimes(2);
    expect(out.error).toHaveBeenCalledWith("Scheduler tick for 2030-01-01T10:01:00.000Z failed: boom");
    await timer.stop();
  });

  it("skips a minute while the previous tick still runs", async () => {
    let finish = () => {};
    const tick = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const timer = everyMinute(tick, out);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(tick).toHaveBeenCalledTimes(1);
    expect(out.warn).toHaveBeenCalledWith(expect.stringContaining("2030-01-01T10:02:00.000Z skipped"));
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tick).toHaveBeenCalledTimes(2);
    finish();
    await timer.stop();
  });

  it("stops firing on stop(), aborting a running tick without logging it as a failure", async () => {
    const tick = vi.fn(
      (_time: Date, signal: AbortSignal) =>
        new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
    );
    const timer = everyMinute(tick, out);
    await vi.advanceTimersByTimeAsync(40_000);
    await timer.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(tick).toHaveBeenCalledTimes(1);
    expect(out.error).not.toHaveBeenCalled();
  });
});
