ALTER TABLE `events` ADD `lane` text;--> statement-breakpoint
ALTER TABLE `events` ADD `occurred_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `events` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `events_lane` ON `events` (`lane`,`occurred_at`,`id`) WHERE status in ('pending', 'running');--> statement-breakpoint
ALTER TABLE `jobs` ADD `lane` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `jobs_lane` ON `jobs` (`lane`,`id`) WHERE status in ('pending', 'running');--> statement-breakpoint
-- Items being processed when an earlier version stopped are now expired leases ('running', lease_until 0), taken
-- over at once; unfinished ones get the lane and order the worker now
-- reads from columns (server/modules/events/lane.ts). Handled rows keep no lane: they never run again.
UPDATE `events` SET `status` = 'running', `lease_until` = 0 WHERE `status` = 'processing';--> statement-breakpoint
UPDATE `jobs` SET `lease_until` = 0 WHERE `status` = 'running';--> statement-breakpoint
UPDATE `events` SET
  `occurred_at` = COALESCE(CAST(json_extract(`payload`, '$.createTime') AS INTEGER), 0) * 1000 + CASE
    WHEN json_extract(`payload`, '$.changeType') LIKE 'add\_%' ESCAPE '\' THEN 0
    WHEN json_extract(`payload`, '$.changeType') LIKE 'del\_%' ESCAPE '\' THEN 2
    WHEN json_extract(`payload`, '$.kind') = 'external_contact' THEN 1 ELSE 0 END,
  `lane` = CASE json_extract(`payload`, '$.kind')
    WHEN 'external_contact' THEN `corp_id` || '|' || json_extract(`payload`, '$.externalUserId')
    WHEN 'external_tag' THEN `corp_id` || '|tags'
    WHEN 'msgaudit_notify' THEN `corp_id` || '|archive'
  END
WHERE `status` IN ('pending', 'running');
