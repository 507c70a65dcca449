DROP INDEX `follow_tags_contact`;--> statement-breakpoint
CREATE INDEX `follow_tags_contact` ON `follow_tags` (`corp_id`,`external_user_id`,`user_id`,`tag_id`);--> statement-breakpoint
CREATE INDEX `follows_corp_added` ON `follows` (`corp_id`,`added_at`,`id`);