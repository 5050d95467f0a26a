import { RESOURCE_ID } from "../../protocol/events";
import { isTerminal, type StateType } from "../../protocol/states";
import { STATE_TYPE } from "../events/baton-events";

/*
 * A trigger that matches its own runs' state events (`*`, or `baton.flow-run.*` without a deployment)
 * would start a run on the Scheduled event of the run it just started, and so on without end. The
 * engine remembers which runs each trigger started, and such a trigger ignores the events of those runs
 * until they end: a loop through finished runs (run again once done) stays possible, at the pace of
 * the workers, never a loop of runs that nobody ran.
 */

/** How many started runs are remembered; the oldest are forgotten first. */
const REMEMBERED = 10_000;

export class OwnRuns {
  private readonly starter = new Map<string, string>();

  /** `runId` was started by `triggerId`. */
  started(runId: string, triggerId: string): void {
    this.starter.set(`baton.flow-run.${runId}`, triggerId);
    if (this.starter.size > REMEMBERED) this.starter.delete(this.starter.keys().next().value!);
  }

  /** Whether the event is about a run `triggerId` started, that has not ended yet. */
  isOwnUnfinished(triggerId: string, event: { resource: Record<string, string> }): boolean {
    if (this.starter.get(event.resource[RESOURCE_ID] ?? "") !== triggerId) return false;
    return !isTerminal(event.resource[STATE_TYPE] as StateType | undefined);
  }
}
