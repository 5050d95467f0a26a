import { describe, expect, it } from "vitest";
import { isLost, nextAlarm, workerDeadline } from "./alarm";
import type { KnownWorker } from "./store";
import { RECONNECT_GRACE_MS } from "./timing";

const worker = (fields: Partial<KnownWorker> = {}): KnownWorker => ({
  worker_id: "w",
  name: "w",
  kind: "socket",
  capacity: 1,
  heartbeat_ms: 10_000,
  last_beat: 1_000_000,
  lost_at: null,
  ...fields,
});

describe("workerDeadline and isLost", () => {
  it("give a connected worker three heartbeat intervals after its last beat", () => {
    const w = worker({ heartbeat_ms: 10_000, last_beat: 1_000_000 });
    expect(workerDeadline(w, true)).toBe(1_030_000);
    expect(isLost(w, true, 1_029_999)).toBe(false);
    expect(isLost(w, true, 1_030_000)).toBe(true);
    expect(workerDeadline(worker({ heartbeat_ms: 5_000, last_beat: 2_000 }), true)).toBe(17_000);
  });

  it("give a socket worker whose socket closed the reconnect grace from the moment it closed", () => {
    expect(RECONNECT_GRACE_MS).toBe(10_000);
    const w = worker({ last_beat: 1_000_000, lost_at: 1_025_000 });
    expect(workerDeadline(w, false)).toBe(1_035_000);
    expect(isLost(w, false, 1_034_999)).toBe(false);
    expect(isLost(w, false, 1_035_000)).toBe(true);
    // The grace replaces the heartbeat allowance, even when that would end later.
    expect(workerDeadline(worker({ last_beat: 1_000_000, lost_at: 1_000_500, heartbeat_ms: 60_000 }), false)).toBe(1_010_500);
  });

  it("count the grace from the last beat when the close was never recorded", () => {
    expect(workerDeadline(worker({ last_beat: 1_000_000, lost_at: null }), false)).toBe(1_010_000);
  });

  it("give a polling worker three heartbeat intervals, socket or not", () => {
    const w = worker({ kind: "poll", heartbeat_ms: 20_000, last_beat: 500_000, lost_at: null });
    expect(workerDeadline(w, false)).toBe(560_000);
    expect(isLost(w, false, 559_999)).toBe(false);
    expect(isLost(w, false, 560_000)).toBe(true);
  });

  it("make a killed worker's runs crash within 30 seconds with the default heartbeat", () => {
    const w = worker({ heartbeat_ms: 10_000, last_beat: 0 });
    expect(workerDeadline(w, true)).toBeLessThanOrEqual(30_000);
    expect(workerDeadline({ ...w, lost_at: 19_999 }, false)).toBeLessThanOrEqual(30_000);
  });
});

describe("nextAlarm", () => {
  const connected = (w: KnownWorker, holdsRuns = false) => ({ worker: w, connected: true, holdsRuns });
  const away = (w: KnownWorker, holdsRuns = false) => ({ worker: w, connected: false, holdsRuns });

  it("is null when nothing is due, held or known", () => {
    expect(nextAlarm({ heldDeadline: null, workers: [], nextDue: null })).toBeNull();
  });

  it("is the earliest of a held deadline, the next due run and each worker's deadline", () => {
    const w = connected(worker({ last_beat: 1_000_000 }));
    expect(nextAlarm({ heldDeadline: 1_020_000, workers: [w], nextDue: 1_040_000 })).toBe(1_020_000);
    expect(nextAlarm({ heldDeadline: 1_050_000, workers: [w], nextDue: 1_040_000 })).toBe(1_030_000);
    expect(nextAlarm({ heldDeadline: 1_050_000, workers: [w], nextDue: 1_010_000 })).toBe(1_010_000);
    expect(nextAlarm({ heldDeadline: 5, workers: [], nextDue: null })).toBe(5);
    expect(nextAlarm({ heldDeadline: null, workers: [], nextDue: 7 })).toBe(7);
  });

  it("takes the earliest worker of several, connected or in its grace", () => {
    const workers = [
      connected(worker({ worker_id: "a", last_beat: 2_000_000 })),
      away(worker({ worker_id: "b", last_beat: 1_900_000, lost_at: 2_001_000 })),
      connected(worker({ worker_id: "c", last_beat: 2_005_000 })),
    ];
    expect(nextAlarm({ heldDeadline: null, workers, nextDue: null })).toBe(2_011_000);
  });

  it("ignores a polling worker that is not connected and holds nothing, but not one that holds runs", () => {
    const poller = worker({ kind: "poll", last_beat: 100_000, heartbeat_ms: 10_000 });
    expect(nextAlarm({ heldDeadline: null, workers: [away(poller)], nextDue: 900_000 })).toBe(900_000);
    expect(nextAlarm({ heldDeadline: null, workers: [away(poller, true)], nextDue: 900_000 })).toBe(130_000);
  });

  it("keeps a disconnected socket worker in view even when it holds nothing, until its grace ends", () => {
    const gone = worker({ last_beat: 100_000, lost_at: 105_000 });
    expect(nextAlarm({ heldDeadline: null, workers: [away(gone)], nextDue: null })).toBe(115_000);
  });

  it("answers a deadline already past as it is, so the alarm fires at once", () => {
    expect(nextAlarm({ heldDeadline: 1, workers: [connected(worker())], nextDue: null })).toBe(1);
  });
});
