import { RESOURCE_ID, RESOURCE_NAME, RESOURCE_ROLE, type EventCreate, type RelatedResource } from "../../protocol/events";
import type { Deployment } from "../../protocol/deployments";
import type { WorkPool } from "../../protocol/work-pools";

/*
 * Baton's own events (names in protocol/events.ts), built from what the caller has in hand. Pure: the
 * publish hook (worker/events/from-stream.ts) reads the labels, routes pass the rows they just wrote.
 * Resource ids follow Prefect's `prefect.<kind>.<uuid>` with the `baton.` prefix, so a trigger on
 * `baton.flow-run.Completed` related to `baton.deployment.<id>` follows one deployment's runs.
 */

/** Labels of a run's resource (flow run or task run): what a trigger matches on without the payload. */
export const STATE_TYPE = "baton.state-type";
export const STATE_NAME = "baton.state-name";

export const resourceId = (kind: string, id: string) => `baton.${kind}.${id}`;

/** A related resource; a name is only a label when known (a deleted flow or pool has none). */
export function related(kind: string, id: string, role: string, name?: string | null): RelatedResource {
  return { [RESOURCE_ID]: resourceId(kind, id), [RESOURCE_ROLE]: role, ...(name ? { [RESOURCE_NAME]: name } : {}) };
}

/**
 * Event names may not hold spaces (protocol/events.ts EventName), but a client may name a state
 * `Waiting for approval`; the event is then `baton.flow-run.Waiting-for-approval`.
 */
const namePart = (stateName: string) => stateName.replace(/[\s\u0000-\u001f]+/g, "-");

export type StateChange = { id: string; state_type: string; state_name: string; timestamp: string };

/** What the publish hook reads about a flow run to label its events (null names: the row is gone). */
export type FlowRunLabels = {
  name: string | null;
  flow_id: string | null;
  flow_name: string | null;
  deployment_id: string | null;
  deployment_name: string | null;
  work_pool_id: string | null;
  work_pool_name: string | null;
  tags: string[];
};

function runRelated(run: FlowRunLabels | undefined): RelatedResource[] {
  if (!run) return [];
  const list: RelatedResource[] = [];
  if (run.flow_id) list.push(related("flow", run.flow_id, "flow", run.flow_name));
  if (run.deployment_id) list.push(related("deployment", run.deployment_id, "deployment", run.deployment_name));
  if (run.work_pool_id) list.push(related("work-pool", run.work_pool_id, "work-pool", run.work_pool_name));
  return list;
}

const tagsRelated = (tags: readonly string[]) => tags.map((t) => related("tag", t, "tag", t));

function stateResource(kind: string, change: StateChange, name: string | null | undefined): Record<string, string> {
  return {
    [RESOURCE_ID]: resourceId(kind, change.id),
    ...(name ? { [RESOURCE_NAME]: name } : {}),
    [STATE_TYPE]: change.state_type,
    [STATE_NAME]: change.state_name,
  };
}

const statePayload = (change: StateChange) => ({ state: { type: change.state_type, name: change.state_name, timestamp: change.timestamp } });

/** `baton.flow-run.<StateName>`, at the state's time, related to the run's flow, deployment, pool and tags. */
export function flowRunStateEvent(change: StateChange, run: FlowRunLabels | undefined): EventCreate {
  return {
    event: `baton.flow-run.${namePart(change.state_name)}`,
    occurred: change.timestamp,
    resource: stateResource("flow-run", change, run?.name),
    related: [...runRelated(run), ...tagsRelated(run?.tags ?? [])],
    payload: { flow_run_id: change.id, ...statePayload(change) },
  };
}

/** `baton.task-run.<StateName>`, related to its flow run and, through it, the flow, deployment and pool. */
export function taskRunStateEvent(change: StateChange, task: { name: string | null; flow_run_id: string }, run: FlowRunLabels | undefined): EventCreate {
  return {
    event: `baton.task-run.${namePart(change.state_name)}`,
    occurred: change.timestamp,
    resource: stateResource("task-run", change, task.name),
    related: [related("flow-run", task.flow_run_id, "flow-run", run?.name), ...runRelated(run)],
    payload: { task_run_id: change.id, flow_run_id: task.flow_run_id, ...statePayload(change) },
  };
}

/** `baton.worker.online|offline`, related to the worker's pool. */
export function workerEvent(
  status: "ONLINE" | "OFFLINE",
  worker: { worker_id: string; name: string; work_pool_id: string },
  poolName: string | null | undefined,
  occurred?: string,
): EventCreate {
  return {
    event: `baton.worker.${status === "ONLINE" ? "online" : "offline"}`,
    ...(occurred ? { occurred } : {}),
    resource: { [RESOURCE_ID]: resourceId("worker", worker.worker_id), [RESOURCE_NAME]: worker.name },
    related: [related("work-pool", worker.work_pool_id, "work-pool", poolName)],
    payload: { worker_id: worker.worker_id, work_pool_id: worker.work_pool_id, status },
  };
}

export type ChangeKind = "created" | "updated" | "deleted" | "paused" | "resumed";

/** `baton.work-pool.<kind>`; `payload` says more where the caller knows it (the fields an update sent). */
export function workPoolEvent(kind: ChangeKind, pool: Pick<WorkPool, "id" | "name">, payload: Record<string, unknown> = {}): EventCreate {
  return {
    event: `baton.work-pool.${kind}`,
    resource: { [RESOURCE_ID]: resourceId("work-pool", pool.id), [RESOURCE_NAME]: pool.name },
    related: [],
    payload: { work_pool_id: pool.id, ...payload },
  };
}

/** What a deployment event needs: the API's Deployment, plus its pool's id where the caller has it. */
export type DeploymentLabels = Pick<Deployment, "id" | "name" | "flow_id" | "flow_name"> &
  Partial<Pick<Deployment, "tags" | "work_pool_name">> & { work_pool_id?: string | null };

/** `baton.deployment.<kind>`, related to its flow, its pool (when its id is given) and its tags. */
export function deploymentEvent(kind: ChangeKind, deployment: DeploymentLabels, payload: Record<string, unknown> = {}): EventCreate {
  const list: RelatedResource[] = [related("flow", deployment.flow_id, "flow", deployment.flow_name)];
  if (deployment.work_pool_id) list.push(related("work-pool", deployment.work_pool_id, "work-pool", deployment.work_pool_name));
  return {
    event: `baton.deployment.${kind}`,
    resource: { [RESOURCE_ID]: resourceId("deployment", deployment.id), [RESOURCE_NAME]: deployment.name },
    related: [...list, ...tagsRelated(deployment.tags ?? [])],
    payload: { deployment_id: deployment.id, ...payload },
  };
}
