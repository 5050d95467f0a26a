import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { PoolMessage, WorkerMessage } from "./worker-socket";

const RUN = "7f1c1f2e-8a7b-4c3d-9e0f-112233445566";

describe("worker socket messages", () => {
  it("fills hello's defaults", () => {
    const hello = v.parse(WorkerMessage, { type: "hello", protocol: 1, name: "w1", capacity: 2 });
    expect(hello).toEqual({ type: "hello", protocol: 1, name: "w1", capacity: 2, labels: {}, sdk_version: "unknown", heartbeat_interval_seconds: 10, runs: [] });
  });

  it("refuses another protocol version, bad capacities and names that cannot be paths", () => {
    const bad = [
      { type: "hello", protocol: 2, name: "w1", capacity: 1 },
      { type: "hello", protocol: 1, name: "w1", capacity: -1 },
      { type: "hello", protocol: 1, name: "w1", capacity: 1.5 },
      { type: "hello", protocol: 1, name: "a/b", capacity: 1 },
      { type: "ack", run_id: "not-a-uuid", lease_token: "t" },
      { type: "state", request_id: "r", run_id: RUN, lease_token: "t", state: { type: "DONE" } },
      { type: "teleport" },
    ];
    for (const message of bad) expect(v.safeParse(WorkerMessage, message).success, JSON.stringify(message)).toBe(false);
  });

  it("says which version the server speaks when hello's differs", () => {
    const result = v.safeParse(WorkerMessage, { type: "hello", protocol: 2, name: "w1", capacity: 1 });
    expect(result.issues?.[0]?.message).toMatch(/speaks worker protocol 1/);
  });

  it("reads every kind the pool sends", () => {
    const messages = [
      { type: "cancel", run_id: RUN, lease_token: "t", reason: "asked" },
      { type: "revoke", run_id: RUN, lease_token: "t", reason: "late" },
      { type: "error", code: "lease_lost", message: "no" },
      { type: "state_result", request_id: "r", run_id: RUN, result: { status: "ACCEPT", state: null, details: {} } },
    ];
    for (const message of messages) expect(v.safeParse(PoolMessage, message).success, JSON.stringify(message)).toBe(true);
  });
});
