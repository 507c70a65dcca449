CREATE TABLE `message_days` (
	`corp_id` text NOT NULL,
	`day` integer NOT NULL,
	`min_id` integer NOT NULL,
	`max_id` integer NOT NULL,
	PRIMARY KEY(`corp_id`, `day`)
);
--> statement-breakpoint
INSERT INTO `message_days` (corp_id, day, min_id, max_id)
  SELECT corp_id, sent_at / 86400000, min(id), max(id) FROM messages GROUP BY corp_id, sent_at / 86400000;--> statement-breakpoint
CREATE TRIGGER `messages_days_insert` AFTER INSERT ON `messages` BEGIN
  INSERT INTO message_days (corp_id, day, min_id, max_id) VALUES (new.corp_id, new.sent_at / 86400000, new.id, new.id)
    ON CONFLICT (corp_id, day) DO UPDATE SET min_id = min(min_id, excluded.min_id), max_id = max(max_id, excluded.max_id);
END;--> statement-breakpoint
CREATE TRIGGER `messages_days_update` AFTER UPDATE OF `sent_at` ON `messages`
  WHEN new.sent_at / 86400000 <> old.sent_at / 86400000 BEGIN
  INSERT INTO message_days (corp_id, day, min_id, max_id) VALUES (new.corp_id, new.sent_at / 86400000, new.id, new.id)
    ON CONFLICT (corp_id, day) DO UPDATE SET min_id = min(min_id, excluded.min_id), max_id = max(max_id, excluded.max_id);
END;
