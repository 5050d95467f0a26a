import type { ApiClient } from "../api/client";
import type { CreateFlowRunFromDeployment, DeploymentResponse } from "../../../protocol/deployments";
import type { StreamServerMessage } from "../../../protocol/events-stream";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { DeploymentSchedule, DeploymentScheduleCreate, DeploymentScheduleUpdate } from "../../../protocol/schedules";
import { STATE_TYPES } from "../../../protocol/states";

const path = (id: string) => `/deployments/${encodeURIComponent(id)}`;

/** Deployments, optionally of one flow (the Flows page links here with ?flow=name). */
export const loadDeployments = (client: Pick<ApiClient, "post">, flowName?: string) =>
  client.post<DeploymentResponse[]>("/deployments/filter", {
    ...(flowName ? { flows: { name: { any_: [flowName] } } } : {}),
    sort: "NAME_ASC",
    limit: 200,
  });

export const loadDeployment = (client: Pick<ApiClient, "get">, id: string) => client.get<DeploymentResponse>(path(id));

export const setDeploymentPaused = (client: Pick<ApiClient, "post">, id: string, paused: boolean) =>
  client.post<unknown>(`${path(id)}/${paused ? "pause_deployment" : "resume_deployment"}`);

export const runDeployment = (client: Pick<ApiClient, "post">, id: string, body: Partial<CreateFlowRunFromDeployment>) =>
  client.post<FlowRun>(`${path(id)}/create_flow_run`, body);

export const createSchedule = (client: Pick<ApiClient, "post">, id: string, body: DeploymentScheduleCreate) =>
  client.post<DeploymentSchedule[]>(`${path(id)}/schedules`, [body]);

export const updateSchedule = (client: Pick<ApiClient, "patch">, id: string, scheduleId: string, body: DeploymentScheduleUpdate) =>
  client.patch<unknown>(`${path(id)}/schedules/${encodeURIComponent(scheduleId)}`, body);

export const deleteSchedule = (client: Pick<ApiClient, "delete">, id: string, scheduleId: string) =>
  client.delete<unknown>(`${path(id)}/schedules/${encodeURIComponent(scheduleId)}`);

const NOT_SCHEDULED = STATE_TYPES.filter((t) => t !== "SCHEDULED");

export interface DeploymentRuns {
  /** Waiting for their time or a worker (Late ones first), soonest first. */
  upcoming: FlowRun[];
  /** Every other run, newest first. */
  recent: FlowRun[];
}

/**
 * The deployment's next and latest runs, as two lists: a schedule creates up to 100 future runs, which
 * would otherwise push every run that happened out of a single newest-first list.
 */
export async function loadDeploymentRuns(client: Pick<ApiClient, "post">, id: string): Promise<DeploymentRuns> {
  const ofDeployment = { deployments: { id: { any_: [id] } } };
  const [upcoming, recent] = await Promise.all([
    client.post<FlowRun[]>("/flow_runs/filter", { ...ofDeployment, flow_runs: { state: { type: { any_: ["SCHEDULED"] } } }, sort: "EXPECTED_START_TIME_ASC", limit: 5 }),
    client.post<FlowRun[]>("/flow_runs/filter", { ...ofDeployment, flow_runs: { state: { type: { any_: NOT_SCHEDULED } } }, sort: "EXPECTED_START_TIME_DESC", limit: 10 }),
  ]);
  return { upcoming, recent };
}

/**
 * Whether a live flow-run message may change the deployment's run lists: a run they show moved, or a run
 * was created that is (or may be: the scheduler's messages do not name the deployment) one of its own.
 */
export function concernsDeploymentRuns(message: StreamServerMessage, deploymentId: string, shown: DeploymentRuns | undefined): boolean {
  if (message.type !== "flow_run") return false;
  const { id, created } = message.flow_run;
  if (created) {
    const deployment = (message.flow_run_full as Partial<FlowRun> | undefined)?.deployment_id;
    return deployment === undefined || deployment === deploymentId;
  }
  return !!shown && [...shown.upcoming, ...shown.recent].some((r) => r.id === id);
}

/** The CLI line that runs the same deployment, shown so people learn the scriptable way too. */
export const runCommand = (d: Pick<DeploymentResponse, "flow_name" | "name">) => `npx baton deployment run ${d.flow_name}/${d.name}`;
