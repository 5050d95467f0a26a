import type * as v from "valibot";
import type { DeploymentCreate, DeploymentResponse } from "../../../protocol/deployments";
import type { Flow as FlowRecord } from "../../../protocol/flows";
import { HttpError, type ApiClient } from "../client/http";
import { deploymentRetryFields } from "../runtime/retry-policy";
import { findWorkPool } from "./api";
import type { ScheduleInput } from "./args";
import type { FoundFlow } from "./entrypoint";
import { CliError } from "./errors";
import { npxBaton, shellWord } from "./format";
import type { TriggerInput } from "./triggers";

export interface DeployInput {
  found: FoundFlow;
  /** The project directory the entrypoint is relative to (the deployment's `path`). */
  path: string;
  name: string;
  pool: string;
  /** Create the pool when it does not exist, instead of refusing. */
  createPool: boolean;
  /** Replaces the deployment's schedules when given; existing schedules stay when not. */
  schedule?: ScheduleInput;
  parameters: Record<string, unknown>;
  tags: string[];
  /** Replaces the deployment's triggers when given; existing triggers stay when not. */
  triggers?: TriggerInput[];
}

export interface Deployed {
  deployment: DeploymentResponse;
  created: boolean;
  poolCreated: boolean;
}

async function ensurePool(client: ApiClient, name: string, create: boolean): Promise<boolean> {
  if (await findWorkPool(client, name)) return false;
  if (!create) {
    throw new CliError("E_POOL_NOT_FOUND", `Work pool ${name} does not exist.`, {
      hint: `Add --create-pool to create it, or create it first: ${npxBaton(`work-pool create ${shellWord(name)}`)}`,
    });
  }
  try {
    await client.post("/work_pools/", { name });
    return true;
  } catch (error) {
    // Someone else created it meanwhile: that is what was wanted.
    if (error instanceof HttpError && error.status === 409) return false;
    throw error;
  }
}

/** Registers the flow (idempotent by name) and creates or replaces the deployment of that flow and name. */
export async function deploy(client: ApiClient, input: DeployInput): Promise<Deployed> {
  const { flow } = input.found;
  const poolCreated = await ensurePool(client, input.pool, input.createPool);
  const record = await client.post<FlowRecord>("/flows/", { name: flow.name, tags: flow.options.tags ?? [] });
  const body: v.InferInput<typeof DeploymentCreate> = {
    name: input.name,
    flow_id: record.id,
    entrypoint: input.found.entrypoint,
    path: input.path,
    work_pool_name: input.pool,
    description: flow.options.description ?? null,
    version: flow.options.version ?? null,
    parameters: input.parameters,
    parameter_openapi_schema: flow.parameterSchema(),
    ...deploymentRetryFields(`flow ${flow.name}`, flow.options),
    tags: input.tags,
    ...(input.schedule ? { schedules: [{ schedule: input.schedule, active: true }] } : {}),
    ...(input.triggers ? { triggers: input.triggers } : {}),
  };
  const deployment = await client.post<DeploymentResponse>("/deployments/", body);
  // The upsert answers 201 or 200, which the client does not pass on; a new row has never been updated.
  return { deployment, created: deployment.created === deployment.updated, poolCreated };
}
