import type { OrchestrationResult, SetStateBody } from "../../protocol/states";
import type { RunKind } from "../orchestration";
import { assertStateDataSize, currentState, decide, orchestrationResult, type RunStateRow, type Transition } from "./run-state";

/*
 * set_state for flow runs and task runs alike: read the run's current state, let worker/orchestration
 * decide, then write with an UPDATE that only applies if the state is still the one decided against
 * (run-state.ts `unchangedSince`). Two proposals racing from the same state cannot both win: the
 * loser re-reads and is orchestrated again against what the winner stored (a second RUNNING becomes
 * a REJECT).
 */

export type StateWrite = { changed: boolean; rows_written: number };
export type SetStateOutcome = { result: OrchestrationResult; rows_written: number };

/** How often a proposal is re-orchestrated after losing a race before it is refused. */
const MAX_ATTEMPTS = 5;

/**
 * Orchestrates and stores one proposal. `read` answers the run now (undefined: it is gone), `propose`
 * the proposal for it, `check` may refuse it before orchestration (lease fencing), `write` applies
 * the conditional update.
 */
export async function setStateRaceSafe<R extends RunStateRow>(opts: {
  kind: RunKind;
  propose: (row: R) => SetStateBody;
  read: () => Promise<R | undefined>;
  write: (row: R, t: Transition) => Promise<StateWrite>;
  check?: (row: R) => void;
  notFound: () => Error;
}): Promise<SetStateOutcome> {
  let rowsWritten = 0;
  let row: R | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    row = await opts.read();
    if (!row) throw opts.notFound();
    const body = opts.propose(row);
    assertStateDataSize(body.state);
    opts.check?.(row);
    const t = decide(opts.kind, row, body, new Date());
    if (t.decision.status !== "ACCEPT") return { result: orchestrationResult(t, row), rows_written: rowsWritten };
    const written = await opts.write(row, t);
    rowsWritten += written.rows_written;
    if (written.changed) return { result: orchestrationResult(t, row), rows_written: rowsWritten };
  }
  const reason = "the run's state kept changing while this proposal was applied; read the run and propose again";
  return { result: { status: "REJECT", state: row ? currentState(row) : null, details: { reason } }, rows_written: rowsWritten };
}

export const setStateStatus = (result: OrchestrationResult) => (result.status === "ACCEPT" ? 201 : 200);
