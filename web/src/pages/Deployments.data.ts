import type { ApiClient } from "../api/client";
import type { CreateFlowRunFromDeployment, DeploymentResponse } from "../../../protocol/deployments";
import type { FlowRun } from "../../../protocol/flow-runs";
import type { DeploymentSchedule, DeploymentScheduleCreate, DeploymentScheduleUpdate } from "../../../protocol/schedules";

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

/** Recent runs of the deployment, newest first. */
export const loadDeploymentRuns = (client: Pick<ApiClient, "post">, id: string) =>
  client.post<FlowRun[]>("/flow_runs/filter", { deployments: { id: { any_: [id] } }, sort: "EXPECTED_START_TIME_DESC", limit: 10 });

/** The CLI line that runs the same deployment, shown so people learn the scriptable way too. */
export const runCommand = (d: Pick<DeploymentResponse, "flow_name" | "name">) => `npx baton deployment run ${d.flow_name}/${d.name}`;
