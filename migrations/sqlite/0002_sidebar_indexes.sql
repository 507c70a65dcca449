DROP INDEX `follows_user`;--> statement-breakpoint
CREATE INDEX `follows_user` ON `follows` (`corp_id`,`user_id`,`status`,`added_at`);--> statement-breakpoint
ALTER TABLE `script_groups` ADD `deleted_at` integer;--> statement-breakpoint
CREATE INDEX `timeline_contact_kind_time` ON `timeline_items` (`corp_id`,`external_user_id`,`kind`,`occurred_at`,`id`);