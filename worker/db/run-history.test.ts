import { describe, expect, it } from "vitest";
import { api } from "../test/http";
import { newFlowRun } from "../test/runs";
import { MAX_HISTORY_STATES } from "./run-state";

describe("state history", () => {
  it(`keeps the newest ${MAX_HISTORY_STATES} states of a run that is rescheduled without end`, async () => {
    const run = await newFlowRun({ state: { type: "SCHEDULED" } });
    const total = MAX_HISTORY_STATES + 5;
    for (let i = 1; i < total; i++) {
      const res = await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "SCHEDULED", message: `reschedule ${i}` } });
      expect(res.body.status).toBe("ACCEPT");
    }
    const history = (await api("GET", `/flow_runs/${run.id}/states`)).body;
    expect(history).toHaveLength(MAX_HISTORY_STATES);
    expect(history.at(-1).message).toBe(`reschedule ${total - 1}`);
    expect(history[0].message).toBe(`reschedule ${total - MAX_HISTORY_STATES}`);
    // 205 sequential state changes, each also stored as an event in the background: seconds on a busy machine.
  }, 20_000);
});
