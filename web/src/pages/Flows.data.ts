import type { ApiClient } from "../api/client";
import type { Flow } from "../../../protocol/flows";

export interface FlowRow {
  flow: Flow;
  runs: number;
  failed: number;
  deployments: number;
}

type Post = Pick<ApiClient, "post">;
const byFlow = (id: string) => ({ flows: { id: { any_: [id] } } });

/**
 * Flows with their run and deployment counts (a few small counts per flow, asked in parallel). Runs count
 * up to `now`: the scheduler creates runs hours ahead, and counting those would inflate "runs" with ones
 * that have not happened.
 */
export async function loadFlows(client: Post, now = new Date().toISOString()): Promise<FlowRow[]> {
  const happened = { expected_start_time: { before_: now } };
  const flows = await client.post<Flow[]>("/flows/filter", { sort: "NAME_ASC", limit: 200 });
  return Promise.all(
    flows.map(async (flow) => {
      const [runs, failed, deployments] = await Promise.all([
        client.post<number>("/flow_runs/count", { ...byFlow(flow.id), flow_runs: happened }),
        client.post<number>("/flow_runs/count", {
          ...byFlow(flow.id),
          flow_runs: { ...happened, state: { type: { any_: ["FAILED", "CRASHED"] } } },
        }),
        client.post<number>("/deployments/count", byFlow(flow.id)),
      ]);
      return { flow, runs, failed, deployments };
    }),
  );
}

/** Flow names by id, for lists of runs (which carry only flow_id). */
export async function loadFlowNames(client: Post): Promise<Map<string, string>> {
  const flows = await client.post<Flow[]>("/flows/filter", { limit: 200 });
  return new Map(flows.map((f) => [f.id, f.name]));
}
