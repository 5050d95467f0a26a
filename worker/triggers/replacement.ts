import type { DeploymentTrigger, TriggerSpec } from "../../protocol/triggers";
import { sameJson } from "../db/deployment-schedules";

/*
 * Replacing a deployment's triggers keeps the id of each trigger that is sent again (same name, or else
 * identical): the id keys the run's idempotency (`trigger:{id}:{event id}`) and the threshold window, so
 * redeploying the same triggers neither lets a redelivered event start a second run nor resets a count.
 */

export const specOf = (t: DeploymentTrigger): TriggerSpec => ({
  name: t.name,
  enabled: t.enabled,
  expect: t.expect,
  match: t.match,
  match_related: t.match_related,
  threshold: t.threshold,
  within: t.within,
  parameters: t.parameters,
});

export type TriggerReplacement = {
  /** Existing triggers that stay, with the spec they now have (`changed` when it differs). */
  kept: { id: string; spec: TriggerSpec; changed: boolean }[];
  inserts: TriggerSpec[];
};

export function planTriggerReplacement(existing: DeploymentTrigger[], incoming: TriggerSpec[]): TriggerReplacement {
  const unclaimed = new Map(existing.map((t) => [t.id, { trigger: t, spec: specOf(t) }]));
  const kept: TriggerReplacement["kept"] = [];
  const inserts: TriggerSpec[] = [];
  for (const spec of incoming) {
    const candidates = [...unclaimed.values()];
    const same = (spec.name !== null ? candidates.find((c) => c.trigger.name === spec.name) : undefined) ?? candidates.find((c) => sameJson(c.spec, spec));
    if (!same) {
      inserts.push(spec);
      continue;
    }
    unclaimed.delete(same.trigger.id);
    kept.push({ id: same.trigger.id, spec, changed: !sameJson(same.spec, spec) });
  }
  return { kept, inserts };
}
