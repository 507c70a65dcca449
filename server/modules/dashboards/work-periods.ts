import { createHash } from 'node:crypto';
import { eq, sql, type SQL } from 'drizzle-orm';
import { dayInZone } from '../../../shared/time-zone.js';
import type { Database } from '../../db/database.js';
import { nextDay, parseLocalDay } from '../channels/local-day.js';
import { spansOfDay, type Calendar } from '../work-calendar/calendar.js';
import type { WorkCalendarService } from '../work-calendar/service.js';

const DAY_MS = 86_400_000;
/** Working time is known in SQL from this many days back … */
const DAYS_BACK = 800;
/** … to this many ahead (rebuilt as days pass). */
const DAYS_AHEAD = 60;

/**
 * The corp's working time in SQL: each working span of the calendar as a row [start, end) with the working ms of all
 * earlier spans, so "working ms from the origin to t" is one index lookup and the working time between two moments
 * is a difference (reply times, the 3-minute rate). Rebuilt when the calendar changes or the days run out.
 */
export function createWorkPeriods(deps: {
  db: Database;
  calendar: Pick<WorkCalendarService, 'calendar'>;
  now: () => number;
}) {
  const { db } = deps;
  const { workPeriods, workPeriodState } = db.t;

  const digest = (c: Calendar) =>
    createHash('sha256')
      .update(JSON.stringify([c.timeZone, c.weekly, Object.entries(c.exceptions).sort()]))
      .digest('hex');

  async function build(corpId: string, calendar: Calendar, hash: string, fromDay: string, toDay: string) {
    const rows: { corpId: string; startMs: number; endMs: number; cumulativeMs: number }[] = [];
    let cumulative = 0;
    for (let day = fromDay; day <= toDay; day = nextDay(day)) {
      const noon = parseLocalDay(day, calendar.timeZone)! + DAY_MS / 2;
      for (const [start, end] of spansOfDay(calendar, noon)) {
        rows.push({ corpId, startMs: start, endMs: end, cumulativeMs: cumulative });
        cumulative += end - start;
      }
    }
    await db.tx(async (tx) => {
      await tx.delete(workPeriods).where(eq(workPeriods.corpId, corpId));
      for (let i = 0; i < rows.length; i += 500) await tx.insert(workPeriods).values(rows.slice(i, i + 500));
      await tx
        .insert(workPeriodState)
        .values({ corpId, calendarDigest: hash, fromDay, toDay, builtAt: deps.now() })
        .onConflictDoUpdate({
          target: workPeriodState.corpId,
          set: { calendarDigest: hash, fromDay, toDay, builtAt: deps.now() },
        });
    });
  }

  return {
    /** Makes sure the periods match the calendar and cover the days around now. */
    async ensure(corpId: string): Promise<void> {
      const calendar = await deps.calendar.calendar(corpId);
      const hash = digest(calendar);
      const now = deps.now();
      const today = dayInZone(now, calendar.timeZone);
      const [state] = await db.select().from(workPeriodState).where(eq(workPeriodState.corpId, corpId)).limit(1);
      const wantTo = dayInZone(now + 7 * DAY_MS, calendar.timeZone);
      if (state && state.calendarDigest === hash && state.toDay >= wantTo && state.fromDay <= today) return;
      await build(
        corpId,
        calendar,
        hash,
        dayInZone(now - DAYS_BACK * DAY_MS, calendar.timeZone),
        dayInZone(now + DAYS_AHEAD * DAY_MS, calendar.timeZone),
      );
    },
  };
}
export type WorkPeriods = ReturnType<typeof createWorkPeriods>;

/**
 * Where a look-up reads the periods from: the corp's table, or a CTE holding some of them (`stretchPeriods`), read
 * as `p` with a condition to follow.
 */
export type PeriodSource = { corpId: string } | { cte: string };

function periodsOf(source: PeriodSource): SQL {
  return 'cte' in source
    ? sql`${sql.identifier(source.cte)} p WHERE`
    : sql`work_periods p WHERE p.corp_id = ${source.corpId} AND`;
}

/**
 * The periods a lookup of a moment in [startMs, endMs) can need: the one in force at `startMs` and those starting
 * before `endMs` (a day holds a few), for a CTE that the stretch's look-ups scan instead of probing the index.
 */
export function stretchPeriods(corpId: string, startMs: number, endMs: number): SQL {
  return sql`SELECT w.start_ms, w.end_ms, w.cumulative_ms FROM work_periods w
    WHERE w.corp_id = ${corpId} AND w.start_ms < ${endMs}
      AND w.start_ms >= COALESCE((SELECT max(b.start_ms) FROM work_periods b
        WHERE b.corp_id = ${corpId} AND b.start_ms <= ${startMs}), ${startMs})`;
}

/**
 * Working ms from the periods' origin to `t` (an SQL expression of a moment): the period starting last at or before
 * `t`, its cumulative ms plus how much of it has passed. 0 before the first period; portable SQL.
 */
export function workingClock(source: PeriodSource, t: SQL): SQL {
  return sql`COALESCE((SELECT p.cumulative_ms + CASE WHEN ${t} >= p.end_ms THEN p.end_ms - p.start_ms ELSE ${t} - p.start_ms END
    FROM ${periodsOf(source)} p.start_ms <= ${t} ORDER BY p.start_ms DESC LIMIT 1), 0)`;
}

/** 1 when `t` falls in a working span, else 0. */
export function inWorkingHours(source: PeriodSource, t: SQL): SQL {
  return sql`COALESCE((SELECT CASE WHEN ${t} < p.end_ms THEN 1 ELSE 0 END
    FROM ${periodsOf(source)} p.start_ms <= ${t} ORDER BY p.start_ms DESC LIMIT 1), 0)`;
}
