CREATE TABLE `deployment_triggers` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`deployment_id` text NOT NULL,
	`name` text,
	`enabled` integer DEFAULT true NOT NULL,
	`expect` text DEFAULT '[]' NOT NULL,
	`match` text DEFAULT '{}' NOT NULL,
	`match_related` text DEFAULT '{}' NOT NULL,
	`threshold` integer DEFAULT 1 NOT NULL,
	`within_seconds` integer DEFAULT 0 NOT NULL,
	`parameters` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deployment_triggers_deployment` ON `deployment_triggers` (`deployment_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`occurred` text NOT NULL,
	`id` text NOT NULL,
	`received` text NOT NULL,
	`event` text NOT NULL,
	`resource_id` text NOT NULL,
	`resource` text NOT NULL,
	`related` text DEFAULT '[]' NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	PRIMARY KEY(`occurred`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`enabled` integer DEFAULT true NOT NULL,
	`slug` text NOT NULL,
	`auth` text DEFAULT 'none' NOT NULL,
	`secret` text,
	`signature_header` text NOT NULL,
	`template` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhooks_slug` ON `webhooks` (`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `webhooks_name` ON `webhooks` (`name`);