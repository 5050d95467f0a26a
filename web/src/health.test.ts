import { describe, expect, it } from "vitest";
import { ApiError } from "./api/client";
import { checkHealth, healthDescription, healthFromBody, healthFromError, healthLabel, type Health } from "./health";

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
