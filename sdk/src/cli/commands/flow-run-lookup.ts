import type { DeploymentResponse } from "../../../../protocol/deployments";
import type { FlowRun } from "../../../../protocol/flow-runs";
import type { Flow } from "../../../../protocol/flows";
import { DEFAULT_STATE_NAMES, STATE_TYPES, type StateType } from "../../../../protocol/states";
import type { ApiClient } from "../../client/http";
import { byIds } from "../api";
import { UsageError } from "../errors";

/** Names that refine a type (a Late run is SCHEDULED), besides each type's own name. */
const REFINED: Record<string, StateType> = { Late: "SCHEDULED", AwaitingRetry: "SCHEDULED", Retrying: "RUNNING", Cached: "COMPLETED" };
const STATE_NAMES = [...Object.values(DEFAULT_STATE_NAMES), ...Object.keys(REFINED)];

/** One state filter of the API: it ANDs `type` with `name`, so each filter holds one of them. */
export type StateCriteria = { type: { any_: StateType[] } } | { name: { any_: string[] } };

/**
 * `--state failed,crashed` (types), `--state late` (names) or a mix such as `--state scheduled,late`, any
 * case. The API ANDs a type filter with a name filter, which would match nothing for a mix: a mix is asked
 * as two filters, whose runs together are those meant (mergeRuns). A name whose type is also given adds
 * nothing (scheduled,late is all SCHEDULED runs), so it needs no filter of its own.
 */
export function stateFilters(text: string): StateCriteria[] {
  const types: StateType[] = [];
  const names: string[] = [];
  for (const word of text.split(",").map((w) => w.trim()).filter(Boolean)) {
    const type = STATE_TYPES.find((t) => t === word.toUpperCase());
    const name = STATE_NAMES.find((n) => n.toLowerCase() === word.toLowerCase());
    if (type) types.push(type);
    else if (name) names.push(name);
    else throw new UsageError(`Unknown state ${JSON.stringify(word)}`, `States: ${STATE_TYPES.join(", ")}; or names such as Late, AwaitingRetry, Cached.`);
  }
  if (!types.length && !names.length) throw new UsageError("--state needs a state, e.g. --state failed");
  const ownNames = names.filter((n) => !types.includes(REFINED[n]!));
  return [...(types.length ? [{ type: { any_: types } }] : []), ...(ownNames.length ? [{ name: { any_: ownNames } }] : [])];
}

/**
 * The runs of several filters as one list: each run once, newest expected start first as the API sorts
 * them (EXPECTED_START_TIME_DESC: runs without one last, ties by id), at most `limit`. Each list holds
 * its filter's first `limit` runs, so the first `limit` of all of them are among them.
 */
export function mergeRuns(lists: readonly FlowRun[][], limit: number): FlowRun[] {
  const byId = new Map(lists.flat().map((r) => [r.id, r]));
  const key = (r: FlowRun) => r.expected_start_time ?? "";
  return [...byId.values()].sort((a, b) => (key(a) === key(b) ? (a.id < b.id ? 1 : -1) : key(a) < key(b) ? 1 : -1)).slice(0, limit);
}

const unique = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => !!v))];

/** Flow and deployment of each run, as `flow/deployment` (or `flow` for runs of scripts). */
export async function runOwners(client: ApiClient, runs: FlowRun[]): Promise<Map<string, string>> {
  const [flows, deployments] = await Promise.all([
    byIds(unique(runs.map((r) => r.flow_id)), (ids) => client.post<Flow[]>("/flows/filter", { flows: { id: { any_: ids } }, limit: 200 })),
    byIds(unique(runs.map((r) => r.deployment_id)), (ids) =>
      client.post<DeploymentResponse[]>("/deployments/filter", { deployments: { id: { any_: ids } }, limit: 200 }),
    ),
  ]);
  const flowName = new Map(flows.map((f) => [f.id, f.name]));
  const deploymentName = new Map(deployments.map((d) => [d.id, d.name]));
  const owners = new Map<string, string>();
  for (const run of runs) {
    const flow = flowName.get(run.flow_id) ?? run.flow_id.slice(0, 8);
    const deployment = run.deployment_id ? deploymentName.get(run.deployment_id) : undefined;
    owners.set(run.id, deployment ? `${flow}/${deployment}` : flow);
  }
  return owners;
}
