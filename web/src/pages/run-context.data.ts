import { createEffect, createResource, on } from "solid-js";
import type { DeploymentResponse } from "../../../protocol/deployments";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { Flow } from "../../../protocol/flows";
import type { WorkPool } from "../../../protocol/work-pools";
import { api } from "../api/client";
import { now } from "../components/Time";
import { useLive } from "../live";

/**
 * A resource's value once it has one, else undefined (loading, or failed: a deleted deployment, say). Read
 * without suspending: the header must not wait for these, and reading a loading resource's `latest`
 * would hold up the nearest Suspense, reading a failed one throws.
 */
export const settled =
  <T,>(r: { state: string; latest: T | undefined }) =>
  (): T | undefined =>
    r.state === "ready" || r.state === "refreshing" ? r.latest : undefined;

/**
 * What a flow run belongs to: its flow, its deployment and its work pool, for the run page's header. The
 * pool is re-read while the run waits for a worker, so "paused" or "no worker online" stays true: workers
 * coming and going arrive on the stream, a pool paused or resumed is seen on the page clock's next tick.
 */
export function createRunContext(run: () => FlowRun | undefined) {
  const [flow] = createResource(() => run()?.flow_id, (id) => api.get<Flow>(`/flows/${encodeURIComponent(id)}`));
  const [deployment] = createResource(
    () => run()?.deployment_id ?? undefined,
    (id) => api.get<DeploymentResponse>(`/deployments/${encodeURIComponent(id)}`),
  );
  const [pool, { refetch: refetchPool }] = createResource(
    () => run()?.work_pool_name ?? undefined,
    (name) => api.get<WorkPool>(`/work_pools/${encodeURIComponent(name)}`),
  );

  const waiting = () => run()?.state_type === "SCHEDULED" && !!run()?.work_pool_name;
  createEffect(on([now, () => run()?.state_type], () => void (waiting() && pool.state === "ready" && refetchPool()), { defer: true }));
  useLive(["workers"], (m) => {
    if (m.type === "worker" && waiting() && settled(pool)()?.id === m.work_pool_id) void refetchPool();
  });

  return {
    flow: settled(flow),
    deployment: settled(deployment),
    /** The deployment could not be read (deleted since the run was made): the header says so instead of waiting. */
    deploymentGone: () => !!deployment.error,
    pool: settled(pool),
  };
}

export type RunContext = ReturnType<typeof createRunContext>;
