import type { Event } from "../../protocol/events";
import { ApiError } from "../errors";
import { render } from "../events/template";
import type { DeploymentRunRequest } from "../runs/deployment-run";

type Firing = { id: string; parameters: Record<string, unknown> };

/** One event never starts two runs of a trigger: the flow run's idempotency key (unique per flow). */
export const triggerIdempotencyKey = (triggerId: string, eventId: string) => `trigger:${triggerId}:${eventId}`;

/**
 * The run a trigger asks for when `event` fires it: its parameters templated from the event, merged over
 * the deployment's defaults later. Values are passed as found, never coerced (a number stays a number:
 * the deployment's schema decides); a value the event lacks is null, its path added to `missing`.
 */
export function triggeredRunRequest(trigger: Firing, event: Event, missing: string[] = []): DeploymentRunRequest {
  const rendered = render(trigger.parameters, { event }, missing);
  return {
    name: null,
    parameters: rendered !== null && typeof rendered === "object" && !Array.isArray(rendered) ? (rendered as Record<string, unknown>) : {},
    scheduled_time: null,
    idempotency_key: triggerIdempotencyKey(trigger.id, event.id),
    parent_task_run_id: null,
    state_message: `Triggered by ${event.event} (${event.id})`,
  };
}

/**
 * Why a run could not be created, for `baton.trigger.failed`. `stale`: the engine's copy of the
 * deployment may be out of date (a foreign key failed: the deployment, its flow or its pool was
 * deleted since it was loaded), so trying again with a fresh copy may succeed.
 */
export function failureOf(error: unknown, missing: readonly string[] = []): { reason: string; stale: boolean } {
  if (error instanceof ApiError) {
    // A parameter null because the event lacked it fails the schema as "null is invalid": say why it was null.
    const hint = missing.length > 0 && error.status === 422 ? ` (the trigger's template found nothing at ${[...new Set(missing)].join(", ")})` : "";
    return { reason: `${error.detail}${hint}`, stale: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { reason: `the run could not be created: ${message}`, stale: /FOREIGN KEY/i.test(message) };
}
