import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { addRepDay, BAND_COUNT, BAND_COLUMNS, emptyRepDay, type RepDayFigures } from './figures.js';
import { addDays } from './days.js';
import { wholeMonths } from './monthly.js';

/** Which rollup rows a figure counts: departments (scope and filter together), a rep, a channel. */
export interface RowFilter {
  /** The departments rows must count in; null: any (an admin without a department filter). */
  departments: ReadonlySet<number> | null;
  userId?: string;
  /** Movement and active rows only; 0 = no channel. */
  channelId?: number;
}

export interface MovementSums {
  adds: number;
  losses: number;
  lostByCustomer: number;
  lostByRep: number;
  transfersOut: number;
  /** Adds of days whose 7 (30) days have passed, and how many of them were lost within 7 (30) days. */
  cohort7: number;
  lost7: number;
  cohort30: number;
  lost30: number;
  welcomeSent: number;
  welcomeMissed: number;
}

export const emptyMovement = (): MovementSums => ({
  adds: 0,
  losses: 0,
  lostByCustomer: 0,
  lostByRep: 0,
  transfersOut: 0,
  cohort7: 0,
  lost7: 0,
  cohort30: 0,
  lost30: 0,
  welcomeSent: 0,
  welcomeMissed: 0,
});

export function addMovement(a: MovementSums, b: MovementSums): MovementSums {
  for (const k of Object.keys(a) as (keyof MovementSums)[]) a[k] += b[k];
  return a;
}

export interface WecomSums {
  days: number;
  chatCount: number;
  messageCount: number;
  /** Σ reply_percentage × chats (×100), Σ avg_reply_minutes × chats (×100): averages weighted by chats. */
  replyWeighted: number;
  replyTimeWeighted: number;
  newApplyCount: number;
  newContactCount: number;
  negativeFeedbackCount: number;
}

const n = (v: unknown) => Number(v ?? 0);
const list = (values: Iterable<string | number>) =>
  sql.join(
    [...values].map((v) => sql`${v}`),
    sql`, `,
  );

function where(filter: RowFilter, withChannel: boolean): SQL {
  const parts: SQL[] = [];
  if (filter.departments !== null) {
    parts.push(filter.departments.size === 0 ? sql`1 = 0` : sql`r.department_id IN (${list(filter.departments)})`);
  }
  if (filter.userId !== undefined) parts.push(sql`r.user_id = ${filter.userId}`);
  if (withChannel && filter.channelId !== undefined) parts.push(sql`r.channel_id = ${filter.channelId}`);
  return parts.length === 0 ? sql`` : sql` AND ${sql.join(parts, sql` AND `)}`;
}

/**
 * Where a range's sums come from: the whole months (if any) from the monthly sums, and each stretch of days
 * before and after them from the daily rows — one index range each (an OR of two day ranges made SQLite read all
 * of the corp's rows).
 */
function parts(
  from: string,
  to: string,
  months: { start: string; end: string; firstMonth: string; lastMonth: string } | null,
): ({ monthly: true; from: string; to: string } | { monthly: false; from: string; to: string })[] {
  if (!months) return [{ monthly: false, from, to }];
  const out: ReturnType<typeof parts> = [{ monthly: true, from: months.firstMonth, to: months.lastMonth }];
  if (from < months.start) out.push({ monthly: false, from, to: addDays(months.start, -1) });
  if (months.end < to) out.push({ monthly: false, from: addDays(months.end, 1), to });
  return out;
}

/** No rep or channel filter: the department sums (department_daily) hold the figures. */
const allOf = (filter: RowFilter) => filter.userId === undefined && filter.channelId === undefined;
const activeTable = (filter: RowFilter) => sql.raw(allOf(filter) ? 'department_daily' : 'active_daily');

/** Reads of the rollup tables: plain SUM()s over a day range, grouped as asked. */
export function createDashboardQueries(db: Database) {
  type Group = 'none' | 'day' | 'user' | 'channel' | 'day_user';
  const key: Record<Group, SQL> = {
    none: sql`''`,
    day: sql`r.day`,
    user: sql`r.user_id`,
    channel: sql`CAST(r.channel_id AS TEXT)`,
    day_user: sql`r.day || '|' || r.user_id`,
  };

  // PostgreSQL refuses GROUP BY of a constant: no group is one row of sums.
  const groupBy = (group: Group) => (group === 'none' ? sql`` : sql`GROUP BY ${key[group]}`);

  return {
    /** Movement sums per group; cohorts count only days up to `close7` / `close30` (their windows have passed). */
    async movements(
      corpId: string,
      from: string,
      to: string,
      filter: RowFilter,
      group: Group,
      close7: string,
      close30: string,
    ): Promise<Map<string, MovementSums>> {
      // Whole months whose 7- and 30-day windows have closed come from the monthly sums; the rest, by day.
      const months = group === 'day' || group === 'day_user' ? null : wholeMonths(from, to, close30);
      const read = async ({ monthly, from, to }: { monthly: boolean; from: string; to: string }) => {
        const cohort = (column: string, close: string) =>
          monthly
            ? sql.raw(`sum(r.${column})`)
            : sql`sum(CASE WHEN r.day <= ${close} THEN r.${sql.raw(column)} ELSE 0 END)`;
        const source = monthly
          ? sql`movement_monthly r WHERE r.corp_id = ${corpId} AND r.month >= ${from} AND r.month <= ${to}`
          : sql`${sql.raw(group === 'day' && allOf(filter) ? 'department_daily' : 'movement_daily')} r
              WHERE r.corp_id = ${corpId} AND r.day >= ${from} AND r.day <= ${to}`;
        return db.rows<Record<string, unknown>>(
          db,
          sql`SELECT ${key[group]} AS k, sum(r.adds) AS adds, sum(r.losses) AS losses,
                sum(r.lost_by_customer) AS lost_by_customer, sum(r.lost_by_rep) AS lost_by_rep,
                sum(r.transfers_out) AS transfers_out,
                ${cohort('adds', close7)} AS cohort7, ${cohort('cohort_lost_7', close7)} AS lost7,
                ${cohort('adds', close30)} AS cohort30, ${cohort('cohort_lost_30', close30)} AS lost30,
                sum(r.welcome_sent) AS welcome_sent, sum(r.welcome_missed) AS welcome_missed
              FROM ${source}${where(filter, true)}
              ${groupBy(group)}`,
        );
      };
      const out = new Map<string, MovementSums>();
      for (const part of parts(from, to, months)) {
        for (const r of await read(part)) {
          const sums: MovementSums = {
            adds: n(r.adds),
            losses: n(r.losses),
            lostByCustomer: n(r.lost_by_customer),
            lostByRep: n(r.lost_by_rep),
            transfersOut: n(r.transfers_out),
            cohort7: n(r.cohort7),
            lost7: n(r.lost7),
            cohort30: n(r.cohort30),
            lost30: n(r.lost30),
            welcomeSent: n(r.welcome_sent),
            welcomeMissed: n(r.welcome_missed),
          };
          const k = String(r.k);
          out.set(k, out.has(k) ? addMovement(out.get(k)!, sums) : sums);
        }
      }
      return out;
    },

    /** Relationships active at the end of `day` (its rollup). */
    async active(corpId: string, day: string, filter: RowFilter): Promise<number> {
      const [row] = await db.rows<Record<string, unknown>>(
        db,
        sql`SELECT sum(r.active) AS n FROM ${activeTable(filter)} r
            WHERE r.corp_id = ${corpId} AND r.day = ${day}${where(filter, true)}`,
      );
      return n(row?.n);
    },

    /**
     * Relationships active at the end of each rolled-up day of [from, to], as that day's rollup counted them (in the
     * department each rep was in that day); a rolled-up day without rows is 0.
     */
    async activeByDay(corpId: string, from: string, to: string, filter: RowFilter): Promise<Map<string, number>> {
      const rows = await db.rows<Record<string, unknown>>(
        db,
        sql`SELECT d.day AS day, COALESCE((SELECT sum(r.active) FROM ${activeTable(filter)} r
              WHERE r.corp_id = d.corp_id AND r.day = d.day${where(filter, true)}), 0) AS n
            FROM rollup_days d
            WHERE d.corp_id = ${corpId} AND d.day >= ${from} AND d.day <= ${to}`,
      );
      return new Map(rows.map((r) => [String(r.day), n(r.n)]));
    },

    /** The rolled-up days of a range. */
    async rolledDays(corpId: string, from: string, to: string): Promise<Set<string>> {
      const rows = await db.rows<Record<string, unknown>>(
        db,
        sql`SELECT day FROM rollup_days WHERE corp_id = ${corpId} AND day >= ${from} AND day <= ${to}`,
      );
      return new Set(rows.map((r) => String(r.day)));
    },

    /** The latest rolled-up day at or before `day`, if any. */
    async lastRolledDay(corpId: string, day: string): Promise<string | null> {
      const [row] = await db.rows<Record<string, unknown>>(
        db,
        sql`SELECT max(day) AS day FROM rollup_days WHERE corp_id = ${corpId} AND day <= ${day}`,
      );
      return row?.day ? String(row.day) : null;
    },

    /** Rep-activity sums per group. */
    async reps(
      corpId: string,
      from: string,
      to: string,
      filter: RowFilter,
      group: 'user' | 'day' | 'none',
    ): Promise<Map<string, RepDayFigures>> {
      const bands = BAND_COLUMNS.map((c) => sql`sum(r.${sql.raw(c)}) AS ${sql.raw(c)}`);
      const months = group === 'day' ? null : wholeMonths(from, to, to);
      const read = ({ monthly, from, to }: { monthly: boolean; from: string; to: string }) =>
        db.rows<Record<string, unknown>>(
          db,
          sql`SELECT ${key[group]} AS k, sum(r.conversations) AS conversations, sum(r.messages_sent) AS messages_sent,
                sum(r.customer_messages) AS customer_messages, sum(r.questions) AS questions,
                sum(r.answered) AS answered, sum(r.questions_in_hours) AS questions_in_hours,
                sum(r.answered_in_3m) AS answered_in_3m, ${sql.join(bands, sql`, `)},
                sum(r.scripts_sent) AS scripts_sent, sum(r.suggestions_shown) AS suggestions_shown,
                sum(r.suggestions_sent) AS suggestions_sent, sum(r.suggestions_edited) AS suggestions_edited,
                sum(r.suggestions_ignored) AS suggestions_ignored, sum(r.notes_written) AS notes_written
              FROM ${
                monthly
                  ? sql`rep_monthly r WHERE r.corp_id = ${corpId} AND r.month >= ${from} AND r.month <= ${to}`
                  : sql`rep_daily r WHERE r.corp_id = ${corpId} AND r.day >= ${from} AND r.day <= ${to}`
              }${where(filter, false)}
              ${groupBy(group)}`,
        );
      const out = new Map<string, RepDayFigures>();
      for (const part of parts(from, to, months)) {
        for (const r of await read(part)) {
          const f = emptyRepDay();
          f.conversations = n(r.conversations);
          f.messagesSent = n(r.messages_sent);
          f.customerMessages = n(r.customer_messages);
          f.questions = n(r.questions);
          f.answered = n(r.answered);
          f.questionsInHours = n(r.questions_in_hours);
          f.answeredIn3m = n(r.answered_in_3m);
          f.bands = Array.from({ length: BAND_COUNT }, (_, i) => n(r[BAND_COLUMNS[i]!]));
          f.scriptsSent = n(r.scripts_sent);
          f.suggestionsShown = n(r.suggestions_shown);
          f.suggestionsSent = n(r.suggestions_sent);
          f.suggestionsEdited = n(r.suggestions_edited);
          f.suggestionsIgnored = n(r.suggestions_ignored);
          f.notesWritten = n(r.notes_written);
          const k = String(r.k);
          out.set(k, out.has(k) ? addRepDay(out.get(k)!, f) : f);
        }
      }
      return out;
    },

    /** The reps with rollup rows counted in `departments` over the range (people who moved out included). */
    async repsWithRows(corpId: string, from: string, to: string, filter: RowFilter): Promise<Set<string>> {
      const rows = await db.rows<Record<string, unknown>>(
        db,
        sql`SELECT DISTINCT r.user_id AS user_id FROM movement_daily r
              WHERE r.corp_id = ${corpId} AND r.day >= ${from} AND r.day <= ${to}${where(filter, false)}
            UNION
            SELECT DISTINCT r.user_id AS user_id FROM rep_daily r
              WHERE r.corp_id = ${corpId} AND r.day >= ${from} AND r.day <= ${to}${where(filter, false)}`,
      );
      return new Set(rows.map((r) => String(r.user_id)));
    },

    /** WeCom's figures per rep or per day, for the given reps. */
    async behavior(
      corpId: string,
      from: string,
      to: string,
      userIds: string[],
      group: 'user' | 'day',
    ): Promise<Map<string, WecomSums>> {
      if (userIds.length === 0) return new Map();
      const k = group === 'user' ? sql`b.user_id` : sql`b.day`;
      const rows = await db.rows<Record<string, unknown>>(
        db,
        sql`SELECT ${k} AS k, count(*) AS days, sum(b.chat_count) AS chats, sum(b.message_count) AS messages,
              sum(b.reply_percentage_x100 * b.chat_count) AS reply_weighted,
              sum(b.avg_reply_minutes_x100 * b.chat_count) AS reply_time_weighted,
              sum(b.new_apply_count) AS new_apply, sum(b.new_contact_count) AS new_contact,
              sum(b.negative_feedback_count) AS negative
            FROM behavior_daily b
            WHERE b.corp_id = ${corpId} AND b.day >= ${from} AND b.day <= ${to} AND b.user_id IN (${list(userIds)})
            GROUP BY ${k}`,
      );
      return new Map(
        rows.map((r) => [
          String(r.k),
          {
            days: n(r.days),
            chatCount: n(r.chats),
            messageCount: n(r.messages),
            replyWeighted: n(r.reply_weighted),
            replyTimeWeighted: n(r.reply_time_weighted),
            newApplyCount: n(r.new_apply),
            newContactCount: n(r.new_contact),
            negativeFeedbackCount: n(r.negative),
          },
        ]),
      );
    },
  };
}
export type DashboardQueries = ReturnType<typeof createDashboardQueries>;
