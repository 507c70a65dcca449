CREATE TABLE `automation_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`kind` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`recipients` text NOT NULL,
	`config` text NOT NULL,
	`last_run_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `automation_rules_corp_kind` ON `automation_rules` (`corp_id`,`kind`);--> statement-breakpoint
CREATE TABLE `automation_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`rule_id` integer NOT NULL,
	`period` text,
	`at` integer NOT NULL,
	`outcome` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`detail` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `automation_runs_period` ON `automation_runs` (`rule_id`,`period`) WHERE "automation_runs"."period" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `automation_runs_rule` ON `automation_runs` (`corp_id`,`rule_id`,`at`);--> statement-breakpoint
CREATE INDEX `automation_runs_time` ON `automation_runs` (`at`);--> statement-breakpoint
CREATE TABLE `customer_birthdays` (
	`corp_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`month` integer NOT NULL,
	`day` integer NOT NULL,
	`year` integer,
	`source` text NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `external_user_id`)
);
--> statement-breakpoint
CREATE INDEX `customer_birthdays_day` ON `customer_birthdays` (`corp_id`,`month`,`day`);--> statement-breakpoint
CREATE TABLE `feed_cursors` (
	`corp_id` text NOT NULL,
	`feed` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `feed`)
);
--> statement-breakpoint
CREATE TABLE `integrations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`token_prefix` text NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `integrations_token` ON `integrations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `integrations_corp` ON `integrations` (`corp_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`key` text NOT NULL,
	`rule_id` integer,
	`kind` text NOT NULL,
	`channel` text NOT NULL,
	`robot_id` integer,
	`to_user_ids` text DEFAULT '[]' NOT NULL,
	`user_id` text,
	`external_user_id` text,
	`parts` text NOT NULL,
	`parts_sent` integer DEFAULT 0 NOT NULL,
	`unknown_parts` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`sending_since` integer,
	`first_attempt_at` integer,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_corp_key` ON `notifications` (`corp_id`,`key`);--> statement-breakpoint
CREATE INDEX `notifications_corp_id` ON `notifications` (`corp_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_time` ON `notifications` (`created_at`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`integration_id` integer NOT NULL,
	`order_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`user_id` text,
	`matched_by` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text DEFAULT 'CNY' NOT NULL,
	`items` text DEFAULT '[]' NOT NULL,
	`ordered_at` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_source` ON `orders` (`corp_id`,`integration_id`,`order_id`);--> statement-breakpoint
CREATE INDEX `orders_customer` ON `orders` (`corp_id`,`external_user_id`,`ordered_at`);--> statement-breakpoint
CREATE TABLE `reply_turns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`conversation_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`start_message_id` integer NOT NULL,
	`off_hours` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`replied_at` integer,
	`reply_message_id` integer,
	`reply_working_ms` integer,
	`nudge_at` integer,
	`escalate_at` integer,
	`nudged_at` integer,
	`escalated_at` integer,
	`next_due_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reply_turns_open` ON `reply_turns` (`corp_id`,`conversation_id`) WHERE "reply_turns"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX `reply_turns_start` ON `reply_turns` (`corp_id`,`start_message_id`);--> statement-breakpoint
CREATE INDEX `reply_turns_due` ON `reply_turns` (`corp_id`,`next_due_at`) WHERE "reply_turns"."next_due_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `reply_turns_user_started` ON `reply_turns` (`corp_id`,`user_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `robot_send_slots` (
	`robot_id` integer NOT NULL,
	`slot` integer NOT NULL,
	`used_at` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`robot_id`, `slot`)
);
--> statement-breakpoint
CREATE TABLE `robots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`name` text NOT NULL,
	`department_id` integer,
	`key_sealed` text NOT NULL,
	`key_hash` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`disabled_reason` text,
	`disabled_at` integer,
	`last_sent_at` integer,
	`last_error` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `robots_corp_key` ON `robots` (`corp_id`,`key_hash`);--> statement-breakpoint
CREATE INDEX `robots_department` ON `robots` (`corp_id`,`department_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`script` text DEFAULT '' NOT NULL,
	`due_at` integer NOT NULL,
	`visible_at` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`snoozed_until` integer,
	`snooze_count` integer DEFAULT 0 NOT NULL,
	`done_at` integer,
	`rule_id` integer,
	`source_key` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_source` ON `tasks` (`corp_id`,`source_key`);--> statement-breakpoint
CREATE INDEX `tasks_user_open` ON `tasks` (`corp_id`,`user_id`,`status`,`visible_at`);--> statement-breakpoint
CREATE INDEX `tasks_customer` ON `tasks` (`corp_id`,`user_id`,`external_user_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_due` ON `tasks` (`corp_id`,`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`endpoint_id` integer NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`delivered_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`endpoint_id`,`event_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint` ON `webhook_deliveries` (`corp_id`,`endpoint_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`events` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_corp` ON `webhook_endpoints` (`corp_id`);--> statement-breakpoint
CREATE INDEX `contacts_union` ON `contacts` (`corp_id`,`union_id`);--> statement-breakpoint
CREATE INDEX `timeline_due` ON `timeline_items` (`corp_id`,`due_at`) WHERE "timeline_items"."due_at" IS NOT NULL;