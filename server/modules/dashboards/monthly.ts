import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { BAND_COLUMNS } from './figures.js';
import { addDays } from './days.js';

/**
 * Coarser sums of the daily rollups, rewritten from the daily rows in the transaction that writes a day:
 * - monthly (movement_monthly, rep_monthly): the same rows per calendar month, rep (and channel) and department. A
 *   dashboard's year then sums about 12 rows per rep instead of 365; the days at the range's edges (and the months
 *   whose retention windows are still open) are read from the daily rows.
 * - per department (department_daily): a day's movements and active total over all reps and channels, for the days
 *   of a chart without a rep or channel filter.
 */

export const MOVEMENT_COLUMNS = [
  'adds',
  'losses',
  'lost_by_customer',
  'lost_by_rep',
  'transfers_out',
  'cohort_lost_7',
  'cohort_lost_30',
  'welcome_sent',
  'welcome_missed',
] as const;

export const REP_COLUMNS = [
  'conversations',
  'messages_sent',
  'customer_messages',
  'questions',
  'answered',
  'questions_in_hours',
  'answered_in_3m',
  ...BAND_COLUMNS,
  'scripts_sent',
  'suggestions_shown',
  'suggestions_sent',
  'suggestions_edited',
  'suggestions_ignored',
  'notes_written',
] as const;

const names = (columns: readonly string[]) => sql.raw(columns.join(', '));
const sums = (columns: readonly string[]) => sql.raw(columns.map((c) => `sum(${c})`).join(', '));

const pad = (n: number) => String(n).padStart(2, '0');

/** The first day of the month after `day`'s. */
function nextMonthStart(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`;
}

/** The first and last day of `day`'s month. */
export function monthOf(day: string): { month: string; first: string; last: string } {
  return { month: day.slice(0, 7), first: `${day.slice(0, 7)}-01`, last: addDays(nextMonthStart(day), -1) };
}

/**
 * The whole calendar months inside [from, to] that end on or before `limit`, as the day span [start, end] they
 * cover and their first and last `YYYY-MM`; null when there is none.
 */
export function wholeMonths(
  from: string,
  to: string,
  limit: string,
): { start: string; end: string; firstMonth: string; lastMonth: string } | null {
  const start = from.endsWith('-01') ? from : nextMonthStart(from);
  const cap = to < limit ? to : limit;
  const end = monthOf(cap).last === cap ? cap : addDays(monthOf(cap).first, -1);
  if (start > end) return null;
  return { start, end, firstMonth: start.slice(0, 7), lastMonth: end.slice(0, 7) };
}

/** Rewrites a corp-month's monthly rows from its daily rows (run in the transaction that wrote a day of it). */
export async function refreshMonth(db: Database, ex: Executor, corpId: string, day: string): Promise<void> {
  const { month, first, last } = monthOf(day);
  const days: SQL = sql`corp_id = ${corpId} AND day >= ${first} AND day <= ${last}`;
  await db.exec(ex, sql`DELETE FROM movement_monthly WHERE corp_id = ${corpId} AND month = ${month}`);
  await db.exec(
    ex,
    sql`INSERT INTO movement_monthly (corp_id, month, user_id, channel_id, department_id, ${names(MOVEMENT_COLUMNS)})
        SELECT corp_id, ${month}, user_id, channel_id, department_id, ${sums(MOVEMENT_COLUMNS)}
        FROM movement_daily WHERE ${days}
        GROUP BY corp_id, user_id, channel_id, department_id`,
  );
  await db.exec(ex, sql`DELETE FROM rep_monthly WHERE corp_id = ${corpId} AND month = ${month}`);
  await db.exec(
    ex,
    sql`INSERT INTO rep_monthly (corp_id, month, user_id, department_id, ${names(REP_COLUMNS)})
        SELECT corp_id, ${month}, user_id, department_id, ${sums(REP_COLUMNS)}
        FROM rep_daily WHERE ${days}
        GROUP BY corp_id, user_id, department_id`,
  );
}

/** Rewrites a corp-day's department sums from its movement and active rows (in the rollup's transaction). */
export async function refreshDepartmentDay(db: Database, ex: Executor, corpId: string, day: string): Promise<void> {
  const zeros = sql.raw(MOVEMENT_COLUMNS.map(() => '0').join(', '));
  await db.exec(ex, sql`DELETE FROM department_daily WHERE corp_id = ${corpId} AND day = ${day}`);
  await db.exec(
    ex,
    sql`INSERT INTO department_daily (corp_id, day, department_id, ${names(MOVEMENT_COLUMNS)}, active)
        SELECT corp_id, day, department_id, ${sums(MOVEMENT_COLUMNS)}, sum(active)
        FROM (SELECT corp_id, day, department_id, ${names(MOVEMENT_COLUMNS)}, 0 AS active FROM movement_daily
                WHERE corp_id = ${corpId} AND day = ${day}
              UNION ALL
              SELECT corp_id, day, department_id, ${zeros}, active FROM active_daily
                WHERE corp_id = ${corpId} AND day = ${day}) x
        GROUP BY corp_id, day, department_id`,
  );
}
