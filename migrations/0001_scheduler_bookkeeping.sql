ALTER TABLE `deployment_schedules` ADD `scheduled_until` text;--> statement-breakpoint
ALTER TABLE `deployment_schedules` ADD `refill_at` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `deployment_schedules` ADD `fill_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `deployment_schedules_refill` ON `deployment_schedules` (`refill_at`,`id`) WHERE active = 1;