import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { EmpiricalPolicy } from "../../protocol/runs";
import type { State } from "../../protocol/states";
import type { TaskRunCreate } from "../../protocol/task-runs";

/*
 * D1 bills every row written, and every index entry is a row. Budget (DESIGN.md): a successful task run
 * costs at most 2 row writes, a flow run at most 10. So:
 * - state history lives in a JSON column of the run (one UPDATE per transition, no extra row);
 * - flow_runs, task_runs and logs are WITHOUT ROWID tables, so their primary key is
 *   the table itself rather than a second B-tree (drizzle-kit cannot say WITHOUT ROWID: it is added by hand
 *   to migrations/0000_init.sql, and worker/db/schema.test.ts fails if a later migration loses it);
 * - indexes that only matter for runs in one state are partial, so transitions elsewhere cost nothing.
 * Timestamps are ISO 8601 strings in UTC with milliseconds (`toISOString()`), which sort as text.
 */

const id = () => text("id").primaryKey();
const timestamps = {
  created: text("created").notNull(),
  updated: text("updated").notNull(),
};
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export const flows = sqliteTable(
  "flows",
  {
    id: id(),
    ...timestamps,
    name: text("name").notNull(),
    tags: json<string[]>("tags").notNull().default(sql`'[]'`),
  },
  (t) => [uniqueIndex("flows_name").on(t.name)],
);

export const workPools = sqliteTable(
  "work_pools",
  {
    id: id(),
    ...timestamps,
    name: text("name").notNull(),
    description: text("description"),
    type: text("type").notNull().default("process"),
    is_paused: integer("is_paused", { mode: "boolean" }).notNull().default(false),
    concurrency_limit: integer("concurrency_limit"),
    base_job_template: json<Record<string, unknown>>("base_job_template").notNull().default(sql`'{}'`),
  },
  (t) => [uniqueIndex("work_pools_name").on(t.name)],
);

export const deployments = sqliteTable(
  "deployments",
  {
    id: id(),
    ...timestamps,
    flow_id: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    version: text("version"),
    entrypoint: text("entrypoint"),
    path: text("path"),
    work_pool_id: text("work_pool_id").references(() => workPools.id, { onDelete: "set null" }),
    parameters: json<Record<string, unknown>>("parameters").notNull().default(sql`'{}'`),
    parameter_openapi_schema: json<Record<string, unknown>>("parameter_openapi_schema"),
    enforce_parameter_schema: integer("enforce_parameter_schema", { mode: "boolean" }).notNull().default(true),
    job_variables: json<Record<string, unknown>>("job_variables").notNull().default(sql`'{}'`),
    tags: json<string[]>("tags").notNull().default(sql`'[]'`),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    concurrency_limit: integer("concurrency_limit"),
    collision_strategy: text("collision_strategy").notNull().default("ENQUEUE"),
    retries: integer("retries").notNull().default(0),
    retry_delay_seconds: integer("retry_delay_seconds").notNull().default(0),
  },
  (t) => [uniqueIndex("deployments_flow_name").on(t.flow_id, t.name), index("deployments_work_pool").on(t.work_pool_id)],
);

export const deploymentSchedules = sqliteTable(
  "deployment_schedules",
  {
    id: id(),
    ...timestamps,
    deployment_id: text("deployment_id").notNull().references(() => deployments.id, { onDelete: "cascade" }),
    schedule: json<Record<string, unknown>>("schedule").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    max_scheduled_runs: integer("max_scheduled_runs"),
    catchup: text("catchup").notNull().default("latest"),
    parameters: json<Record<string, unknown>>("parameters").notNull().default(sql`'{}'`),
    slug: text("slug"),
    // The scheduler's bookkeeping (worker/scheduler/tick.ts), never shown by the API.
    /** The latest slot the scheduler has dealt with; null: start from the next tick's time, catching nothing up. */
    scheduled_until: text("scheduled_until"),
    /** When the scheduler must look at this schedule again; '' sorts first: at the next tick. */
    refill_at: text("refill_at").notNull().default(""),
    /**
     * Bumped whenever the upcoming runs are discarded (worker/db/upcoming-runs.ts), so that a tick that
     * read the schedule before that writes nothing for it.
     */
    fill_generation: integer("fill_generation").notNull().default(0),
  },
  (t) => [
    index("deployment_schedules_deployment").on(t.deployment_id),
    // The tick's queue: active schedules by when they need runs, the id as a stable tie-break for paging.
    index("deployment_schedules_refill")
      .on(t.refill_at, t.id)
      .where(sql`active = 1`),
  ],
);

export const workers = sqliteTable(
  "workers",
  {
    id: id(),
    ...timestamps,
    work_pool_id: text("work_pool_id").notNull().references(() => workPools.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    last_heartbeat_time: text("last_heartbeat_time").notNull(),
    heartbeat_interval_seconds: integer("heartbeat_interval_seconds").notNull().default(10),
    metadata: json<Record<string, unknown>>("metadata").notNull().default(sql`'{}'`),
  },
  (t) => [uniqueIndex("workers_pool_name").on(t.work_pool_id, t.name)],
);

/** One entry of a run's state history (the JSON column `state_history`). */
export type StoredState = State;

const runStateColumns = {
  state_id: text("state_id"),
  state_type: text("state_type"),
  state_name: text("state_name"),
  state_timestamp: text("state_timestamp"),
  state_message: text("state_message"),
  state_details: json<Record<string, unknown>>("state_details").notNull().default(sql`'{}'`),
  state_data: json<unknown>("state_data"),
  state_history: json<StoredState[]>("state_history").notNull().default(sql`'[]'`),
  run_count: integer("run_count").notNull().default(0),
  expected_start_time: text("expected_start_time"),
  start_time: text("start_time"),
  end_time: text("end_time"),
  total_run_time: integer("total_run_time_ms").notNull().default(0),
  tags: json<string[]>("tags").notNull().default(sql`'[]'`),
  empirical_policy: json<EmpiricalPolicy>("empirical_policy")
    .notNull()
    .default(sql`'{"retries":0,"retry_delay":0}'`),
};

export const flowRuns = sqliteTable(
  "flow_runs",
  {
    id: id(),
    ...timestamps,
    name: text("name").notNull(),
    flow_id: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    // As in Prefect, runs outlive their deployment and pool; the references just go null.
    deployment_id: text("deployment_id").references(() => deployments.id, { onDelete: "set null" }),
    work_pool_id: text("work_pool_id").references(() => workPools.id, { onDelete: "set null" }),
    parent_task_run_id: text("parent_task_run_id"),
    parameters: json<Record<string, unknown>>("parameters").notNull().default(sql`'{}'`),
    idempotency_key: text("idempotency_key"),
    auto_scheduled: integer("auto_scheduled", { mode: "boolean" }).notNull().default(false),
    worker_id: text("worker_id"),
    lease_token: text("lease_token"),
    lease_until: text("lease_until"),
    ...runStateColumns,
  },
  (t) => [
    // Runs page and time filters: newest first over everything.
    index("flow_runs_expected_start").on(t.expected_start_time),
    index("flow_runs_flow").on(t.flow_id, t.expected_start_time),
    index("flow_runs_deployment")
      .on(t.deployment_id, t.expected_start_time)
      .where(sql`deployment_id IS NOT NULL`),
    // What a pool has to hand out: only SCHEDULED runs are in it, so later transitions write nothing here.
    index("flow_runs_pool_due")
      .on(t.work_pool_id, t.expected_start_time)
      .where(sql`state_type = 'SCHEDULED'`),
    // The subflow runs of a flow run (worker/db/subflow-runs-end.ts): only subflow runs are in it, one
    // entry each at creation; no state change writes here.
    index("flow_runs_parent")
      .on(t.parent_task_run_id)
      .where(sql`parent_task_run_id IS NOT NULL`),
    uniqueIndex("flow_runs_idempotency")
      .on(t.flow_id, t.idempotency_key)
      .where(sql`idempotency_key IS NOT NULL`),
  ],
);

export const taskRuns = sqliteTable(
  "task_runs",
  {
    id: id(),
    ...timestamps,
    name: text("name").notNull(),
    flow_run_id: text("flow_run_id").notNull(),
    task_key: text("task_key").notNull(),
    dynamic_key: text("dynamic_key").notNull(),
    cache_key: text("cache_key"),
    cache_expiration: text("cache_expiration"),
    task_inputs: json<TaskRunCreate["task_inputs"]>("task_inputs").notNull().default(sql`'{}'`),
    ...runStateColumns,
  },
  (t) => [
    // Idempotent creation, and the runs of one flow run in order of the graph.
    uniqueIndex("task_runs_flow_run_key").on(t.flow_run_id, t.task_key, t.dynamic_key),
    index("task_runs_cache_key")
      .on(t.cache_key)
      .where(sql`cache_key IS NOT NULL`),
  ],
);

export const logs = sqliteTable(
  "logs",
  {
    // The client's own id: a resent batch hits the primary key and is ignored, never duplicated.
    id: text("id").notNull(),
    created: text("created").notNull(),
    flow_run_id: text("flow_run_id").notNull(),
    task_run_id: text("task_run_id"),
    name: text("name").notNull(),
    level: integer("level").notNull(),
    message: text("message").notNull(),
    timestamp: text("timestamp").notNull(),
  },
  (t) => [primaryKey({ columns: [t.flow_run_id, t.timestamp, t.id] })],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: id(),
    created: text("created").notNull(),
    name: text("name").notNull(),
    /** SHA-256 of the key, hex; the key itself is shown once and never stored. */
    key_hash: text("key_hash").notNull(),
    prefix: text("prefix").notNull(),
    last_used: text("last_used"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.key_hash)],
);

/*
 * Events (protocol/events.ts). WITHOUT ROWID with the time first in the key, and no other index: an event
 * costs one row write; filters walk the key newest first, and pruning deletes a key range. A resent event
 * (same occurred and id, as the SDK and webhooks resend) hits the key and is stored once.
 */
export const events = sqliteTable(
  "events",
  {
    occurred: text("occurred").notNull(),
    id: text("id").notNull(),
    received: text("received").notNull(),
    event: text("event").notNull(),
    /** The resource's `baton.resource.id`, apart for filtering. */
    resource_id: text("resource_id").notNull(),
    resource: json<Record<string, string>>("resource").notNull(),
    related: json<Record<string, string>[]>("related").notNull().default(sql`'[]'`),
    payload: json<Record<string, unknown>>("payload").notNull().default(sql`'{}'`),
  },
  (t) => [primaryKey({ columns: [t.occurred, t.id] })],
);

export const webhooks = sqliteTable(
  "webhooks",
  {
    id: id(),
    ...timestamps,
    name: text("name").notNull(),
    description: text("description"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    slug: text("slug").notNull(),
    auth: text("auth").notNull().default("none"),
    /** Kept as given: an HMAC signature can only be checked with the secret itself. */
    secret: text("secret"),
    signature_header: text("signature_header").notNull(),
    template: json<Record<string, unknown>>("template").notNull().default(sql`'{}'`),
  },
  (t) => [uniqueIndex("webhooks_slug").on(t.slug), uniqueIndex("webhooks_name").on(t.name)],
);

export const deploymentTriggers = sqliteTable(
  "deployment_triggers",
  {
    id: id(),
    ...timestamps,
    deployment_id: text("deployment_id").notNull().references(() => deployments.id, { onDelete: "cascade" }),
    name: text("name"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    expect: json<string[]>("expect").notNull().default(sql`'[]'`),
    match: json<Record<string, string | string[]>>("match").notNull().default(sql`'{}'`),
    match_related: json<Record<string, string | string[]>>("match_related").notNull().default(sql`'{}'`),
    threshold: integer("threshold").notNull().default(1),
    within: integer("within_seconds").notNull().default(0),
    parameters: json<Record<string, unknown>>("parameters").notNull().default(sql`'{}'`),
  },
  (t) => [index("deployment_triggers_deployment").on(t.deployment_id)],
);
