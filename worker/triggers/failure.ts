import { RESOURCE_ID, RESOURCE_NAME, RESOURCE_ROLE, type Event, type EventCreate } from "../../protocol/events";
import { related, resourceId } from "../events/baton-events";

export const TRIGGER_FAILED = "baton.trigger.failed";

type FailedTrigger = { id: string; name: string | null; deployment_id: string };

/**
 * `baton.trigger.failed`: the trigger matched `event` but its run could not be created (`reason`: a
 * paused deployment, parameters that do not fit its schema, a deployment deleted meanwhile).
 */
export function triggerFailedEvent(trigger: FailedTrigger, event: Pick<Event, "id" | "event">, reason: string): EventCreate {
  return {
    event: TRIGGER_FAILED,
    resource: { [RESOURCE_ID]: resourceId("trigger", trigger.id), ...(trigger.name ? { [RESOURCE_NAME]: trigger.name } : {}) },
    related: [
      related("deployment", trigger.deployment_id, "deployment"),
      { [RESOURCE_ID]: resourceId("event", event.id), [RESOURCE_ROLE]: "triggering-event", [RESOURCE_NAME]: event.event },
    ],
    payload: { reason, trigger_id: trigger.id, deployment_id: trigger.deployment_id, event_id: event.id, event: event.event },
  };
}
