import * as v from "valibot";
import { AnyOf, Description, IsoDateTime, JsonObject, Limit, ListOf, Name, Offset, Tags, Uuid } from "./common";
import { DeploymentSchedule, DeploymentScheduleCreate } from "./schedules";
import { DeploymentTrigger, TriggerSpecs } from "./triggers";

const ConcurrencyLimit = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)));

export const DeploymentCreate = v.object({
  name: Name,
  flow_id: Uuid,
  description: v.optional(v.nullable(Description), null),
  version: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(200))), null),
  /** `path/to/file.ts:exportName`, relative to `path`. */
  entrypoint: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(1000))), null),
  path: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(1000))), null),
  work_pool_name: v.optional(v.nullable(Name), null),
  parameters: v.optional(JsonObject, {}),
  parameter_openapi_schema: v.optional(v.nullable(JsonObject), null),
  enforce_parameter_schema: v.optional(v.boolean(), true),
  job_variables: v.optional(JsonObject, {}),
  tags: v.optional(Tags, []),
  paused: v.optional(v.boolean(), false),
  concurrency_limit: v.optional(ConcurrencyLimit, null),
  collision_strategy: v.optional(v.picklist(["ENQUEUE", "CANCEL_NEW"]), "ENQUEUE"),
  retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)), 0),
  retry_delay_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(86_400 * 7)), 0),
  /** Schedules to set on the deployment; on an upsert they replace the existing ones. */
  schedules: v.optional(v.pipe(v.array(DeploymentScheduleCreate), v.maxLength(50))),
  /** Triggers that start runs when events match (protocol/triggers.ts); given, they replace the existing ones. */
  triggers: v.optional(TriggerSpecs),
});
export type DeploymentCreate = v.InferOutput<typeof DeploymentCreate>;

export const DeploymentUpdate = v.partial(v.omit(DeploymentCreate, ["name", "flow_id"]));
export type DeploymentUpdate = v.InferOutput<typeof DeploymentUpdate>;

export const Deployment = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  name: v.string(),
  flow_id: v.string(),
  flow_name: v.string(),
  description: v.nullable(v.string()),
  version: v.nullable(v.string()),
  entrypoint: v.nullable(v.string()),
  path: v.nullable(v.string()),
  work_pool_name: v.nullable(v.string()),
  parameters: v.record(v.string(), v.unknown()),
  parameter_openapi_schema: v.nullable(v.record(v.string(), v.unknown())),
  enforce_parameter_schema: v.boolean(),
  job_variables: v.record(v.string(), v.unknown()),
  tags: v.array(v.string()),
  paused: v.boolean(),
  concurrency_limit: v.nullable(v.number()),
  collision_strategy: v.string(),
  retries: v.number(),
  retry_delay_seconds: v.number(),
});
export type Deployment = v.InferOutput<typeof Deployment>;

/** A deployment as the API answers it: with its schedules, as Prefect 3's DeploymentResponse, and its triggers. */
export const DeploymentResponse = v.object({ ...Deployment.entries, schedules: v.array(DeploymentSchedule), triggers: v.array(DeploymentTrigger) });
export type DeploymentResponse = v.InferOutput<typeof DeploymentResponse>;

export const DeploymentFilter = v.object({
  deployments: v.optional(
    v.object({
      id: v.optional(AnyOf(Uuid)),
      name: v.optional(v.object({ any_: v.optional(ListOf(Name)), like_: v.optional(v.pipe(v.string(), v.maxLength(200))) })),
      tags: v.optional(v.object({ all_: v.optional(Tags) })),
      paused: v.optional(v.object({ eq_: v.boolean() })),
    }),
  ),
  flows: v.optional(v.object({ id: v.optional(AnyOf(Uuid)), name: v.optional(AnyOf(Name)) })),
  work_pools: v.optional(v.object({ name: v.optional(AnyOf(Name)) })),
  sort: v.optional(v.picklist(["NAME_ASC", "NAME_DESC", "CREATED_DESC", "UPDATED_DESC"]), "NAME_ASC"),
  limit: Limit(),
  offset: Offset,
});
export type DeploymentFilter = v.InferOutput<typeof DeploymentFilter>;

export const DeploymentCount = v.pick(DeploymentFilter, ["deployments", "flows", "work_pools"]);
export type DeploymentCount = v.InferOutput<typeof DeploymentCount>;

export const CreateFlowRunFromDeployment = v.object({
  name: v.optional(v.nullable(Name), null),
  parameters: v.optional(JsonObject, {}),
  tags: v.optional(Tags),
  /** Start at this time instead of now (SCHEDULED until then). */
  scheduled_time: v.optional(v.nullable(IsoDateTime), null),
  idempotency_key: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(500))), null),
  parent_task_run_id: v.optional(v.nullable(Uuid), null),
});
export type CreateFlowRunFromDeployment = v.InferOutput<typeof CreateFlowRunFromDeployment>;

export const DeploymentNamePath = v.object({ flow: Name, name: Name });

/** Body of POST /deployments/{id}/schedules: schedules to add, as Prefect. */
export const DeploymentSchedulesCreate = v.pipe(
  v.array(DeploymentScheduleCreate),
  v.minLength(1, "give at least one schedule"),
  v.maxLength(50, "at most 50 schedules at once"),
);

export const DeploymentSchedulePath = v.object({ id: Uuid, schedule_id: Uuid });
