import { describe, expect, it } from "vitest";
import { flowRunState, scheduledRunsCreated, workerStatus } from "../stream/events";
import { changesOf } from "./from-stream";

describe("changesOf", () => {
  const id = crypto.randomUUID();
  const at = "2026-11-25T12:00:00.000Z";

  it("turns a flow run's state change and a worker's status into changes", () => {
    const changes = changesOf([...flowRunState(id, { type: "RUNNING", name: "Running", timestamp: at }), ...workerStatus("pool-1", "w-1", "w", "ONLINE")]);
    expect(changes.flowRuns).toEqual([{ id, state_type: "RUNNING", state_name: "Running", timestamp: at }]);
    expect(changes.workers).toHaveLength(1);
  });

  it("leaves out runs the scheduler created ahead of time: they are streamed, not stored as events", () => {
    const planned = scheduledRunsCreated([{ id, state_type: "SCHEDULED", state_name: "Scheduled", state_timestamp: at }]);
    expect(planned).toHaveLength(1);
    expect(changesOf(planned).flowRuns).toEqual([]);
  });
});
