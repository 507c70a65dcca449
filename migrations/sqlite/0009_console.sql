CREATE TABLE `active_daily` (
	`corp_id` text NOT NULL,
	`day` text NOT NULL,
	`user_id` text NOT NULL,
	`channel_id` integer NOT NULL,
	`department_id` integer NOT NULL,
	`active` integer NOT NULL,
	PRIMARY KEY(`corp_id`, `day`, `user_id`, `channel_id`)
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text,
	`actor_name` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`summary` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`ip` text DEFAULT '' NOT NULL,
	`request_id` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_time` ON `audit_log` (`corp_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_action` ON `audit_log` (`corp_id`,`action`,`at`);--> statement-breakpoint
CREATE INDEX `audit_log_target` ON `audit_log` (`corp_id`,`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `behavior_daily` (
	`corp_id` text NOT NULL,
	`day` text NOT NULL,
	`user_id` text NOT NULL,
	`chat_count` integer NOT NULL,
	`message_count` integer NOT NULL,
	`reply_percentage_x100` integer NOT NULL,
	`avg_reply_minutes_x100` integer NOT NULL,
	`negative_feedback_count` integer NOT NULL,
	`new_apply_count` integer NOT NULL,
	`new_contact_count` integer NOT NULL,
	`fetched_at` integer NOT NULL,
	PRIMARY KEY(`corp_id`, `day`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `behavior_daily_user` ON `behavior_daily` (`corp_id`,`user_id`,`day`);--> statement-breakpoint
CREATE TABLE `console_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`kind` text NOT NULL,
	`username` text,
	`user_id` text,
	`name` text DEFAULT '' NOT NULL,
	`role` text NOT NULL,
	`department_ids` text DEFAULT '[]' NOT NULL,
	`password_hash` text,
	`must_change_password` integer DEFAULT false NOT NULL,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`disabled_at` integer,
	`last_login_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_accounts_username` ON `console_accounts` (`corp_id`,`username`) WHERE "console_accounts"."username" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `console_accounts_member` ON `console_accounts` (`corp_id`,`user_id`) WHERE "console_accounts"."user_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `console_accounts_local_name` ON `console_accounts` (`corp_id`,`name`) WHERE "console_accounts"."kind" = 'local';--> statement-breakpoint
CREATE TABLE `console_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`corp_id` text NOT NULL,
	`account_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `console_sessions_account` ON `console_sessions` (`account_id`);--> statement-breakpoint
CREATE INDEX `console_sessions_expiry` ON `console_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `corp_settings` (
	`corp_id` text PRIMARY KEY NOT NULL,
	`display_name` text,
	`session_idle_minutes` integer NOT NULL,
	`lockout_threshold` integer NOT NULL,
	`lockout_minutes` integer NOT NULL,
	`unanswered_window_hours` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`corp_id`) REFERENCES `corps`(`corp_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `customer_movements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`channel_id` integer,
	`event_id` integer,
	`at` integer NOT NULL,
	`source_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_movements_source` ON `customer_movements` (`corp_id`,`source_key`);--> statement-breakpoint
CREATE INDEX `customer_movements_time` ON `customer_movements` (`corp_id`,`at`);--> statement-breakpoint
CREATE INDEX `customer_movements_follow` ON `customer_movements` (`corp_id`,`user_id`,`external_user_id`,`at`);--> statement-breakpoint
CREATE TABLE `movement_daily` (
	`corp_id` text NOT NULL,
	`day` text NOT NULL,
	`user_id` text NOT NULL,
	`channel_id` integer NOT NULL,
	`department_id` integer NOT NULL,
	`adds` integer DEFAULT 0 NOT NULL,
	`losses` integer DEFAULT 0 NOT NULL,
	`lost_by_customer` integer DEFAULT 0 NOT NULL,
	`lost_by_rep` integer DEFAULT 0 NOT NULL,
	`cohort_lost_7` integer DEFAULT 0 NOT NULL,
	`cohort_lost_30` integer DEFAULT 0 NOT NULL,
	`welcome_sent` integer DEFAULT 0 NOT NULL,
	`welcome_missed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`corp_id`, `day`, `user_id`, `channel_id`)
);
--> statement-breakpoint
CREATE INDEX `movement_daily_channel` ON `movement_daily` (`corp_id`,`channel_id`,`day`);--> statement-breakpoint
CREATE INDEX `movement_daily_user` ON `movement_daily` (`corp_id`,`user_id`,`day`);--> statement-breakpoint
CREATE TABLE `rep_daily` (
	`corp_id` text NOT NULL,
	`day` text NOT NULL,
	`user_id` text NOT NULL,
	`department_id` integer NOT NULL,
	`conversations` integer DEFAULT 0 NOT NULL,
	`messages_sent` integer DEFAULT 0 NOT NULL,
	`customer_messages` integer DEFAULT 0 NOT NULL,
	`questions` integer DEFAULT 0 NOT NULL,
	`answered` integer DEFAULT 0 NOT NULL,
	`questions_in_hours` integer DEFAULT 0 NOT NULL,
	`answered_in_3m` integer DEFAULT 0 NOT NULL,
	`frt00` integer DEFAULT 0 NOT NULL,
	`frt01` integer DEFAULT 0 NOT NULL,
	`frt02` integer DEFAULT 0 NOT NULL,
	`frt03` integer DEFAULT 0 NOT NULL,
	`frt04` integer DEFAULT 0 NOT NULL,
	`frt05` integer DEFAULT 0 NOT NULL,
	`frt06` integer DEFAULT 0 NOT NULL,
	`frt07` integer DEFAULT 0 NOT NULL,
	`frt08` integer DEFAULT 0 NOT NULL,
	`frt09` integer DEFAULT 0 NOT NULL,
	`frt10` integer DEFAULT 0 NOT NULL,
	`frt11` integer DEFAULT 0 NOT NULL,
	`frt12` integer DEFAULT 0 NOT NULL,
	`frt13` integer DEFAULT 0 NOT NULL,
	`frt14` integer DEFAULT 0 NOT NULL,
	`frt15` integer DEFAULT 0 NOT NULL,
	`frt16` integer DEFAULT 0 NOT NULL,
	`frt17` integer DEFAULT 0 NOT NULL,
	`frt18` integer DEFAULT 0 NOT NULL,
	`frt19` integer DEFAULT 0 NOT NULL,
	`frt20` integer DEFAULT 0 NOT NULL,
	`frt21` integer DEFAULT 0 NOT NULL,
	`frt22` integer DEFAULT 0 NOT NULL,
	`frt23` integer DEFAULT 0 NOT NULL,
	`scripts_sent` integer DEFAULT 0 NOT NULL,
	`suggestions_shown` integer DEFAULT 0 NOT NULL,
	`suggestions_sent` integer DEFAULT 0 NOT NULL,
	`suggestions_edited` integer DEFAULT 0 NOT NULL,
	`suggestions_ignored` integer DEFAULT 0 NOT NULL,
	`notes_written` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`corp_id`, `day`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `rep_daily_user` ON `rep_daily` (`corp_id`,`user_id`,`day`);--> statement-breakpoint
CREATE TABLE `rep_department_history` (
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`department_id` integer NOT NULL,
	`since` integer NOT NULL,
	PRIMARY KEY(`corp_id`, `user_id`, `since`)
);
--> statement-breakpoint
CREATE TABLE `rollup_days` (
	`corp_id` text NOT NULL,
	`day` text NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`corp_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `tag_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`actor_name` text NOT NULL,
	`add` text DEFAULT '[]' NOT NULL,
	`remove` text DEFAULT '[]' NOT NULL,
	`total` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `work_period_state` (
	`corp_id` text PRIMARY KEY NOT NULL,
	`calendar_digest` text NOT NULL,
	`from_day` text NOT NULL,
	`to_day` text NOT NULL,
	`built_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `work_periods` (
	`corp_id` text NOT NULL,
	`start_ms` integer NOT NULL,
	`end_ms` integer NOT NULL,
	`cumulative_ms` integer NOT NULL,
	PRIMARY KEY(`corp_id`, `start_ms`)
);
