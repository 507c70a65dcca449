ALTER TABLE `tag_batches` ADD `actor_id` text;--> statement-breakpoint
ALTER TABLE `tag_batches` ADD `done` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tag_batches` ADD `failed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tag_batches` ADD `finished_at` integer;