import { and, eq, gte, inArray } from 'drizzle-orm';
import { Type } from 'typebox';
import { dayInZone } from '../../../shared/time-zone.js';
import type { Database, Executor } from '../../db/database.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomApiError } from '../../wecom/errors.js';
import type { Outcome } from '../../worker/runner.js';
import { parseLocalDay } from '../channels/local-day.js';
import { defineJob } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import type { CronEntry } from '../manifest.js';
import type { Rollup } from './rollup.js';
import { addDays } from './days.js';

/** Days recomputed every night: yesterday, then days whose late replies or 7/30-day windows have now closed. */
const NIGHTLY_DAYS = [1, 2, 3, 8, 31];
/** At start and nightly, missing rollups of this many past days are made. */
const BACKFILL_DAYS = 62;
/** WeCom keeps behaviour data 180 days and answers at most 30 days per call. */
const BEHAVIOR_FIRST_DAYS = 30;
/** WeCom's statistics are Beijing days. */
const WECOM_ZONE = 'Asia/Shanghai';

/**
 * The dashboards' durable jobs: a corp-day's rollup (idempotent; one at a time per corp), the nightly entry that
 * enqueues the days to (re)compute and any missing ones, and WeCom's behaviour figures fetched per rep (one rep per
 * call: WeCom sums the figures of several ids).
 */
export function createDashboardJobs(deps: {
  db: Database;
  jobs: Pick<JobService, 'enqueue'>;
  rollup: Pick<Rollup, 'rollUp'>;
  api: (corpId: string) => Pick<WecomApi, 'getUserBehaviorData'>;
  timeZone: string;
  now: () => number;
}) {
  const { db } = deps;
  const { rollupDays, reps, behaviorDaily } = db.t;

  const rollupJob = defineJob(
    'console_rollup',
    Type.Object({ day: Type.String() }),
    async (job, p): Promise<Outcome> => {
      const figures = await deps.rollup.rollUp(job.corpId, p.day);
      return {
        kind: 'done',
        result: `${p.day}: ${figures.movements.length} movement rows, ${figures.reps.length} rep rows`,
      };
    },
    { lane: (corpId) => `rollup:${corpId}`, maxAttempts: 5 },
  );

  const nightlyJob = defineJob(
    'console_rollup_nightly',
    Type.Object({ period: Type.String() }),
    async (job, p): Promise<Outcome> => {
      const today = dayInZone(deps.now(), deps.timeZone);
      const wanted = new Set(NIGHTLY_DAYS.map((n) => addDays(today, -n)));
      const oldest = addDays(today, -BACKFILL_DAYS);
      const done = new Set(
        (
          await db
            .select({ day: rollupDays.day })
            .from(rollupDays)
            .where(and(eq(rollupDays.corpId, job.corpId), gte(rollupDays.day, oldest)))
        ).map((r) => r.day),
      );
      for (let d = oldest; d < today; d = addDays(d, 1)) if (!done.has(d)) wanted.add(d);
      for (const day of [...wanted].sort()) {
        await deps.jobs.enqueue(db, rollupJob, { day }, { corpId: job.corpId, dedupeKey: `rollup:${day}:${p.period}` });
      }
      return { kind: 'done', result: `${wanted.size} days enqueued` };
    },
    { maxAttempts: 3 },
  );

  const behaviorJob = defineJob(
    'console_behavior',
    Type.Object({ userId: Type.String(), from: Type.String(), to: Type.String() }),
    async (job, p): Promise<Outcome> => {
      const start = parseLocalDay(p.from, WECOM_ZONE)! / 1000;
      const end = parseLocalDay(p.to, WECOM_ZONE)! / 1000;
      let data;
      try {
        data = (
          await deps.api(job.corpId).getUserBehaviorData({ userid: [p.userId], start_time: start, end_time: end })
        ).behavior_data;
      } catch (err) {
        if (err instanceof WecomApiError && !err.retryable) {
          return { kind: 'failed', error: `get_user_behavior_data errcode ${err.errcode}` };
        }
        throw err;
      }
      const at = deps.now();
      for (const d of data) {
        const row = {
          corpId: job.corpId,
          day: dayInZone(d.stat_time * 1000, WECOM_ZONE),
          userId: p.userId,
          chatCount: d.chat_cnt ?? 0,
          messageCount: d.message_cnt ?? 0,
          replyPercentageX100: Math.round((d.reply_percentage ?? 0) * 100),
          avgReplyMinutesX100: Math.round((d.avg_reply_time ?? 0) * 100),
          negativeFeedbackCount: d.negative_feedback_cnt ?? 0,
          newApplyCount: d.new_apply_cnt ?? 0,
          newContactCount: d.new_contact_cnt ?? 0,
          fetchedAt: at,
        };
        const { corpId: _c, day: _d, userId: _u, ...figures } = row;
        await db
          .insert(behaviorDaily)
          .values(row)
          .onConflictDoUpdate({
            target: [behaviorDaily.corpId, behaviorDaily.day, behaviorDaily.userId],
            set: figures,
          });
      }
      return { kind: 'done', result: `${data.length} days` };
    },
    { maxAttempts: 6 },
  );

  const behaviorNightlyJob = defineJob(
    'console_behavior_nightly',
    Type.Object({ period: Type.String() }),
    async (job, p): Promise<Outcome> => {
      const today = dayInZone(deps.now(), WECOM_ZONE);
      const [any] = await db
        .select({ day: behaviorDaily.day })
        .from(behaviorDaily)
        .where(eq(behaviorDaily.corpId, job.corpId))
        .limit(1);
      // The first run fetches the last 30 days; then each night the last two (WeCom may complete a day late).
      const from = addDays(today, any ? -2 : -BEHAVIOR_FIRST_DAYS);
      const to = addDays(today, -1);
      const active = await db
        .select({ userId: reps.userId })
        .from(reps)
        .where(and(eq(reps.corpId, job.corpId), eq(reps.status, 1)));
      for (const { userId } of active) {
        await deps.jobs.enqueue(
          db,
          behaviorJob,
          { userId, from, to },
          { corpId: job.corpId, dedupeKey: `behavior:${p.period}:${userId}` },
        );
      }
      return { kind: 'done', result: `${active.length} reps, ${from} … ${to}` };
    },
    { maxAttempts: 3 },
  );

  const cron: CronEntry[] = [
    { name: 'console-rollup', schedule: '40 0 * * *', period: 'day', job: nightlyJob, atStart: true },
    { name: 'console-behavior', schedule: '30 2 * * *', period: 'day', job: behaviorNightlyJob, atStart: true },
  ];
  /**
   * Messages stored late for days already rolled up (an archive import, a pull that caught up after an outage, the
   * demo's chats pulled after the start's backfill): those days are rolled up again, in the storing transaction. One
   * job per day and minute, run once that minute is over, so every batch stored within it is counted.
   */
  async function messagesStoredLate(ex: Executor, corpId: string, sentAts: number[]): Promise<void> {
    const now = deps.now();
    const today = dayInZone(now, deps.timeZone);
    const days = [...new Set(sentAts.map((at) => dayInZone(at, deps.timeZone)))].filter((d) => d < today);
    if (days.length === 0) return;
    const rolled = await ex
      .select({ day: rollupDays.day })
      .from(rollupDays)
      .where(and(eq(rollupDays.corpId, corpId), inArray(rollupDays.day, days)));
    const minute = Math.floor(now / 60_000);
    for (const { day } of rolled) {
      await deps.jobs.enqueue(
        ex,
        rollupJob,
        { day },
        {
          corpId,
          dedupeKey: `rollup:${day}:late:${minute}`,
          runAt: (minute + 1) * 60_000,
        },
      );
    }
  }

  return { rollupJob, nightlyJob, behaviorJob, behaviorNightlyJob, cron, messagesStoredLate };
}
export type DashboardJobs = ReturnType<typeof createDashboardJobs>;
