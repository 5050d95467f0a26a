import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_NAMES, STATE_TYPES, type StateCreate, type StateType } from "../../protocol/states";
import { orchestrate } from "./rules";
import type { CurrentState, Decision, OrchestrationInput, RunKind, RunSnapshot } from "./types";

const NOW = new Date("2025-06-01T12:00:00.000Z");
const A = "ACCEPT";
const R = "REJECT";
const X = "ABORT";
type Status = typeof A | typeof R | typeof X;
type From = StateType | "none";
type Row = readonly [Status, Status, Status, Status, Status, Status, Status, Status, Status];

// Columns follow STATE_TYPES: SCHEDULED PENDING RUNNING COMPLETED FAILED CANCELLED CANCELLING CRASHED PAUSED
// Runs in these tables have no retries left, so a FAILED stays FAILED.
const UNFORCED: Record<RunKind, Record<From, Row>> = {
  flow_run: {
    //          SCH PEN RUN COM FAI CAN CNG CRA PAU
    none:       [A,  A,  A,  A,  A,  A,  R,  A,  R],
    SCHEDULED:  [A,  A,  A,  A,  A,  A,  A,  A,  R],
    PENDING:    [A,  R,  A,  A,  A,  A,  A,  A,  R],
    RUNNING:    [A,  R,  R,  A,  A,  A,  A,  A,  A],
    PAUSED:     [A,  R,  A,  A,  A,  A,  A,  A,  R],
    CANCELLING: [X,  X,  X,  A,  A,  A,  R,  A,  X],
    CANCELLED:  [X,  X,  X,  R,  R,  R,  R,  R,  X],
    COMPLETED:  [R,  R,  R,  R,  R,  R,  R,  R,  R],
    FAILED:     [R,  R,  R,  R,  R,  R,  R,  R,  R],
    CRASHED:    [R,  R,  R,  R,  R,  R,  R,  R,  R],
  },
  task_run: {
    //          SCH PEN RUN COM FAI CAN CNG CRA PAU
    none:       [A,  A,  A,  A,  A,  A,  R,  A,  R],
    SCHEDULED:  [A,  A,  A,  A,  A,  A,  A,  A,  R],
    PENDING:    [A,  R,  A,  A,  A,  A,  A,  A,  R],
    RUNNING:    [A,  R,  R,  A,  A,  A,  A,  A,  A],
    PAUSED:     [A,  R,  A,  A,  A,  A,  A,  A,  R],
    CANCELLING: [X,  X,  X,  A,  A,  A,  R,  A,  X],
    CANCELLED:  [X,  X,  X,  R,  R,  R,  R,  R,  X],
    COMPLETED:  [R,  R,  R,  R,  R,  R,  R,  R,  R],
    FAILED:     [R,  R,  R,  R,  R,  R,  R,  R,  R],
    CRASHED:    [R,  R,  R,  R,  R,  R,  R,  R,  R],
  },
};

const ALL_ACCEPT: Row = [A, A, A, A, A, A, A, A, A];
const FORCED: Record<From, Row> = {
  none: ALL_ACCEPT,
  SCHEDULED: ALL_ACCEPT,
  PENDING: ALL_ACCEPT,
  RUNNING: ALL_ACCEPT,
  PAUSED: ALL_ACCEPT,
  CANCELLING: ALL_ACCEPT,
  CANCELLED: ALL_ACCEPT,
  COMPLETED: ALL_ACCEPT,
  FAILED: ALL_ACCEPT,
  CRASHED: ALL_ACCEPT,
};

// Accepted unforced proposals whose stored type differs from the proposed one.
const STORED_INSTEAD: Partial<Record<`${RunKind} ${From}->${StateType}`, StateType>> = {
  "flow_run SCHEDULED->CANCELLING": "CANCELLED",
};

const NO_RETRIES: RunSnapshot = { run_count: 1, retries: 0, retry_delay_seconds: 0 };

const stateOf = (type: StateType, name = DEFAULT_STATE_NAMES[type]): CurrentState => ({
  type,
  name,
  timestamp: "2025-06-01T11:00:00.000Z",
});

function decide(
  current: CurrentState | null,
  proposed: StateCreate,
  overrides: Partial<Omit<OrchestrationInput, "current" | "proposed">> = {},
): Decision {
  return orchestrate({ kind: "flow_run", current, proposed, force: false, now: NOW, run: NO_RETRIES, ...overrides });
}

const cases = (table: Record<From, Row>) =>
  (Object.keys(table) as From[]).flatMap((from) =>
    STATE_TYPES.map((to, column) => ({ from, to, expected: table[from][column] as Status })),
  );

describe.each([
  ["flow_run", false],
  ["task_run", false],
  ["flow_run", true],
  ["task_run", true],
] as const)("transition table: %s, force=%s", (kind, force) => {
  const table = force ? FORCED : UNFORCED[kind];
  it.each(cases(table))("$from -> $to: $expected", ({ from, to, expected }) => {
    const current = from === "none" ? null : stateOf(from);
    const decision = decide(current, { type: to, state_details: {} }, { kind, force });
    expect(decision.status).toBe(expected);
    if (expected === A) {
      const storedType = force ? to : (STORED_INSTEAD[`${kind} ${from}->${to}`] ?? to);
      expect(decision.state?.type).toBe(storedType);
    } else {
      expect(decision.state).toBeNull();
      expect(decision.reason).toBeTruthy();
      expect(decision.run_count_increment).toBe(0);
    }
  });
});

describe("proposal normalization", () => {
  it("fills in the default name and the server's time", () => {
    const d = decide(null, { type: "RUNNING", message: "go", state_details: {} }, { run: { ...NO_RETRIES, run_count: 0 } });
    expect(d.state).toEqual({
      type: "RUNNING",
      name: "Running",
      timestamp: NOW.toISOString(),
      message: "go",
      state_details: {},
      data: null,
    });
  });

  it("keeps a client's name, timestamp and data", () => {
    const timestamp = "2025-06-01T11:59:59.000Z";
    const d = decide(stateOf("RUNNING"), { type: "COMPLETED", name: "Done", timestamp, data: { n: 1 }, state_details: {} });
    expect(d.state).toMatchObject({ name: "Done", timestamp, message: null, data: { n: 1 } });
  });

  it("stores a client's times in the one UTC form that sorts as text", () => {
    const d = decide(null, {
      type: "SCHEDULED",
      timestamp: "2025-06-01T13:00:00+02:00",
      state_details: { scheduled_time: "2025-06-01 12:30:00Z", cache_expiration: "2025-06-02T00:00:00.123456-01:00" },
    });
    expect(d.state).toMatchObject({
      timestamp: "2025-06-01T11:00:00.000Z",
      state_details: { scheduled_time: "2025-06-01T12:30:00.000Z", cache_expiration: "2025-06-02T01:00:00.123Z" },
    });
    expect(d.expected_start_time).toBe("2025-06-01T12:30:00.000Z");
  });

  it("makes a SCHEDULED state without a time due at once", () => {
    const d = decide(null, { type: "SCHEDULED", state_details: {} });
    expect(d.state?.state_details.scheduled_time).toBe(NOW.toISOString());
  });

  it("lets a worker give a PENDING run back to the pool for later", () => {
    const later = "2025-06-01T13:00:00.000Z";
    const d = decide(stateOf("PENDING"), { type: "SCHEDULED", state_details: { scheduled_time: later } });
    expect(d.status).toBe(A);
    expect(d.state?.state_details.scheduled_time).toBe(later);
  });

  it("sets the expected start time only for a run that has none", () => {
    const at = "2025-06-02T00:00:00.000Z";
    const first = decide(null, { type: "SCHEDULED", state_details: { scheduled_time: at } });
    expect(first.expected_start_time).toBe(at);
    const direct = decide(null, { type: "RUNNING", state_details: {} }, { run: { ...NO_RETRIES, run_count: 0 } });
    expect(direct.expected_start_time).toBe(NOW.toISOString());
    const known = decide(stateOf("SCHEDULED"), { type: "SCHEDULED", state_details: { scheduled_time: at } }, {
      run: { ...NO_RETRIES, expected_start_time: "2025-06-01T00:00:00.000Z" },
    });
    expect(known.expected_start_time).toBeUndefined();
  });
});

describe("run bookkeeping", () => {
  const fresh: RunSnapshot = { run_count: 0, retries: 0, retry_delay_seconds: 0 };

  it("counts the first attempt and sets its start time", () => {
    const d = decide(stateOf("PENDING"), { type: "RUNNING", state_details: {} }, { run: fresh });
    expect(d).toMatchObject({ run_count_increment: 1, sets_start_time: true, sets_end_time: false });
  });

  it("counts a later attempt without moving the start time", () => {
    const d = decide(stateOf("SCHEDULED"), { type: "RUNNING", state_details: {} });
    expect(d).toMatchObject({ run_count_increment: 1, sets_start_time: false });
  });

  it("treats resuming from PAUSED as the same attempt", () => {
    const d = decide(stateOf("PAUSED"), { type: "RUNNING", state_details: {} });
    expect(d).toMatchObject({ status: A, run_count_increment: 0, sets_start_time: false });
    expect(d.state?.name).toBe("Running");
  });

  it.each(["COMPLETED", "FAILED", "CANCELLED", "CRASHED"] as const)("sets the end time on entering %s", (type) => {
    const d = decide(stateOf("RUNNING"), { type, state_details: {} });
    expect(d).toMatchObject({ status: A, run_count_increment: 0, sets_end_time: true, clears_end_time: false });
  });

  it("clears the end time when a forced transition reopens a finished run", () => {
    const d = decide(stateOf("FAILED"), { type: "SCHEDULED", name: "AwaitingRetry", state_details: {} }, { force: true });
    expect(d).toMatchObject({ status: A, sets_end_time: false, clears_end_time: true });
  });

  it("counts a forced restart of a finished run as an attempt", () => {
    const d = decide(stateOf("CANCELLED"), { type: "RUNNING", state_details: {} }, { force: true });
    expect(d).toMatchObject({ status: A, run_count_increment: 1, clears_end_time: true });
  });
});

describe("retries", () => {
  const policy: RunSnapshot = { run_count: 1, retries: 2, retry_delay_seconds: 10 };
  const failure: StateCreate = { type: "FAILED", message: "boom", data: { error: "Error" }, state_details: {} };

  it.each(["flow_run", "task_run"] as const)("turns a %s failure with retries left into AwaitingRetry", (kind) => {
    const d = decide(stateOf("RUNNING"), failure, { kind, run: policy });
    expect(d).toEqual({
      status: A,
      state: {
        type: "SCHEDULED",
        name: "AwaitingRetry",
        timestamp: NOW.toISOString(),
        message: "boom",
        state_details: { scheduled_time: "2025-06-01T12:00:10.000Z" },
        data: { error: "Error" },
      },
      reason: "retry 1 of 2 in 10s",
      run_count_increment: 0,
      sets_start_time: false,
      sets_end_time: false,
      clears_end_time: false,
      expected_start_time: "2025-06-01T12:00:10.000Z",
    });
  });

  it("uses the last retry too", () => {
    const d = decide(stateOf("RUNNING"), failure, { run: { ...policy, run_count: 2 } });
    expect(d.state?.name).toBe("AwaitingRetry");
    expect(d.reason).toBe("retry 2 of 2 in 10s");
  });

  it("fails the run once the retries are spent", () => {
    const d = decide(stateOf("RUNNING"), failure, { run: { ...policy, run_count: 3 } });
    expect(d.state).toMatchObject({ type: "FAILED", name: "Failed", message: "boom" });
    expect(d.sets_end_time).toBe(true);
  });

  it("respects a failure marked not retriable", () => {
    const d = decide(stateOf("RUNNING"), { ...failure, state_details: { retriable: false } }, { run: policy });
    expect(d.state?.type).toBe("FAILED");
  });

  it("retries a run that crashed, such as one whose worker was lost", () => {
    const d = decide(stateOf("RUNNING"), { type: "CRASHED", state_details: {} }, { run: policy });
    expect(d.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
  });

  it.each(["PENDING", "SCHEDULED", "PAUSED", "CANCELLING"] as const)("does not retry a failure from %s", (from) => {
    const d = decide(stateOf(from), failure, { run: policy });
    expect(d.state?.type).toBe("FAILED");
  });

  it("stores a forced failure as it is", () => {
    const d = decide(stateOf("RUNNING"), failure, { run: policy, force: true });
    expect(d.state?.type).toBe("FAILED");
  });

  it.each([
    [1, 1],
    [2, 5],
    [3, 30],
    [4, 30],
  ])("takes the delay of attempt %i from a list: %is", (run_count, seconds) => {
    const run = { run_count, retries: 4, retry_delay_seconds: [1, 5, 30] };
    const d = decide(stateOf("RUNNING"), failure, { run });
    expect(d.state?.state_details.scheduled_time).toBe(new Date(NOW.getTime() + seconds * 1000).toISOString());
  });

  it("spreads the delay by the injected jitter", () => {
    const run = { ...policy, retry_jitter_factor: 0.5 };
    const d = decide(stateOf("RUNNING"), failure, { run, random: () => 0.5 });
    expect(d.state?.state_details.scheduled_time).toBe("2025-06-01T12:00:12.500Z");
    expect(d.reason).toBe("retry 1 of 2 in 12.5s");
  });

  it("names the next attempt Retrying, whether it comes straight from AwaitingRetry or via a claim", () => {
    const awaiting = stateOf("SCHEDULED", "AwaitingRetry");
    expect(decide(awaiting, { type: "RUNNING", state_details: {} }).state?.name).toBe("Retrying");
    expect(decide(stateOf("PENDING"), { type: "RUNNING", state_details: {} }).state?.name).toBe("Retrying");
    const first = decide(stateOf("PENDING"), { type: "RUNNING", state_details: {} }, { run: { ...policy, run_count: 0 } });
    expect(first.state?.name).toBe("Running");
  });

  it("keeps a custom name on the next attempt", () => {
    const d = decide(stateOf("SCHEDULED", "AwaitingRetry"), { type: "RUNNING", name: "Rerun", state_details: {} });
    expect(d.state?.name).toBe("Rerun");
  });
});

describe("cached task results", () => {
  const cached: StateCreate = { type: "COMPLETED", name: "Cached", state_details: { cache_key: "k" } };

  it.each(["none", "SCHEDULED", "PENDING", "RUNNING", "PAUSED", "CANCELLING"] as const)(
    "short-circuits to Cached from %s",
    (from) => {
      const d = decide(from === "none" ? null : stateOf(from), cached, { kind: "task_run" });
      expect(d).toMatchObject({ status: A, run_count_increment: 0, sets_end_time: true });
      expect(d.state).toMatchObject({ type: "COMPLETED", name: "Cached", state_details: { cache_key: "k" } });
    },
  );

  it.each(["COMPLETED", "FAILED", "CANCELLED", "CRASHED"] as const)("cannot replace the finished state %s", (from) => {
    expect(decide(stateOf(from), cached, { kind: "task_run" }).status).toBe(R);
  });
});

describe("cancellation", () => {
  const cancelling: StateCreate = { type: "CANCELLING", message: "by Ada", state_details: {} };

  it("cancels a scheduled flow run at once, since no worker holds it", () => {
    const d = decide(stateOf("SCHEDULED"), cancelling);
    expect(d).toMatchObject({ status: A, sets_end_time: true });
    expect(d.state).toMatchObject({ type: "CANCELLED", name: "Cancelled", message: "by Ada" });
    expect(decide(stateOf("SCHEDULED", "Late"), cancelling).state?.type).toBe("CANCELLED");
  });

  it("leaves an AwaitingRetry flow run CANCELLING: its process may still be waiting", () => {
    expect(decide(stateOf("SCHEDULED", "AwaitingRetry"), cancelling).state?.type).toBe("CANCELLING");
  });

  it("leaves a scheduled task run CANCELLING: its flow's process stops it", () => {
    expect(decide(stateOf("SCHEDULED"), cancelling, { kind: "task_run" }).state?.type).toBe("CANCELLING");
  });

  it.each(["PENDING", "RUNNING", "PAUSED"] as const)("asks the worker to stop a %s flow run", (from) => {
    const d = decide(stateOf(from), cancelling);
    expect(d).toMatchObject({ status: A, sets_end_time: false });
    expect(d.state?.type).toBe("CANCELLING");
  });

  it("ends CANCELLING in CANCELLED, or in whatever the process reached first", () => {
    for (const type of ["CANCELLED", "COMPLETED", "FAILED", "CRASHED"] as const) {
      expect(decide(stateOf("CANCELLING"), { type, state_details: {} }).state?.type).toBe(type);
    }
  });

  it("tells a worker starting a cancelled or cancelling run to stop", () => {
    for (const from of ["CANCELLING", "CANCELLED"] as const) {
      const d = decide(stateOf(from), { type: "RUNNING", state_details: {} });
      expect(d).toMatchObject({ status: X, state: null, reason: `run is ${from.toLowerCase()}; stop working on it` });
    }
  });

  it("does not retry a run that fails while cancelling", () => {
    const run = { run_count: 1, retries: 3, retry_delay_seconds: 0 };
    expect(decide(stateOf("CANCELLING"), { type: "FAILED", state_details: {} }, { run }).state?.type).toBe("FAILED");
  });
});

describe("late marks", () => {
  const late: StateCreate = { type: "SCHEDULED", name: "Late", state_details: {} };

  it("marks a SCHEDULED run Late", () => {
    expect(decide(stateOf("SCHEDULED"), late).state).toMatchObject({ type: "SCHEDULED", name: "Late" });
  });

  it.each(["none", "PENDING", "RUNNING", "PAUSED"] as const)("refuses to mark a %s run Late", (from) => {
    const d = decide(from === "none" ? null : stateOf(from), late);
    expect(d).toMatchObject({ status: R, reason: "only a SCHEDULED run can be marked Late" });
  });
});

describe("reasons", () => {
  it("says why a finished run cannot move", () => {
    expect(decide(stateOf("COMPLETED"), { type: "RUNNING", state_details: {} }).reason).toBe(
      "run is already COMPLETED; only a forced transition leaves a terminal state",
    );
  });

  it("says why a second start is refused", () => {
    expect(decide(stateOf("PENDING"), { type: "PENDING", state_details: {} }).reason).toBe("run is already PENDING");
    expect(decide(stateOf("RUNNING"), { type: "RUNNING", state_details: {} }).reason).toBe("run is already RUNNING");
  });
});
