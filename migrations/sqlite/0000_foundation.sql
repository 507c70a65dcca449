CREATE TABLE `contacts` (
	`corp_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`name` text NOT NULL,
	`avatar` text DEFAULT '' NOT NULL,
	`type` integer DEFAULT 1 NOT NULL,
	`gender` integer DEFAULT 0 NOT NULL,
	`union_id` text,
	`position` text DEFAULT '' NOT NULL,
	`corp_name` text DEFAULT '' NOT NULL,
	`corp_full_name` text DEFAULT '' NOT NULL,
	`synced_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `external_user_id`),
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `corps` (
	`corp_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`agent_id` integer NOT NULL,
	`secret_sealed` text NOT NULL,
	`token_sealed` text NOT NULL,
	`encoding_aes_key_sealed` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `departments` (
	`corp_id` text NOT NULL,
	`department_id` integer NOT NULL,
	`name` text NOT NULL,
	`parent_id` integer,
	`order` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `department_id`),
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`event_type` text NOT NULL,
	`raw_xml` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_corp_key` ON `events` (`corp_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `events_due` ON `events` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `follow_tags` (
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`tag_id` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `user_id`, `external_user_id`, `tag_id`)
);
--> statement-breakpoint
CREATE INDEX `follow_tags_contact` ON `follow_tags` (`corp_id`,`external_user_id`);--> statement-breakpoint
CREATE TABLE `follows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`remark` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`remark_corp_name` text DEFAULT '' NOT NULL,
	`remark_mobiles` text DEFAULT '[]' NOT NULL,
	`state` text DEFAULT '' NOT NULL,
	`add_way` integer DEFAULT 0 NOT NULL,
	`oper_user_id` text DEFAULT '' NOT NULL,
	`added_at` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`lost_at` integer,
	`lost_reason` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `follows_corp_user_contact` ON `follows` (`corp_id`,`user_id`,`external_user_id`);--> statement-breakpoint
CREATE INDEX `follows_corp_contact` ON `follows` (`corp_id`,`external_user_id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`kind` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 8 NOT NULL,
	`run_at` integer NOT NULL,
	`deadline_at` integer,
	`last_error` text,
	`result` text,
	`done_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_corp_kind_key` ON `jobs` (`corp_id`,`kind`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `jobs_due` ON `jobs` (`status`,`run_at`);--> statement-breakpoint
CREATE TABLE `reps` (
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`position` text DEFAULT '' NOT NULL,
	`avatar` text DEFAULT '' NOT NULL,
	`department_ids` text DEFAULT '[]' NOT NULL,
	`status` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `user_id`),
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `tag_groups` (
	`corp_id` text NOT NULL,
	`group_id` text NOT NULL,
	`name` text NOT NULL,
	`order` integer DEFAULT 0 NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `group_id`),
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `tags` (
	`corp_id` text NOT NULL,
	`tag_id` text NOT NULL,
	`group_id` text NOT NULL,
	`name` text NOT NULL,
	`order` integer DEFAULT 0 NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `tag_id`),
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tags_group` ON `tags` (`corp_id`,`group_id`);