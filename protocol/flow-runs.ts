import * as v from "valibot";
import { AnyOf, JsonObject, Limit, ListOf, Name, Offset, Tags, TimeRange, Uuid } from "./common";
import { EmpiricalPolicy, RunStateFields } from "./runs";
import { StateCreate, StateType } from "./states";

const IdempotencyKey = v.pipe(v.string(), v.minLength(1), v.maxLength(500));

export const FlowRunCreate = v.object({
  /** Clients may choose the id (so a retried request is harmless); the server makes one otherwise. */
  id: v.optional(Uuid),
  flow_id: Uuid,
  name: v.optional(v.nullable(Name), null),
  deployment_id: v.optional(v.nullable(Uuid), null),
  parent_task_run_id: v.optional(v.nullable(Uuid), null),
  parameters: v.optional(JsonObject, {}),
  tags: v.optional(Tags, []),
  state: v.optional(v.nullable(StateCreate), null),
  idempotency_key: v.optional(v.nullable(IdempotencyKey), null),
  empirical_policy: v.optional(EmpiricalPolicy, {}),
});
export type FlowRunCreate = v.InferOutput<typeof FlowRunCreate>;

export const FlowRunUpdate = v.object({
  name: v.optional(Name),
  tags: v.optional(Tags),
});
export type FlowRunUpdate = v.InferOutput<typeof FlowRunUpdate>;

export const FlowRun = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  name: v.string(),
  flow_id: v.string(),
  deployment_id: v.nullable(v.string()),
  work_pool_name: v.nullable(v.string()),
  parent_task_run_id: v.nullable(v.string()),
  parameters: v.record(v.string(), v.unknown()),
  idempotency_key: v.nullable(v.string()),
  auto_scheduled: v.boolean(),
  ...RunStateFields,
});
export type FlowRun = v.InferOutput<typeof FlowRun>;

export const FLOW_RUN_SORTS = [
  "EXPECTED_START_TIME_DESC",
  "EXPECTED_START_TIME_ASC",
  "START_TIME_DESC",
  "END_TIME_DESC",
  "NAME_ASC",
  "NAME_DESC",
] as const;

/** The start of a flow run id, as the CLI takes it (`8eab3003`): hex digits and dashes, any case. */
export const UuidPrefix = v.pipe(v.string(), v.toLowerCase(), v.regex(/^[0-9a-f][0-9a-f-]{0,35}$/, "must be the start of a UUID (hex digits and dashes)"));

export const FlowRunFilterCriteria = v.object({
  /** Prefect's `any_`, and Baton's `startswith_`: a run by the start of its id, as `baton flow-run inspect 8eab3003` asks. */
  id: v.optional(v.object({ any_: v.optional(ListOf(Uuid)), startswith_: v.optional(UuidPrefix) })),
  name: v.optional(v.object({ any_: v.optional(ListOf(Name)), like_: v.optional(v.pipe(v.string(), v.maxLength(200))) })),
  state: v.optional(
    v.object({
      type: v.optional(AnyOf(StateType)),
      name: v.optional(AnyOf(v.pipe(v.string(), v.maxLength(100)))),
    }),
  ),
  tags: v.optional(v.object({ all_: v.optional(Tags) })),
  deployment_id: v.optional(v.object({ any_: v.optional(ListOf(Uuid)), is_null_: v.optional(v.boolean()) })),
  parent_task_run_id: v.optional(v.object({ any_: v.optional(ListOf(Uuid)), is_null_: v.optional(v.boolean()) })),
  /**
   * Prefect's `any_`, and Baton's `startswith_`: the runs of one schedule, whose keys the scheduler
   * writes as `scheduled:{deployment_id}:{schedule_id}:{slot}`.
   */
  idempotency_key: v.optional(
    v.object({ any_: v.optional(ListOf(IdempotencyKey)), startswith_: v.optional(IdempotencyKey) }),
  ),
  expected_start_time: v.optional(TimeRange),
  start_time: v.optional(TimeRange),
});

export const FlowRunFilter = v.object({
  flow_runs: v.optional(FlowRunFilterCriteria),
  flows: v.optional(v.object({ id: v.optional(AnyOf(Uuid)), name: v.optional(AnyOf(Name)) })),
  deployments: v.optional(v.object({ id: v.optional(AnyOf(Uuid)) })),
  work_pools: v.optional(v.object({ name: v.optional(AnyOf(Name)) })),
  sort: v.optional(v.picklist(FLOW_RUN_SORTS), "EXPECTED_START_TIME_DESC"),
  limit: Limit(),
  offset: Offset,
});
export type FlowRunFilter = v.InferOutput<typeof FlowRunFilter>;

export const FlowRunCount = v.omit(FlowRunFilter, ["sort", "limit", "offset"]);
export type FlowRunCount = v.InferOutput<typeof FlowRunCount>;

/** `GET /api/flow_run_states/?flow_run_id=...` */
export const FlowRunStatesQuery = v.object({ flow_run_id: Uuid });
