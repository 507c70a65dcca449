CREATE INDEX "events_fresh" ON "events" USING btree ("status","received_at");--> statement-breakpoint
CREATE INDEX "jobs_deadline" ON "jobs" USING btree ("status","deadline_at");