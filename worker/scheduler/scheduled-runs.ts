import type { StateCreate } from "../../protocol/states";
import { newId } from "../db/ids";
import { generateRunName } from "../db/run-names";
import { decide, initialStateValues } from "../db/run-state";
import type { DueSchedule, FillRun, FillUpdate } from "../db/schedule-fill";
import type { PlannedRun } from "./plan";

/** Prefect marks the runs its scheduler creates with this tag. */
export const AUTO_SCHEDULED_TAG = "auto-scheduled";

/** One run per deployment, schedule and slot: the unique (flow_id, idempotency_key) index keeps it so. */
export const scheduleKey = (deploymentId: string, scheduleId: string, slot: Date) =>
  `scheduled:${deploymentId}:${scheduleId}:${slot.toISOString()}`;

/**
 * The flow run of a planned slot, built through the same orchestration as any created run: SCHEDULED
 * at the slot, or CANCELLED "Skipped" for a missed slot that is only recorded. Parameters are the
 * deployment's overlaid by the schedule's, as for a run created from the deployment by hand.
 */
export function scheduledRun(due: DueSchedule, planned: PlannedRun, update: FillUpdate, now: Date): FillRun {
  const state_details = { scheduled_time: planned.slot.toISOString() };
  const state: StateCreate = planned.skipped
    ? { type: "CANCELLED", name: "Skipped", message: planned.message, state_details }
    : { type: "SCHEDULED", message: planned.message, state_details };
  const t = decide("flow_run", null, { state, force: false }, now);
  const stamp = now.toISOString();
  return {
    id: newId(),
    created: stamp,
    updated: stamp,
    name: generateRunName(),
    parameters: { ...due.deployment_parameters, ...due.parameters },
    idempotency_key: scheduleKey(due.deployment_id, due.id, planned.slot),
    auto_scheduled: true,
    tags: [...new Set([...due.tags, AUTO_SCHEDULED_TAG])],
    empirical_policy: { retries: due.retries, retry_delay: due.retry_delay_seconds },
    ...initialStateValues(t),
    schedule: update,
  };
}
