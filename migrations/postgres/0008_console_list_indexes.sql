DROP INDEX "follow_tags_contact";--> statement-breakpoint
CREATE INDEX "follows_corp_added" ON "follows" USING btree ("corp_id","added_at","id");--> statement-breakpoint
CREATE INDEX "follow_tags_contact" ON "follow_tags" USING btree ("corp_id","external_user_id","user_id","tag_id");