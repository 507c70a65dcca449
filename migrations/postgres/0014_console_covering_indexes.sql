DROP INDEX "follows_channel_added";--> statement-breakpoint
DROP INDEX "follows_corp_added";--> statement-breakpoint
CREATE INDEX "conversations_unanswered" ON "conversations" USING btree ("corp_id","user_id","last_message_at") WHERE kind = 'single' AND last_customer_message_id = last_message_id;--> statement-breakpoint
CREATE INDEX "follows_channel_added" ON "follows" USING btree ("corp_id","channel_id","added_at","status","user_id","external_user_id");--> statement-breakpoint
CREATE INDEX "follows_corp_added" ON "follows" USING btree ("corp_id","added_at","id","user_id","status");