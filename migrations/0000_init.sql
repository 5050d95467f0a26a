CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`last_used` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `deployment_schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`deployment_id` text NOT NULL,
	`schedule` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`max_scheduled_runs` integer,
	`catchup` text DEFAULT 'latest' NOT NULL,
	`parameters` text DEFAULT '{}' NOT NULL,
	`slug` text,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deployment_schedules_deployment` ON `deployment_schedules` (`deployment_id`);--> statement-breakpoint
CREATE TABLE `deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`flow_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`version` text,
	`entrypoint` text,
	`path` text,
	`work_pool_id` text,
	`parameters` text DEFAULT '{}' NOT NULL,
	`parameter_openapi_schema` text,
	`enforce_parameter_schema` integer DEFAULT true NOT NULL,
	`job_variables` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`concurrency_limit` integer,
	`collision_strategy` text DEFAULT 'ENQUEUE' NOT NULL,
	`retries` integer DEFAULT 0 NOT NULL,
	`retry_delay_seconds` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`work_pool_id`) REFERENCES `work_pools`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_flow_name` ON `deployments` (`flow_id`,`name`);--> statement-breakpoint
CREATE INDEX `deployments_work_pool` ON `deployments` (`work_pool_id`);--> statement-breakpoint
CREATE TABLE `flow_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`flow_id` text NOT NULL,
	`deployment_id` text,
	`work_pool_id` text,
	`parent_task_run_id` text,
	`parameters` text DEFAULT '{}' NOT NULL,
	`idempotency_key` text,
	`auto_scheduled` integer DEFAULT false NOT NULL,
	`worker_id` text,
	`lease_token` text,
	`lease_until` text,
	`state_id` text,
	`state_type` text,
	`state_name` text,
	`state_timestamp` text,
	`state_message` text,
	`state_details` text DEFAULT '{}' NOT NULL,
	`state_data` text,
	`state_history` text DEFAULT '[]' NOT NULL,
	`run_count` integer DEFAULT 0 NOT NULL,
	`expected_start_time` text,
	`start_time` text,
	`end_time` text,
	`total_run_time_ms` integer DEFAULT 0 NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`empirical_policy` text DEFAULT '{"retries":0,"retry_delay":0}' NOT NULL,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`work_pool_id`) REFERENCES `work_pools`(`id`) ON UPDATE no action ON DELETE set null
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `flow_runs_expected_start` ON `flow_runs` (`expected_start_time`);--> statement-breakpoint
CREATE INDEX `flow_runs_flow` ON `flow_runs` (`flow_id`,`expected_start_time`);--> statement-breakpoint
CREATE INDEX `flow_runs_deployment` ON `flow_runs` (`deployment_id`,`expected_start_time`) WHERE deployment_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `flow_runs_pool_due` ON `flow_runs` (`work_pool_id`,`expected_start_time`) WHERE state_type = 'SCHEDULED';--> statement-breakpoint
CREATE UNIQUE INDEX `flow_runs_idempotency` ON `flow_runs` (`flow_id`,`idempotency_key`) WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flows_name` ON `flows` (`name`);--> statement-breakpoint
CREATE TABLE `logs` (
	`id` text NOT NULL,
	`created` text NOT NULL,
	`flow_run_id` text NOT NULL,
	`task_run_id` text,
	`name` text NOT NULL,
	`level` integer NOT NULL,
	`message` text NOT NULL,
	`timestamp` text NOT NULL,
	PRIMARY KEY(`flow_run_id`, `timestamp`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `task_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`flow_run_id` text NOT NULL,
	`task_key` text NOT NULL,
	`dynamic_key` text NOT NULL,
	`cache_key` text,
	`cache_expiration` text,
	`task_inputs` text DEFAULT '{}' NOT NULL,
	`state_id` text,
	`state_type` text,
	`state_name` text,
	`state_timestamp` text,
	`state_message` text,
	`state_details` text DEFAULT '{}' NOT NULL,
	`state_data` text,
	`state_history` text DEFAULT '[]' NOT NULL,
	`run_count` integer DEFAULT 0 NOT NULL,
	`expected_start_time` text,
	`start_time` text,
	`end_time` text,
	`total_run_time_ms` integer DEFAULT 0 NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`empirical_policy` text DEFAULT '{"retries":0,"retry_delay":0}' NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE UNIQUE INDEX `task_runs_flow_run_key` ON `task_runs` (`flow_run_id`,`task_key`,`dynamic_key`);--> statement-breakpoint
CREATE INDEX `task_runs_cache_key` ON `task_runs` (`cache_key`) WHERE cache_key IS NOT NULL;--> statement-breakpoint
CREATE TABLE `work_pools` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`type` text DEFAULT 'process' NOT NULL,
	`is_paused` integer DEFAULT false NOT NULL,
	`concurrency_limit` integer,
	`base_job_template` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `work_pools_name` ON `work_pools` (`name`);--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`work_pool_id` text NOT NULL,
	`name` text NOT NULL,
	`last_heartbeat_time` text NOT NULL,
	`heartbeat_interval_seconds` integer DEFAULT 10 NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`work_pool_id`) REFERENCES `work_pools`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workers_pool_name` ON `workers` (`work_pool_id`,`name`);