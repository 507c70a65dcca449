CREATE TABLE "department_daily" (
	"corp_id" text NOT NULL,
	"day" text NOT NULL,
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
	"active" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "department_daily_corp_id_day_department_id_pk" PRIMARY KEY("corp_id","day","department_id")
);--> statement-breakpoint
-- Hand-written: the department sums of the days already rolled up (the rollup keeps them from now on).
INSERT INTO "department_daily" (corp_id, day, department_id, adds, losses, lost_by_customer, lost_by_rep, transfers_out, cohort_lost_7, cohort_lost_30, welcome_sent, welcome_missed, active)
  SELECT corp_id, day, department_id, sum(adds), sum(losses), sum(lost_by_customer), sum(lost_by_rep), sum(transfers_out), sum(cohort_lost_7), sum(cohort_lost_30), sum(welcome_sent), sum(welcome_missed), sum(active)
  FROM (SELECT corp_id, day, department_id, adds, losses, lost_by_customer, lost_by_rep, transfers_out, cohort_lost_7, cohort_lost_30, welcome_sent, welcome_missed, 0 AS active FROM "movement_daily"
        UNION ALL
        SELECT corp_id, day, department_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, active FROM "active_daily") x
  GROUP BY corp_id, day, department_id;
