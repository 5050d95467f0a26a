import { describe, expect, it } from "vitest";
import { displayStateName, isLate, lateProposal } from "./late";
import { orchestrate } from "./rules";

const DUE = "2025-06-01T12:00:00.000Z";
const at = (secondsAfterDue: number) => new Date(Date.parse(DUE) + secondsAfterDue * 1000);
const scheduled = { type: "SCHEDULED", name: "Scheduled", state_details: { scheduled_time: DUE } } as const;

describe("isLate", () => {
  it("is late only past the threshold", () => {
    expect(isLate(scheduled, null, at(15))).toBe(false);
    expect(isLate(scheduled, null, at(15.001))).toBe(true);
    expect(isLate(scheduled, null, at(5), 3)).toBe(true);
  });

  it("goes by the state's own time before the run's expected start", () => {
    const expected = "2025-06-01T11:00:00.000Z";
    expect(isLate(scheduled, expected, at(1))).toBe(false);
    expect(isLate({ ...scheduled, state_details: {} }, expected, at(1))).toBe(true);
  });

  it("is never late without a time, or once the run has left SCHEDULED", () => {
    expect(isLate({ type: "SCHEDULED", name: "Scheduled" }, null, at(3600))).toBe(false);
    expect(isLate({ ...scheduled, type: "PENDING", name: "Pending" }, null, at(3600))).toBe(false);
  });
});

describe("displayStateName", () => {
  it("shows a scheduled run past its time as Late", () => {
    expect(displayStateName(scheduled, null, at(10))).toBe("Scheduled");
    expect(displayStateName(scheduled, null, at(60))).toBe("Late");
  });

  it("keeps refined names such as AwaitingRetry", () => {
    expect(displayStateName({ ...scheduled, name: "AwaitingRetry" }, null, at(60))).toBe("AwaitingRetry");
  });
});

describe("lateProposal", () => {
  it("proposes Late keeping the scheduled time", () => {
    expect(lateProposal(scheduled, null, at(60))).toEqual({
      type: "SCHEDULED",
      name: "Late",
      timestamp: at(60).toISOString(),
      state_details: { scheduled_time: DUE },
    });
  });

  it("proposes nothing for a run on time, already Late, or awaiting a retry", () => {
    expect(lateProposal(scheduled, null, at(5))).toBeNull();
    expect(lateProposal({ ...scheduled, name: "Late" }, null, at(60))).toBeNull();
    expect(lateProposal({ ...scheduled, name: "AwaitingRetry" }, null, at(60))).toBeNull();
  });

  it("is accepted by orchestration for a SCHEDULED run and refused once it was claimed", () => {
    const proposed = lateProposal(scheduled, DUE, at(60));
    if (!proposed) throw new Error("expected a Late proposal");
    const run = { run_count: 0, retries: 0, retry_delay_seconds: 0, expected_start_time: DUE };
    const base = { kind: "flow_run", proposed, force: false, now: at(60), run } as const;
    const current = { type: "SCHEDULED", name: "Scheduled", timestamp: DUE } as const;
    expect(orchestrate({ ...base, current }).state).toMatchObject({ name: "Late", state_details: { scheduled_time: DUE } });
    expect(orchestrate({ ...base, current: { ...current, type: "PENDING", name: "Pending" } }).status).toBe("REJECT");
  });
});
