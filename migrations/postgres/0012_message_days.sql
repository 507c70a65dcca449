CREATE TABLE "message_days" (
	"corp_id" text NOT NULL,
	"day" integer NOT NULL,
	"min_id" integer NOT NULL,
	"max_id" integer NOT NULL,
	CONSTRAINT "message_days_corp_id_day_pk" PRIMARY KEY("corp_id","day")
);
--> statement-breakpoint
INSERT INTO "message_days" (corp_id, day, min_id, max_id)
  SELECT corp_id, (sent_at / 86400000)::integer, min(id), max(id) FROM messages GROUP BY 1, 2;--> statement-breakpoint
CREATE FUNCTION message_days_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Ordered, so that two transactions storing messages of the same days lock those rows in the same order.
  INSERT INTO message_days (corp_id, day, min_id, max_id)
    SELECT corp_id, (sent_at / 86400000)::integer, min(id), max(id) FROM added GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (corp_id, day) DO UPDATE
      SET min_id = LEAST(message_days.min_id, EXCLUDED.min_id), max_id = GREATEST(message_days.max_id, EXCLUDED.max_id)
      WHERE EXCLUDED.min_id < message_days.min_id OR EXCLUDED.max_id > message_days.max_id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER messages_days_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION message_days_added();--> statement-breakpoint
CREATE FUNCTION message_days_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_days (corp_id, day, min_id, max_id)
    VALUES (NEW.corp_id, (NEW.sent_at / 86400000)::integer, NEW.id, NEW.id)
    ON CONFLICT (corp_id, day) DO UPDATE
      SET min_id = LEAST(message_days.min_id, EXCLUDED.min_id), max_id = GREATEST(message_days.max_id, EXCLUDED.max_id)
      WHERE EXCLUDED.min_id < message_days.min_id OR EXCLUDED.max_id > message_days.max_id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER messages_days_update AFTER UPDATE OF sent_at ON messages
  FOR EACH ROW WHEN (OLD.sent_at IS DISTINCT FROM NEW.sent_at) EXECUTE FUNCTION message_days_moved();
