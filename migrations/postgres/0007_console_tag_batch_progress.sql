ALTER TABLE "tag_batches" ADD COLUMN "actor_id" text;--> statement-breakpoint
ALTER TABLE "tag_batches" ADD COLUMN "done" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tag_batches" ADD COLUMN "failed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tag_batches" ADD COLUMN "finished_at" bigint;