import * as v from "valibot";
import { StateType } from "./states";

/** Fields shared by flow runs and task runs as returned by the API. */
export const RunStateFields = {
  state_type: v.nullable(StateType),
  state_name: v.nullable(v.string()),
  state: v.nullable(
    v.object({
      id: v.string(),
      type: StateType,
      name: v.string(),
      timestamp: v.string(),
      message: v.nullable(v.string()),
      state_details: v.record(v.string(), v.unknown()),
      data: v.optional(v.nullable(v.unknown())),
    }),
  ),
  run_count: v.number(),
  expected_start_time: v.nullable(v.string()),
  start_time: v.nullable(v.string()),
  end_time: v.nullable(v.string()),
  /** Seconds spent RUNNING, over all attempts. */
  total_run_time: v.number(),
  /**
   * Prefect's lateness in seconds: how long after its expected start the run started or, while it has
   * not started and is not finished, how late it is now. A SCHEDULED run more than 15 s late is shown
   * with state_name "Late".
   */
  estimated_start_time_delta: v.number(),
  tags: v.array(v.string()),
  empirical_policy: v.object({
    retries: v.number(),
    retry_delay: v.union([v.number(), v.array(v.number())]),
    retry_jitter_factor: v.optional(v.nullable(v.number())),
  }),
};

const RetryDelay = v.union([
  v.pipe(v.number(), v.minValue(0), v.maxValue(86_400 * 7)),
  v.pipe(v.array(v.pipe(v.number(), v.minValue(0), v.maxValue(86_400 * 7))), v.maxLength(50)),
]);

export const EmpiricalPolicy = v.object({
  retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)), 0),
  retry_delay: v.optional(RetryDelay, 0),
  retry_jitter_factor: v.optional(v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(10)))),
});
export type EmpiricalPolicy = v.InferOutput<typeof EmpiricalPolicy>;
