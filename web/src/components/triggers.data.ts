import type { DeploymentTrigger } from "../../../protocol/triggers";
import { formatDuration } from "../format";

/*
 * A deployment trigger in words for its page (protocol/triggers.ts has the semantics): which events,
 * matching which labels, how many within how long, and the parameters its runs get.
 */

type LabelPatterns = DeploymentTrigger["match"];

/** `shop.order.*` or `a, b`; an empty list matches every event. */
export const describeExpect = (expect: readonly string[]): string => (expect.length ? expect.join(", ") : "any event");

/** One `label = pattern` per label; a list of patterns (any may match) joined with "or". */
export const describeLabels = (labels: LabelPatterns): string[] =>
  Object.entries(labels).map(([label, p]) => `${label} = ${Array.isArray(p) ? p.join(" or ") : p}`);

/** "every matching event", or "10 matching events within 1m 00s". */
export function describeFiring(t: Pick<DeploymentTrigger, "threshold" | "within">): string {
  if (t.threshold <= 1) return "on every matching event";
  return `once ${t.threshold} matching events arrive within ${formatDuration(t.within)}`;
}

/** The parameters template as JSON, or undefined when the runs get the deployment's defaults only. */
export const describeParameters = (parameters: Record<string, unknown>): string | undefined =>
  Object.keys(parameters).length ? JSON.stringify(parameters, null, 2) : undefined;

/** The schedules section's empty text, true also of a deployment that triggers start. */
export const noScheduleText = (triggers: number): string =>
  triggers > 0
    ? `No schedule: this deployment runs when asked, or when ${triggers === 1 ? "its trigger fires" : "one of its triggers fires"} (below). Add a schedule to run it regularly.`
    : "No schedule: this deployment runs only when asked. Add one to run it regularly.";
