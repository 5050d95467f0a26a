import { sql } from "drizzle-orm";
import { isTerminal, type StateType } from "../../protocol/states";
import type { Db } from "./client";
import { endedRuns, endRuns, OPEN, type EndedRow, type EndedRun } from "./end-runs";
import type { StoredState } from "./schema";

/*
 * A flow run that ends takes its unfinished task runs with it. The process that ran them is gone
 * (killed on cancel, lost on crash) or never awaited them, so nobody would ever report their end: left
 * alone they stay Running forever, and the run page's timeline grows with them.
 *
 * - CANCELLED flow run: its open task runs end CANCELLED.
 * - CRASHED, FAILED or COMPLETED flow run: they end CRASHED. Prefect leaves a task the flow never
 *   awaited as it was; Baton does not, since no process is left to finish it.
 * The message names the reason ("the flow run was cancelled while this task run was running"). The
 * statement goes in the same D1 batch as the flow run's transition and only applies if that transition
 * was stored (the flow run's state_id is the new one), so the pair is all or nothing. It walks the flow
 * run's task runs by the index task_runs_flow_run_key and writes no row when none is open: a flow run
 * whose tasks all finished pays nothing for it. A late report from the killed process cannot reopen
 * them: the rules refuse RUNNING after CANCELLED (ABORT) and any state after CRASHED (REJECT),
 * worker/orchestration/transitions.ts.
 */

/** What the open task runs of a flow run entering `flowRunState` become, or null when it does not end. */
export function taskRunEnding(flowRunState: StateType): { type: StateType; because: string } | null {
  if (!isTerminal(flowRunState)) return null;
  switch (flowRunState) {
    case "CANCELLED":
      return { type: "CANCELLED", because: "the flow run was cancelled" };
    case "CRASHED":
      return { type: "CRASHED", because: "the flow run crashed" };
    default:
      return { type: "CRASHED", because: `the flow run ended ${flowRunState}` };
  }
}

export type { EndedRow };
/** A task run ended with its flow run: what the live stream is told. */
export type EndedTaskRun = EndedRun;

/** The statement that ends the open task runs of `flowRunId`, once (and only if) the flow run holds `flowState`. */
export function endOpenTaskRuns(db: Db, flowRunId: string, flowState: StoredState): D1PreparedStatement {
  const ending = taskRunEnding(flowState.type)!;
  return endRuns(db, {
    table: "task_runs",
    where: sql`t.flow_run_id = ${flowRunId} AND ${OPEN}
      AND EXISTS (SELECT 1 FROM flow_runs f WHERE f.id = ${flowRunId} AND f.state_id = ${flowState.id})`,
    type: ending.type,
    message: sql`${ending.because} || ' while this task run was ' || lower(coalesce(t.state_type, 'without a state'))`,
    at: flowState.timestamp,
  });
}

export const endedTaskRuns = (rows: EndedRow[], flowState: StoredState): EndedTaskRun[] => endedRuns(rows, taskRunEnding(flowState.type)!.type);
