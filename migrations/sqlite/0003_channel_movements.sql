CREATE TABLE `channel_movements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`corp_id` text NOT NULL,
	`channel_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`external_user_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`source_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channel_movements_source` ON `channel_movements` (`corp_id`,`source_key`);--> statement-breakpoint
CREATE INDEX `channel_movements_channel_time` ON `channel_movements` (`corp_id`,`channel_id`,`at`);--> statement-breakpoint
-- Backfill from the timeline, which already records every intake and loss with the channel of the moment.
INSERT OR IGNORE INTO `channel_movements` (`corp_id`, `channel_id`, `user_id`, `external_user_id`, `kind`, `at`, `source_key`)
SELECT `corp_id`, json_extract(`payload`, '$.channelId'), `user_id`, `external_user_id`, 'add', `occurred_at`, `source_key`
FROM `timeline_items`
WHERE `kind` = 'added' AND json_extract(`payload`, '$.channelId') IS NOT NULL AND `user_id` IS NOT NULL AND `source_key` IS NOT NULL;--> statement-breakpoint
INSERT OR IGNORE INTO `channel_movements` (`corp_id`, `channel_id`, `user_id`, `external_user_id`, `kind`, `at`, `source_key`)
SELECT `corp_id`, json_extract(`payload`, '$.channelId'), `user_id`, `external_user_id`, 'loss', `occurred_at`, `source_key`
FROM `timeline_items`
WHERE `kind` = 'lost' AND json_extract(`payload`, '$.channelId') IS NOT NULL AND json_extract(`payload`, '$.reason') <> 'transferred'
  AND `user_id` IS NOT NULL AND `source_key` IS NOT NULL;
