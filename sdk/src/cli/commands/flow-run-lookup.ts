import type { DeploymentResponse } from "../../../../protocol/deployments";
import type { FlowRun } from "../../../../protocol/flow-runs";
import type { Flow } from "../../../../protocol/flows";
import { DEFAULT_STATE_NAMES, STATE_TYPES, type StateType } from "../../../../protocol/states";
import type { ApiClient } from "../../client/http";
import { UsageError } from "../errors";

/** Names that refine a type (a Late run is SCHEDULED), besides each type's own name. */
const STATE_NAMES = [...Object.values(DEFAULT_STATE_NAMES), "Late", "AwaitingRetry", "Retrying", "Cached"];

/**
 * `--state failed,crashed` (types) or `--state late` (names), any case. The server ANDs a type filter with
 * a name filter, so a mix would match nothing: refused instead.
 */
export function stateFilter(text: string): { type?: { any_: StateType[] }; name?: { any_: string[] } } {
  const types: StateType[] = [];
  const names: string[] = [];
  for (const word of text.split(",").map((w) => w.trim()).filter(Boolean)) {
    const type = STATE_TYPES.find((t) => t === word.toUpperCase());
    const name = STATE_NAMES.find((n) => n.toLowerCase() === word.toLowerCase());
    if (type) types.push(type);
    else if (name) names.push(name);
    else throw new UsageError(`Unknown state ${JSON.stringify(word)}`, `States: ${STATE_TYPES.join(", ")}; or names such as Late, AwaitingRetry, Cached.`);
  }
  if (types.length && names.length) throw new UsageError("Give --state either types (failed,crashed) or names (late), not both");
  if (!types.length && !names.length) throw new UsageError("--state needs a state, e.g. --state failed");
  return types.length ? { type: { any_: types } } : { name: { any_: names } };
}

const unique = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => !!v))];

/** Filters take at most 90 ids (D1 binds 100 parameters a statement), so long lists go in several requests. */
async function byIds<T>(ids: string[], fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 90) chunks.push(ids.slice(i, i + 90));
  return (await Promise.all(chunks.map(fetch))).flat();
}

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
