CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`kind` text NOT NULL,
	`user_id` text,
	`external_user_id` text,
	`detail` text DEFAULT '{}' NOT NULL,
	`source_key` text,
	`delivered_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_source` ON `alerts` (`corp_id`,`source_key`);--> statement-breakpoint
CREATE INDEX `alerts_created` ON `alerts` (`corp_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `channel_reps` (
	`channel_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`order` integer DEFAULT 0 NOT NULL,
	`capped_on` text,
	PRIMARY KEY(`channel_id`, `user_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `channels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`name` text NOT NULL,
	`group_name` text DEFAULT '' NOT NULL,
	`remark` text DEFAULT '' NOT NULL,
	`state` text NOT NULL,
	`skip_verify` integer DEFAULT true NOT NULL,
	`tag_ids` text DEFAULT '[]' NOT NULL,
	`daily_cap` integer,
	`config_id` text NOT NULL,
	`qr_code` text NOT NULL,
	`deleted_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channels_corp_state` ON `channels` (`corp_id`,`state`);--> statement-breakpoint
CREATE INDEX `channels_corp` ON `channels` (`corp_id`,`deleted_at`);--> statement-breakpoint
CREATE TABLE `media_uploads` (
	`corp_id` text NOT NULL,
	`source_key` text NOT NULL,
	`media_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`corp_id`, `source_key`)
);
--> statement-breakpoint
CREATE TABLE `rep_daily_adds` (
	`corp_id` text NOT NULL,
	`channel_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`day` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`corp_id`, `channel_id`, `user_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `script_favorites` (
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`script_id` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `user_id`, `script_id`),
	FOREIGN KEY (`script_id`) REFERENCES `scripts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `script_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`name` text NOT NULL,
	`order` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `script_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`script_id` integer NOT NULL,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `script_sends_user` ON `script_sends` (`corp_id`,`user_id`,`sent_at`);--> statement-breakpoint
CREATE TABLE `scripts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`group_id` integer NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`content` text DEFAULT '' NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`order` integer DEFAULT 0 NOT NULL,
	`send_count` integer DEFAULT 0 NOT NULL,
	`deleted_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `script_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `scripts_group` ON `scripts` (`corp_id`,`group_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_expiry` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `stages` (
	`stage_id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`name` text NOT NULL,
	`order` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stages_corp_name` ON `stages` (`corp_id`,`name`);--> statement-breakpoint
CREATE TABLE `timeline_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`user_id` text,
	`kind` text NOT NULL,
	`content` text DEFAULT '' NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`due_at` integer,
	`source_key` text,
	`occurred_at` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `timeline_contact_time` ON `timeline_items` (`corp_id`,`external_user_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `timeline_source` ON `timeline_items` (`corp_id`,`source_key`);--> statement-breakpoint
CREATE TABLE `welcome_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`channel_id` integer,
	`weekdays` text,
	`start_minute` integer,
	`end_minute` integer,
	`text` text DEFAULT '' NOT NULL,
	`attachments` text DEFAULT '[]' NOT NULL,
	`order` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `welcome_channel` ON `welcome_messages` (`corp_id`,`channel_id`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `stage_id` integer;--> statement-breakpoint
ALTER TABLE `follows` ADD `channel_id` integer;--> statement-breakpoint
CREATE INDEX `follows_user` ON `follows` (`corp_id`,`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `follows_channel_added` ON `follows` (`corp_id`,`channel_id`,`added_at`);--> statement-breakpoint
CREATE INDEX `follows_channel_lost` ON `follows` (`corp_id`,`channel_id`,`lost_at`);