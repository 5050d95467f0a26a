import * as v from "valibot";
import { AnyOf, IsoDateTime, Limit, Name, Offset, Tags, Uuid } from "./common";
import { EmpiricalPolicy, RunStateFields } from "./runs";
import { OrchestrationResult, StateCreate, StateType } from "./states";

const Key = v.pipe(v.string(), v.minLength(1), v.maxLength(500));

/** What an upstream input of a task was: the graph's edges. */
export const TaskRunInput = v.object({ input_type: v.picklist(["task_run", "parameter", "constant"]), id: v.optional(Uuid) });

export const TaskRunCreate = v.object({
  id: v.optional(Uuid),
  flow_run_id: Uuid,
  name: Name,
  task_key: Key,
  dynamic_key: v.optional(Key, "0"),
  cache_key: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2000))), null),
  cache_expiration: v.optional(v.nullable(IsoDateTime), null),
  task_inputs: v.optional(
    v.pipe(v.record(v.pipe(v.string(), v.maxLength(200)), v.pipe(v.array(TaskRunInput), v.maxLength(1000))), v.check((r) => Object.keys(r).length <= 200, "at most 200 inputs")),
    {},
  ),
  tags: v.optional(Tags, []),
  empirical_policy: v.optional(EmpiricalPolicy, {}),
  state: v.optional(v.nullable(StateCreate), null),
  /**
   * Baton's addition, for a run created already finished (the SDK reports a task that ended before its
   * creation went out): when it started. Stored as a RUNNING state at that time before `state`, in the same
   * row write, so the run has its start time, run time and one attempt as if reported step by step. Only
   * with a final `state` (COMPLETED, FAILED, CANCELLED, CRASHED), and not after that state's timestamp.
   */
  start_time: v.optional(v.nullable(IsoDateTime), null),
});
export type TaskRunCreate = v.InferOutput<typeof TaskRunCreate>;

export const TaskRun = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  name: v.string(),
  flow_run_id: v.string(),
  task_key: v.string(),
  dynamic_key: v.string(),
  cache_key: v.nullable(v.string()),
  cache_expiration: v.nullable(v.string()),
  task_inputs: v.record(v.string(), v.array(v.object({ input_type: v.string(), id: v.optional(v.string()) }))),
  ...RunStateFields,
});
export type TaskRun = v.InferOutput<typeof TaskRun>;

export const TaskRunFilter = v.object({
  task_runs: v.optional(
    v.object({
      id: v.optional(AnyOf(Uuid)),
      name: v.optional(AnyOf(Name)),
      state: v.optional(v.object({ type: v.optional(AnyOf(StateType)), name: v.optional(AnyOf(v.pipe(v.string(), v.maxLength(100)))) })),
      tags: v.optional(v.object({ all_: v.optional(Tags) })),
    }),
  ),
  flow_runs: v.optional(v.object({ id: v.optional(AnyOf(Uuid)) })),
  sort: v.optional(v.picklist(["EXPECTED_START_TIME_ASC", "EXPECTED_START_TIME_DESC", "END_TIME_DESC", "NAME_ASC"]), "EXPECTED_START_TIME_ASC"),
  limit: Limit(1000, 200),
  offset: Offset,
});
export type TaskRunFilter = v.InferOutput<typeof TaskRunFilter>;

export const TaskRunCount = v.omit(TaskRunFilter, ["sort", "limit", "offset"]);
export type TaskRunCount = v.InferOutput<typeof TaskRunCount>;

/**
 * Many task runs created or moved in one request (the SDK batches: 1,000 trivial tasks cost a handful of
 * requests). Each item is applied on its own; the answer says per item what happened.
 */
export const TaskRunBulk = v.object({
  create: v.optional(v.pipe(v.array(TaskRunCreate), v.maxLength(500)), []),
  set_state: v.optional(
    v.pipe(
      v.array(v.object({ task_run_id: Uuid, state: StateCreate, force: v.optional(v.boolean(), false) })),
      v.maxLength(500),
    ),
    [],
  ),
});
export type TaskRunBulk = v.InferOutput<typeof TaskRunBulk>;

/**
 * What happened to one create of a bulk request, with the HTTP status it would have had on its own:
 * 201 created, 200 already existed (same flow run, task key and dynamic key), 404 unknown flow run,
 * 409 id taken by another task run, 422 a state the rules refuse or an oversized state.
 */
export const TaskRunCreateOutcome = v.object({
  status: v.number(),
  detail: v.nullable(v.string()),
  task_run: v.nullable(TaskRun),
});
export type TaskRunCreateOutcome = v.InferOutput<typeof TaskRunCreateOutcome>;

/** What happened to one set_state of a bulk request: 201 accepted, 200 not accepted (see result), 404, 422. */
export const TaskRunSetStateOutcome = v.object({
  task_run_id: v.string(),
  status: v.number(),
  detail: v.nullable(v.string()),
  result: v.nullable(OrchestrationResult),
});
export type TaskRunSetStateOutcome = v.InferOutput<typeof TaskRunSetStateOutcome>;

/** The answer to TaskRunBulk: one outcome per item, in the order sent. */
export const TaskRunBulkResult = v.object({
  create: v.array(TaskRunCreateOutcome),
  set_state: v.array(TaskRunSetStateOutcome),
});
export type TaskRunBulkResult = v.InferOutput<typeof TaskRunBulkResult>;

/** `GET /api/task_run_states/?task_run_id=...` */
export const TaskRunStatesQuery = v.object({ task_run_id: Uuid });
