CREATE TABLE `archive_consents` (
	`corp_id` text NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`status` text NOT NULL,
	`changed_at` integer,
	`checked_at` integer,
	`source` text NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `user_id`, `external_user_id`)
);
--> statement-breakpoint
CREATE INDEX `archive_consents_customer` ON `archive_consents` (`corp_id`,`external_user_id`);--> statement-breakpoint
CREATE TABLE `archive_cursors` (
	`corp_id` text PRIMARY KEY NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`caught_up_at` integer,
	`messages_stored` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `archive_errors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`seq` integer NOT NULL,
	`msgid` text,
	`kind` text NOT NULL,
	`code` integer,
	`publickey_ver` integer,
	`detail` text DEFAULT '' NOT NULL,
	`item` text,
	`resolved_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `archive_errors_corp_msgid` ON `archive_errors` (`corp_id`,`msgid`);--> statement-breakpoint
CREATE INDEX `archive_errors_corp_time` ON `archive_errors` (`corp_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`user_id` text,
	`external_user_id` text,
	`room_id` text,
	`version` integer DEFAULT 0 NOT NULL,
	`message_count` integer DEFAULT 0 NOT NULL,
	`last_message_at` integer,
	`last_message_id` integer,
	`last_customer_message_at` integer,
	`last_customer_message_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_corp_key` ON `conversations` (`corp_id`,`key`);--> statement-breakpoint
CREATE INDEX `conversations_user_recent` ON `conversations` (`corp_id`,`user_id`,`last_message_at`,`id`);--> statement-breakpoint
CREATE INDEX `conversations_customer` ON `conversations` (`corp_id`,`external_user_id`);--> statement-breakpoint
CREATE TABLE `erasures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`erased_by` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`counts` text DEFAULT '{}' NOT NULL,
	`erased_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `erasures_corp` ON `erasures` (`corp_id`,`erased_at`);--> statement-breakpoint
CREATE TABLE `keyword_alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`rule_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`user_id` text,
	`external_user_id` text,
	`matched` text NOT NULL,
	`direction` text NOT NULL,
	`sent_at` integer NOT NULL,
	`delivered_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `keyword_alerts_rule_message` ON `keyword_alerts` (`rule_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `keyword_alerts_corp` ON `keyword_alerts` (`corp_id`,`id`);--> statement-breakpoint
CREATE INDEX `keyword_alerts_message` ON `keyword_alerts` (`message_id`);--> statement-breakpoint
CREATE INDEX `keyword_alerts_customer` ON `keyword_alerts` (`corp_id`,`external_user_id`);--> statement-breakpoint
CREATE TABLE `keyword_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`name` text NOT NULL,
	`words` text DEFAULT '[]' NOT NULL,
	`patterns` text DEFAULT '[]' NOT NULL,
	`direction` text DEFAULT 'both' NOT NULL,
	`scope` text DEFAULT 'both' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `keyword_rules_corp_name` ON `keyword_rules` (`corp_id`,`name`);--> statement-breakpoint
CREATE TABLE `media_objects` (
	`corp_id` text NOT NULL,
	`hash` text NOT NULL,
	`size` integer NOT NULL,
	`mime` text NOT NULL,
	`md5` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`corp_id`, `hash`)
);
--> statement-breakpoint
CREATE TABLE `message_media` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`message_id` integer NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`kind` text NOT NULL,
	`sdk_file_id` text NOT NULL,
	`md5sum` text DEFAULT '' NOT NULL,
	`declared_size` integer,
	`name` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`hash` text,
	`error` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_media_message` ON `message_media` (`message_id`,`position`);--> statement-breakpoint
CREATE INDEX `message_media_hash` ON `message_media` (`corp_id`,`hash`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`msgid` text NOT NULL,
	`seq` integer,
	`action` text DEFAULT 'send' NOT NULL,
	`sender` text DEFAULT '' NOT NULL,
	`receivers` text DEFAULT '[]' NOT NULL,
	`room_id` text,
	`sent_at` integer NOT NULL,
	`type` text NOT NULL,
	`text` text DEFAULT '' NOT NULL,
	`content` text DEFAULT '{}' NOT NULL,
	`search_terms` text DEFAULT '' NOT NULL,
	`conversation_id` integer,
	`user_id` text,
	`external_user_id` text,
	`direction` text NOT NULL,
	`recalled` integer DEFAULT false NOT NULL,
	`source` text NOT NULL,
	`rev` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_corp_msgid` ON `messages` (`corp_id`,`msgid`);--> statement-breakpoint
CREATE INDEX `messages_conversation_time` ON `messages` (`conversation_id`,`sent_at`,`id`);--> statement-breakpoint
CREATE INDEX `messages_conversation_rev` ON `messages` (`conversation_id`,`rev`);--> statement-breakpoint
CREATE INDEX `messages_customer` ON `messages` (`corp_id`,`external_user_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_rep` ON `messages` (`corp_id`,`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_time` ON `messages` (`corp_id`,`sent_at`);--> statement-breakpoint
-- Hand-written (drizzle knows neither virtual tables nor triggers): full-text search over the words jieba segmented
-- (server/modules/messages/segment.ts, search.ts). A contentless FTS5 index, rowid = messages.id, kept by triggers.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` WHEN new.search_terms <> '' BEGIN
  INSERT INTO messages_fts(rowid, terms) VALUES (new.id, new.search_terms);
END;--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
END;--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF `search_terms` ON `messages` BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
  INSERT INTO messages_fts(rowid, terms) SELECT new.id, new.search_terms WHERE new.search_terms <> '';
END;
