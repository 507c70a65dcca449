CREATE TABLE "movement_monthly" (
	"corp_id" text NOT NULL,
	"month" text NOT NULL,
	"user_id" text NOT NULL,
	"channel_id" integer NOT NULL,
	"department_id" integer NOT NULL,
	"adds" integer DEFAULT 0 NOT NULL,
	"losses" integer DEFAULT 0 NOT NULL,
	"lost_by_customer" integer DEFAULT 0 NOT NULL,
	"lost_by_rep" integer DEFAULT 0 NOT NULL,
	"transfers_out" integer DEFAULT 0 NOT NULL,
	"cohort_lost_7" integer DEFAULT 0 NOT NULL,
	"cohort_lost_30" integer DEFAULT 0 NOT NULL,
	"welcome_sent" integer DEFAULT 0 NOT NULL,
	"welcome_missed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "movement_monthly_corp_id_month_user_id_channel_id_department_id_pk" PRIMARY KEY("corp_id","month","user_id","channel_id","department_id")
);
--> statement-breakpoint
CREATE TABLE "rep_monthly" (
	"corp_id" text NOT NULL,
	"month" text NOT NULL,
	"user_id" text NOT NULL,
	"department_id" integer NOT NULL,
	"conversations" integer DEFAULT 0 NOT NULL,
	"messages_sent" integer DEFAULT 0 NOT NULL,
	"customer_messages" integer DEFAULT 0 NOT NULL,
	"questions" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"questions_in_hours" integer DEFAULT 0 NOT NULL,
	"answered_in_3m" integer DEFAULT 0 NOT NULL,
	"frt00" integer DEFAULT 0 NOT NULL,
	"frt01" integer DEFAULT 0 NOT NULL,
	"frt02" integer DEFAULT 0 NOT NULL,
	"frt03" integer DEFAULT 0 NOT NULL,
	"frt04" integer DEFAULT 0 NOT NULL,
	"frt05" integer DEFAULT 0 NOT NULL,
	"frt06" integer DEFAULT 0 NOT NULL,
	"frt07" integer DEFAULT 0 NOT NULL,
	"frt08" integer DEFAULT 0 NOT NULL,
	"frt09" integer DEFAULT 0 NOT NULL,
	"frt10" integer DEFAULT 0 NOT NULL,
	"frt11" integer DEFAULT 0 NOT NULL,
	"frt12" integer DEFAULT 0 NOT NULL,
	"frt13" integer DEFAULT 0 NOT NULL,
	"frt14" integer DEFAULT 0 NOT NULL,
	"frt15" integer DEFAULT 0 NOT NULL,
	"frt16" integer DEFAULT 0 NOT NULL,
	"frt17" integer DEFAULT 0 NOT NULL,
	"frt18" integer DEFAULT 0 NOT NULL,
	"frt19" integer DEFAULT 0 NOT NULL,
	"frt20" integer DEFAULT 0 NOT NULL,
	"frt21" integer DEFAULT 0 NOT NULL,
	"frt22" integer DEFAULT 0 NOT NULL,
	"frt23" integer DEFAULT 0 NOT NULL,
	"scripts_sent" integer DEFAULT 0 NOT NULL,
	"suggestions_shown" integer DEFAULT 0 NOT NULL,
	"suggestions_sent" integer DEFAULT 0 NOT NULL,
	"suggestions_edited" integer DEFAULT 0 NOT NULL,
	"suggestions_ignored" integer DEFAULT 0 NOT NULL,
	"notes_written" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "rep_monthly_corp_id_month_user_id_department_id_pk" PRIMARY KEY("corp_id","month","user_id","department_id")
);
--> statement-breakpoint
CREATE INDEX "follows_corp_lost" ON "follows" USING btree ("corp_id","lost_at");--> statement-breakpoint
-- Hand-written: the monthly sums of the days already rolled up (the rollup keeps them from now on).
INSERT INTO "movement_monthly" (corp_id, month, user_id, channel_id, department_id, adds, losses, lost_by_customer, lost_by_rep, transfers_out, cohort_lost_7, cohort_lost_30, welcome_sent, welcome_missed)
  SELECT corp_id, substr(day, 1, 7), user_id, channel_id, department_id, sum(adds), sum(losses), sum(lost_by_customer), sum(lost_by_rep), sum(transfers_out), sum(cohort_lost_7), sum(cohort_lost_30), sum(welcome_sent), sum(welcome_missed)
  FROM "movement_daily" GROUP BY corp_id, substr(day, 1, 7), user_id, channel_id, department_id;--> statement-breakpoint
INSERT INTO "rep_monthly" (corp_id, month, user_id, department_id, conversations, messages_sent, customer_messages, questions, answered, questions_in_hours, answered_in_3m, frt00, frt01, frt02, frt03, frt04, frt05, frt06, frt07, frt08, frt09, frt10, frt11, frt12, frt13, frt14, frt15, frt16, frt17, frt18, frt19, frt20, frt21, frt22, frt23, scripts_sent, suggestions_shown, suggestions_sent, suggestions_edited, suggestions_ignored, notes_written)
  SELECT corp_id, substr(day, 1, 7), user_id, department_id, sum(conversations), sum(messages_sent), sum(customer_messages), sum(questions), sum(answered), sum(questions_in_hours), sum(answered_in_3m), sum(frt00), sum(frt01), sum(frt02), sum(frt03), sum(frt04), sum(frt05), sum(frt06), sum(frt07), sum(frt08), sum(frt09), sum(frt10), sum(frt11), sum(frt12), sum(frt13), sum(frt14), sum(frt15), sum(frt16), sum(frt17), sum(frt18), sum(frt19), sum(frt20), sum(frt21), sum(frt22), sum(frt23), sum(scripts_sent), sum(suggestions_shown), sum(suggestions_sent), sum(suggestions_edited), sum(suggestions_ignored), sum(notes_written)
  FROM "rep_daily" GROUP BY corp_id, substr(day, 1, 7), user_id, department_id;
