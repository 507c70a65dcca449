CREATE INDEX `events_fresh` ON `events` (`status`,`received_at`);--> statement-breakpoint
CREATE INDEX `jobs_deadline` ON `jobs` (`status`,`deadline_at`);