CREATE TABLE `learned_pairs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`version` integer NOT NULL,
	`message` text NOT NULL,
	`message_id` integer,
	`script_id` integer NOT NULL,
	`at` integer NOT NULL,
	`weight_ppm` integer DEFAULT 1000000 NOT NULL,
	`source` text NOT NULL,
	`user_id` text,
	`external_user_id` text,
	`source_key` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `learned_pairs_source` ON `learned_pairs` (`corp_id`,`source_key`);--> statement-breakpoint
CREATE INDEX `learned_pairs_version` ON `learned_pairs` (`corp_id`,`version`);--> statement-breakpoint
CREATE INDEX `learned_pairs_script` ON `learned_pairs` (`corp_id`,`script_id`);--> statement-breakpoint
CREATE INDEX `learned_pairs_customer` ON `learned_pairs` (`corp_id`,`external_user_id`);--> statement-breakpoint
CREATE TABLE `suggest_script_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`version` integer NOT NULL,
	`script_id` integer NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `suggest_script_changes_version` ON `suggest_script_changes` (`corp_id`,`version`);--> statement-breakpoint
CREATE TABLE `suggest_versions` (
	`corp_id` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `suggestion_feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`message_key` text NOT NULL,
	`message_id` integer,
	`message` text DEFAULT '' NOT NULL,
	`script_id` integer NOT NULL,
	`rank` integer NOT NULL,
	`score_permille` integer NOT NULL,
	`outcome` text NOT NULL,
	`shown_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suggestion_feedback_shown` ON `suggestion_feedback` (`corp_id`,`user_id`,`external_user_id`,`message_key`,`script_id`);--> statement-breakpoint
CREATE INDEX `suggestion_feedback_time` ON `suggestion_feedback` (`corp_id`,`shown_at`);--> statement-breakpoint
CREATE INDEX `suggestion_feedback_script` ON `suggestion_feedback` (`corp_id`,`script_id`);--> statement-breakpoint
CREATE INDEX `suggestion_feedback_customer` ON `suggestion_feedback` (`corp_id`,`external_user_id`);--> statement-breakpoint
CREATE TABLE `work_calendars` (
	`corp_id` text PRIMARY KEY NOT NULL,
	`weekly` text NOT NULL,
	`exceptions` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
