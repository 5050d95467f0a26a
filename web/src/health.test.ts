import { describe, expect, it } from "vitest";
import { ApiError } from "./api/client";
import { checkHealth, createHealthPoller, HEALTH_POLL_MS, healthDescription, RECHECK_MS, RECHECKS, healthFromBody, healthFromError, healthLabel, type Health } from "./health";

describe("healthFromBody", () => {
  it("is connected when the server says ok", () => {
    expect(healthFromBody({ status: "ok", version: "0.1.0" })).toEqual({ kind: "connected", version: "0.1.0" });
  });

  it("is connected without a version when none is reported", () => {
    expect(healthFromBody({ status: "ok" })).toEqual({ kind: "connected", version: undefined });
  });

  it("is unreachable for any other answer, and says what came back", () => {
    expect(healthFromBody({ status: "starting" })).toEqual({
      kind: "unreachable",
      reason: 'unexpected health answer: {"status":"starting"}',
    });
    expect(healthFromBody(undefined)).toEqual({ kind: "unreachable", reason: "unexpected health answer: undefined" });
  });
});

describe("healthFromError", () => {
  it("keeps the error's message as the reason", () => {
    const error = new ApiError("GET", "/api/health", 503, "D1 unavailable");
    expect(healthFromError(error)).toEqual({
      kind: "unreachable",
      reason: "GET /api/health failed with 503: D1 unavailable",
    });
  });
});

describe("checkHealth", () => {
  it("asks GET /health and reads the answer", async () => {
    const paths: string[] = [];
    const health = await checkHealth({
      get: async <T,>(path: string) => {
        paths.push(path);
        return { status: "ok", version: "0.1.0" } as T;
      },
    });
    expect(paths).toEqual(["/health"]);
    expect(health).toEqual({ kind: "connected", version: "0.1.0" });
  });

  it("turns a failed call into an unreachable status instead of rejecting", async () => {
    const health = await checkHealth({
      get: () => Promise.reject(new ApiError("GET", "/api/health", undefined, "Failed to fetch")),
    });
    expect(health).toEqual({ kind: "unreachable", reason: "GET /api/health failed: Failed to fetch" });
  });

  it("gives up on a server that does not answer in time", async () => {
    const health = await checkHealth(
      {
        get: (_path, options) =>
          new Promise((_resolve, reject) => {
            options?.signal?.addEventListener("abort", () => reject(options.signal?.reason));
          }),
      },
      10,
    );
    expect(health.kind).toBe("unreachable");
  });
});

describe("healthLabel and healthDescription", () => {
  const cases: [Health, string, string][] = [
    [{ kind: "checking" }, "Connecting…", "Checking the Baton server"],
    [{ kind: "connected", version: "0.1.0" }, "Connected", "Baton server 0.1.0"],
    [{ kind: "connected", version: undefined }, "Connected", "Baton server"],
    [
      { kind: "unreachable", reason: "GET /api/health failed: Failed to fetch" },
      "Server unreachable",
      "GET /api/health failed: Failed to fetch",
    ],
  ];

  it.each(cases)("%o reads %s", (health, label, description) => {
    expect(healthLabel(health)).toBe(label);
    expect(healthDescription(health)).toBe(description);
  });
});

describe("createHealthPoller", () => {
  function setup() {
    const timers: { fn: () => void; ms: number }[] = [];
    const answers: ((h: Health) => void)[] = [];
    const shown: Health[] = [];
    const poller = createHealthPoller({
      check: () => new Promise<Health>((resolve) => answers.push(resolve)),
      onHealth: (h) => shown.push(h),
      setTimer: (fn, ms) => timers.push({ fn, ms }) - 1,
      clearTimer: (h) => void (timers[h as number] = { fn: () => {}, ms: -1 }),
    });
    return { poller, timers, answers, shown };
  }
  const up: Health = { kind: "connected", version: "1" };
  const down: Health = { kind: "unreachable", reason: "refused" };
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it("checks at once when asked, instead of waiting for the next poll", async () => {
    const s = setup();
    s.poller.now();
    s.answers[0]!(up);
    await settle();
    expect(s.shown).toEqual([up]);
    expect(s.timers).toHaveLength(1); // the next poll, 10 s on
    // The stream dropped: a check now, and the poll's timer is replaced by a fresh one after it.
    s.poller.now();
    expect(s.answers).toHaveLength(2);
    s.answers[1]!(down);
    await settle();
    expect(s.shown).toEqual([up, down]);
    expect(s.timers[0]!.ms).toBe(-1);
    expect(s.timers).toHaveLength(2);
  });

  it("never runs two checks at once: a request during a check runs one more right after it", async () => {
    const s = setup();
    s.poller.now();
    s.poller.now();
    s.poller.now();
    expect(s.answers).toHaveLength(1);
    s.answers[0]!(down);
    await settle();
    expect(s.answers).toHaveLength(2);
    s.answers[1]!(up);
    await settle();
    expect(s.shown).toEqual([down, up]);
    expect(s.answers).toHaveLength(2);
  });

  it("checks again within a second, a few times, while the answer disagrees with the stream", async () => {
    const timers: { fn: () => void; ms: number }[] = [];
    const poller = createHealthPoller({
      check: async () => up,
      onHealth: () => {},
      disagrees: (h) => h.kind === "connected", // the stream says the server is gone
      setTimer: (fn, ms) => timers.push({ fn, ms }),
      clearTimer: () => {},
    });
    poller.now();
    for (let i = 0; i < 7; i++) {
      await settle();
      timers.at(-1)!.fn();
    }
    await settle();
    expect(timers.map((t) => t.ms)).toEqual([...Array(RECHECKS).fill(RECHECK_MS), HEALTH_POLL_MS, HEALTH_POLL_MS, HEALTH_POLL_MS]);
  });

  it("shows nothing and schedules nothing once stopped", async () => {
    const s = setup();
    s.poller.now();
    s.poller.stop();
    s.answers[0]!(up);
    await settle();
    expect(s.shown).toEqual([]);
    expect(s.timers).toHaveLength(0);
  });
});
