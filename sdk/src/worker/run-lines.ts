import type { StateCreate } from "../../../protocol/states";
import type { ReportAnswer } from "./connection";
import type { OfferedRun, RunEnd } from "./executor";

/*
 * What the worker prints about each run, one line per event, naming the run as the dashboard does.
 */

export const runLabel = (offer: OfferedRun) => `${offer.flow_name}/${offer.flow_run.name} (${offer.flow_run.id})`;

export type EndLine = { level: "success" | "info" | "warn" | "error"; text: string };

/** How a run ended, as the runtime or the agent's own report says. */
export function describeEnd(offer: OfferedRun, end: RunEnd, reported: StateCreate | null, answer: ReportAnswer | undefined): EndLine {
  const label = runLabel(offer);
  if (answer?.status === "LEASE_LOST") return { level: "warn", text: `${label} is no longer this worker's: ${answer.reason}` };
  // A REJECT that finds the run where the report wanted it (the runtime got there first) is no news.
  if (answer && answer.status !== "ACCEPT" && answer.state?.type !== reported?.type) {
    const kept = answer.state ? ` ${answer.state.name}` : "";
    return { level: "info", text: `${label} ended; the server kept its state${kept} (${answer.details.reason ?? answer.status})` };
  }
  if (reported?.type === "CRASHED") return { level: "error", text: `${label} crashed: ${reported.message}` };
  if (reported?.type === "CANCELLED") return { level: "warn", text: `${label} cancelled` };
  switch (end.outcome?.state) {
    case "COMPLETED":
      return { level: "success", text: `${label} completed` };
    case "FAILED":
      return { level: "error", text: `${label} failed${end.outcome.message ? `: ${end.outcome.message}` : ""}` };
    case "CANCELLED":
    case "CRASHED":
      return { level: "warn", text: `${label} ended ${end.outcome.state}${end.outcome.message ? `: ${end.outcome.message}` : ""}` };
    case "ABORTED":
      return { level: "warn", text: `${label} stopped: the server is cancelling it or gave it to another worker` };
    default:
      return { level: "info", text: `${label} stopped` };
  }
}
