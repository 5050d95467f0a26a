import type { Context } from "hono";
import type { DeploymentRow } from "../db/deployments";
import { withNames } from "../db/deployments";
import { deploymentEvent, type ChangeKind, type DeploymentLabels } from "../events/baton-events";
import { emitEvents } from "../events/emit";
import { triggerEngine } from "../triggers/engine";
import type { AppEnv } from "../types";

/*
 * What follows every change of a deployment: the trigger engine drops its cached copy (it keeps each
 * trigger's deployment, to fire without a read), and a `baton.deployment.<kind>` event is emitted in
 * the background.
 */

/**
 * Awaited, so that an event sent right after the answer meets the new triggers; a failure is only
 * logged, since the engine also reloads on its own within a minute.
 */
async function invalidateTriggers(c: Context<AppEnv>): Promise<void> {
  await triggerEngine(c.env)
    .invalidate()
    .catch((e: unknown) => console.error("triggers: invalidate failed", e));
}

/** `labels`: the deployment with its names, or its row (the names are then read in the background). */
export async function deploymentChanged(
  c: Context<AppEnv>,
  kind: ChangeKind,
  labels: DeploymentLabels | DeploymentRow,
  payload: Record<string, unknown> = {},
): Promise<void> {
  await invalidateTriggers(c);
  const event = async () => deploymentEvent(kind, "flow_name" in labels ? labels : await withNames(c.var.db, labels), payload);
  c.executionCtx.waitUntil(
    event()
      .then((e) => emitEvents(c.env, [e]))
      .catch((e: unknown) => console.error("events: deployment event failed", e)),
  );
}
