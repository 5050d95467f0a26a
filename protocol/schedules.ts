import * as v from "valibot";
import { IsoDateTime, JsonObject } from "./common";

/**
 * Deployment schedules in Prefect 3's shape. These schemas check types and ranges only; whether a cron
 * parses and ever fires, or a time zone exists, is checked by worker/scheduler (`checkSchedule`).
 */

const TEN_YEARS_SECONDS = 10 * 366 * 86_400;

const TimeZoneName = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(100, "must be at most 100 characters"),
);

export const IntervalSchedule = v.strictObject({
  /** Seconds between runs. Whole seconds, so every slot falls on a second. */
  interval: v.pipe(
    v.number(),
    v.integer("must be a whole number of seconds"),
    v.minValue(1, "must be at least 1 second"),
    v.maxValue(TEN_YEARS_SECONDS, "must be at most 10 years"),
  ),
  /** Slots are anchor_date + k × interval, k any integer; the route fills in the creation time. */
  anchor_date: v.nullish(IsoDateTime),
  /** Informational: interval slots keep exact elapsed time, whatever the zone's DST rules. */
  timezone: v.nullish(TimeZoneName, "UTC"),
});
export type IntervalSchedule = v.InferOutput<typeof IntervalSchedule>;

export const CronSchedule = v.strictObject({
  /** Five fields, or six with seconds first; nicknames such as `@daily` are accepted too. */
  cron: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "must not be empty"),
    v.maxLength(200, "must be at most 200 characters"),
    v.regex(/^(@[a-z]+|\S+(\s+\S+){4,5})$/i, "must have 5 or 6 fields (seconds first), or be a nickname like @daily"),
  ),
  timezone: v.nullish(TimeZoneName, "UTC"),
  /** Vixie cron: when both day-of-month and day-of-week are restricted, either may match; false needs both. */
  day_or: v.optional(v.boolean(), true),
});
export type CronSchedule = v.InferOutput<typeof CronSchedule>;

export const RRuleSchedule = v.strictObject({
  /** RFC 5545 recurrence: RRULE lines with optional DTSTART (with TZID), RDATE, EXDATE, EXRULE. */
  rrule: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(6000, "must be at most 6000 characters")),
  /** Zone of the rule when its DTSTART has no TZID; UTC when neither is given. */
  timezone: v.nullish(TimeZoneName, null),
});
export type RRuleSchedule = v.InferOutput<typeof RRuleSchedule>;

export const ScheduleDefinition = v.union(
  [IntervalSchedule, CronSchedule, RRuleSchedule],
  "must be an interval ({ interval }), cron ({ cron }) or rrule ({ rrule }) schedule",
);
export type ScheduleDefinition = v.InferOutput<typeof ScheduleDefinition>;

export const CATCHUP_POLICIES = ["latest", "all", "none"] as const;
/** What to do with slots missed while the server was down: run the latest once, run all, or skip all. */
export const Catchup = v.picklist(CATCHUP_POLICIES);
export type Catchup = v.InferOutput<typeof Catchup>;

const MaxScheduledRuns = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000, "must be at most 1000"));
const Slug = v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(100, "must be at most 100 characters"));

// Without defaults, so that an update leaves out what it does not mention instead of resetting it.
const scheduleFields = {
  schedule: ScheduleDefinition,
  active: v.boolean(),
  max_scheduled_runs: v.nullable(MaxScheduledRuns),
  catchup: Catchup,
  /** Parameter overrides applied on top of the deployment's parameters for runs of this schedule. */
  parameters: JsonObject,
  slug: v.nullable(Slug),
};

export const DeploymentScheduleCreate = v.object({
  schedule: scheduleFields.schedule,
  active: v.optional(scheduleFields.active, true),
  max_scheduled_runs: v.optional(scheduleFields.max_scheduled_runs, null),
  catchup: v.optional(scheduleFields.catchup, "latest"),
  parameters: v.optional(scheduleFields.parameters, {}),
  slug: v.optional(scheduleFields.slug, null),
});
export type DeploymentScheduleCreate = v.InferOutput<typeof DeploymentScheduleCreate>;

export const DeploymentScheduleUpdate = v.partial(v.object(scheduleFields));
export type DeploymentScheduleUpdate = v.InferOutput<typeof DeploymentScheduleUpdate>;

export const DeploymentSchedule = v.object({
  id: v.string(),
  created: v.string(),
  updated: v.string(),
  deployment_id: v.string(),
  schedule: ScheduleDefinition,
  active: v.boolean(),
  max_scheduled_runs: v.nullable(v.number()),
  catchup: Catchup,
  parameters: v.record(v.string(), v.unknown()),
  slug: v.nullable(v.string()),
});
export type DeploymentSchedule = v.InferOutput<typeof DeploymentSchedule>;
