import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { FIRST_REPLY_BANDS } from '../../db/schema/stats.js';
import { BAND_COUNT, emptyRepDay, type RepDayFigures } from './figures.js';
import { inWorkingHours, stretchPeriods, workingClock } from './work-periods.js';

/**
 * The figures of one stretch of time [startMs, endMs) — a corp-day for the rollup, or today so far — aggregated in
 * SQL from the sources: customer_movements, follows, messages, script_sends, suggestion_feedback, timeline_items.
 * Everything here is portable SQL (SQLite and PostgreSQL); JavaScript only merges the per-rep rows.
 */

const DAY_MS = 86_400_000;
const THREE_MINUTES_MS = 180_000;

export interface MovementRow {
  userId: string;
  channelId: number;
  adds: number;
  losses: number;
  lostByCustomer: number;
  lostByRep: number;
  transfersOut: number;
  cohortLost7: number;
  cohortLost30: number;
  welcomeSent: number;
  welcomeMissed: number;
}

const n = (v: unknown) => Number(v ?? 0);

/** Adds and losses per rep and channel; retention and welcome outcome of the adds. */
export async function movementRows(
  db: Database,
  ex: Executor,
  corpId: string,
  startMs: number,
  endMs: number,
): Promise<MovementRow[]> {
  // A loss recorded without a reason is a loss all the same (only a hand-over is not): `reason <> 'transferred'`
  // alone dropped them, and the day's active total (rollup.ts) is the day before's plus these nets.
  // `>=`: WeCom's CreateTime counts seconds, so a customer who deletes the rep at once has both rows at the same time.
  const lostWithin = (days: number) => sql`EXISTS (SELECT 1 FROM customer_movements l
      WHERE l.corp_id = m.corp_id AND l.user_id = m.user_id AND l.external_user_id = m.external_user_id
        AND l.kind = 'loss' AND COALESCE(l.reason, '') <> 'transferred' AND l.at >= m.at AND l.at <= m.at + ${sql.raw(String(days * DAY_MS))})`;
  const welcome = (kind: string) => sql`EXISTS (SELECT 1 FROM timeline_items t
      WHERE t.corp_id = m.corp_id AND t.source_key = 'event:' || CAST(m.event_id AS TEXT) || ':welcome'
        AND t.kind = ${kind})`;
  const rows = await db.rows<Record<string, unknown>>(
    ex,
    sql`SELECT m.user_id AS user_id, COALESCE(m.channel_id, 0) AS channel_id,
          sum(CASE WHEN m.kind = 'add' THEN 1 ELSE 0 END) AS adds,
          sum(CASE WHEN m.kind = 'loss' AND COALESCE(m.reason, '') <> 'transferred' THEN 1 ELSE 0 END) AS losses,
          sum(CASE WHEN m.kind = 'loss' AND m.reason = 'deleted_by_customer' THEN 1 ELSE 0 END) AS lost_by_customer,
          sum(CASE WHEN m.kind = 'loss' AND m.reason = 'deleted_by_rep' THEN 1 ELSE 0 END) AS lost_by_rep,
          sum(CASE WHEN m.kind = 'loss' AND m.reason = 'transferred' THEN 1 ELSE 0 END) AS transfers_out,
          sum(CASE WHEN m.kind = 'add' AND ${lostWithin(7)} THEN 1 ELSE 0 END) AS cohort_lost_7,
          sum(CASE WHEN m.kind = 'add' AND ${lostWithin(30)} THEN 1 ELSE 0 END) AS cohort_lost_30,
          sum(CASE WHEN m.kind = 'add' AND ${welcome('welcome_sent')} THEN 1 ELSE 0 END) AS welcome_sent,
          sum(CASE WHEN m.kind = 'add' AND ${welcome('welcome_skipped')} THEN 1 ELSE 0 END) AS welcome_missed
        FROM customer_movements m
        WHERE m.corp_id = ${corpId} AND m.at >= ${startMs} AND m.at < ${endMs}
        GROUP BY m.user_id, COALESCE(m.channel_id, 0)`,
  );
  return rows.map((r) => ({
    userId: String(r.user_id),
    channelId: n(r.channel_id),
    adds: n(r.adds),
    losses: n(r.losses),
    lostByCustomer: n(r.lost_by_customer),
    lostByRep: n(r.lost_by_rep),
    transfersOut: n(r.transfers_out),
    cohortLost7: n(r.cohort_lost_7),
    cohortLost30: n(r.cohort_lost_30),
    welcomeSent: n(r.welcome_sent),
    welcomeMissed: n(r.welcome_missed),
  }));
}

/** Relationships active at `endMs`, per rep and channel, as `follows` shows them. */
export async function activeRows(
  db: Database,
  ex: Executor,
  corpId: string,
  endMs: number,
): Promise<{ userId: string; channelId: number; active: number }[]> {
  const rows = await db.rows<Record<string, unknown>>(
    ex,
    sql`SELECT f.user_id AS user_id, COALESCE(f.channel_id, 0) AS channel_id, count(*) AS active
        FROM follows f
        WHERE f.corp_id = ${corpId} AND f.added_at < ${endMs}
          AND (f.status = 'active' OR (f.lost_at IS NOT NULL AND f.lost_at >= ${endMs}))
        GROUP BY f.user_id, COALESCE(f.channel_id, 0)`,
  );
  return rows.map((r) => ({ userId: String(r.user_id), channelId: n(r.channel_id), active: n(r.active) }));
}

/** The band (0 … BAND_COUNT − 1) of a first reply of `ms` working milliseconds. */
function bandLadder(ms: SQL): SQL {
  const whens = FIRST_REPLY_BANDS.map(
    (bound, i) => sql`WHEN ${ms} <= ${sql.raw(String(bound * 1000))} THEN ${sql.raw(String(i))}`,
  );
  return sql`CASE ${sql.join(whens, sql` `)} ELSE ${sql.raw(String(BAND_COUNT - 1))} END`;
}

/**
 * Per rep: chats, messages, questions and their first replies (working time, bands), scripts, suggestions, notes.
 * A question is a customer message in a 1:1 chat whose previous message (of either side) was not the customer's;
 * its reply is the rep's next message in the chat, whenever it came. `asOfMs` is now: a question asked in working
 * hours less than 3 working minutes ago, not yet answered, is not counted against the 3-minute rate yet.
 */
export async function repRows(
  db: Database,
  ex: Executor,
  corpId: string,
  startMs: number,
  endMs: number,
  asOfMs: number,
  userIds: string[],
): Promise<Map<string, RepDayFigures>> {
  const out = new Map<string, RepDayFigures>();
  const of = (userId: string) => {
    let f = out.get(userId);
    if (!f) {
      f = emptyRepDay();
      out.set(userId, f);
    }
    return f;
  };

  const messages = await db.rows<Record<string, unknown>>(
    ex,
    sql`SELECT g.user_id AS user_id,
          count(DISTINCT CASE WHEN g.room_id IS NULL AND g.direction <> 'internal' THEN g.conversation_id END) AS conversations,
          sum(CASE WHEN g.direction = 'rep_to_customer' THEN 1 ELSE 0 END) AS messages_sent,
          sum(CASE WHEN g.direction = 'customer_to_rep' AND g.room_id IS NULL THEN 1 ELSE 0 END) AS customer_messages
        FROM messages g
        WHERE g.corp_id = ${corpId} AND g.sent_at >= ${startMs} AND g.sent_at < ${endMs}
          AND g.action = 'send' AND g.user_id IS NOT NULL
        GROUP BY g.user_id`,
  );
  for (const r of messages) {
    const f = of(String(r.user_id));
    f.conversations = n(r.conversations);
    f.messagesSent = n(r.messages_sent);
    f.customerMessages = n(r.customer_messages);
  }

  const nowClock = n(
    (await db.rows<Record<string, unknown>>(ex, sql`SELECT ${workingClock({ corpId }, sql`${asOfMs}`)} AS w`))[0]?.w,
  );
  const elapsed = sql`(q.w_reply - q.w_start)`;
  const bands = Array.from(
    { length: BAND_COUNT },
    (_, i) =>
      sql`sum(CASE WHEN q.reply_at IS NOT NULL AND q.band = ${sql.raw(String(i))} THEN 1 ELSE 0 END) AS ${sql.raw(`b${i}`)}`,
  );
  // One ordered pass over the stretch's messages: each message's previous one (LAG) and the first reply after it
  // (the earliest rep message later in the chat, a window from the chat's end), per chat. Only a chat's first
  // message of the stretch looks up its previous message, and only a question with no reply inside the stretch looks
  // up a later one (a reply after midnight) — index probes for a few rows, not three per question. Materialised steps:
  // what the next step reads twice is computed once.
  // The working-time look-ups of moments inside the stretch scan its few periods (`sp`).
  const stretch = { cte: 'sp' };
  const questions = await db.rows<Record<string, unknown>>(
    ex,
    sql`WITH d AS MATERIALIZED (
          SELECT m.id, m.conversation_id, m.user_id, m.sent_at, m.direction, m.room_id
          FROM messages m
          WHERE m.corp_id = ${corpId} AND m.sent_at >= ${startMs} AND m.sent_at < ${endMs}
            AND m.action = 'send' AND m.direction <> 'internal' AND m.conversation_id IS NOT NULL
        ),
        w AS MATERIALIZED (
          SELECT d.id, d.conversation_id, d.user_id, d.sent_at, d.direction, d.room_id,
            LAG(d.direction) OVER (PARTITION BY d.conversation_id ORDER BY d.sent_at, d.id) AS prev_direction,
            MIN(CASE WHEN d.direction = 'rep_to_customer' THEN d.sent_at END) OVER (
              PARTITION BY d.conversation_id ORDER BY d.sent_at DESC, d.id DESC
              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reply_in_stretch
          FROM d
        ),
        c AS MATERIALIZED (
          SELECT w.user_id, w.sent_at,
            COALESCE(w.reply_in_stretch, (SELECT r.sent_at FROM messages r
              WHERE r.conversation_id = w.conversation_id AND (r.sent_at, r.id) > (w.sent_at, w.id)
                AND r.direction = 'rep_to_customer' AND r.action = 'send'
              ORDER BY r.sent_at, r.id LIMIT 1)) AS reply_at
          FROM w
          WHERE w.direction = 'customer_to_rep' AND w.room_id IS NULL AND w.user_id IS NOT NULL
            AND COALESCE(w.prev_direction, (SELECT p.direction FROM messages p
                WHERE p.conversation_id = w.conversation_id AND (p.sent_at, p.id) < (w.sent_at, w.id)
                  AND p.action = 'send' AND p.direction <> 'internal'
                ORDER BY p.sent_at DESC, p.id DESC LIMIT 1), 'none') <> 'customer_to_rep'
        ),
        sp AS MATERIALIZED (${stretchPeriods(corpId, startMs, endMs)}),
        x AS MATERIALIZED (
          SELECT c.user_id, c.reply_at,
                 ${workingClock(stretch, sql`c.sent_at`)} AS w_start,
                 CASE WHEN c.reply_at IS NULL THEN 0
                      WHEN c.reply_at < ${endMs} THEN ${workingClock(stretch, sql`c.reply_at`)}
                      ELSE ${workingClock({ corpId }, sql`c.reply_at`)} END AS w_reply,
                 ${inWorkingHours(stretch, sql`c.sent_at`)} AS in_hours
          FROM c
        ),
        q AS (SELECT x.user_id, x.reply_at, x.w_start, x.w_reply, x.in_hours,
                     ${bandLadder(sql`(x.w_reply - x.w_start)`)} AS band
              FROM x)
        SELECT q.user_id AS user_id, count(*) AS questions,
          sum(CASE WHEN q.reply_at IS NOT NULL THEN 1 ELSE 0 END) AS answered,
          sum(CASE WHEN q.in_hours = 1 AND (q.reply_at IS NOT NULL OR ${sql.raw(String(nowClock))} - q.w_start > ${sql.raw(String(THREE_MINUTES_MS))}) THEN 1 ELSE 0 END) AS questions_in_hours,
          sum(CASE WHEN q.in_hours = 1 AND q.reply_at IS NOT NULL AND ${elapsed} <= ${sql.raw(String(THREE_MINUTES_MS))} THEN 1 ELSE 0 END) AS answered_in_3m,
          ${sql.join(bands, sql`, `)}
        FROM q
        GROUP BY q.user_id`,
  );
  for (const r of questions) {
    const f = of(String(r.user_id));
    f.questions = n(r.questions);
    f.answered = n(r.answered);
    f.questionsInHours = n(r.questions_in_hours);
    f.answeredIn3m = n(r.answered_in_3m);
    f.bands = Array.from({ length: BAND_COUNT }, (_, i) => n(r[`b${i}`]));
  }

  if (userIds.length > 0) {
    // script_sends is indexed by (corp, rep, time): one range per rep.
    const scripts = await db.rows<Record<string, unknown>>(
      ex,
      sql`SELECT s.user_id AS user_id, count(*) AS n FROM script_sends s
          WHERE s.corp_id = ${corpId} AND s.user_id IN (${sql.join(
            userIds.map((u) => sql`${u}`),
            sql`, `,
          )}) AND s.sent_at >= ${startMs} AND s.sent_at < ${endMs}
          GROUP BY s.user_id`,
    );
    for (const r of scripts) of(String(r.user_id)).scriptsSent = n(r.n);
  }

  const suggestions = await db.rows<Record<string, unknown>>(
    ex,
    sql`SELECT f.user_id AS user_id, count(*) AS shown,
          sum(CASE WHEN f.outcome = 'sent' THEN 1 ELSE 0 END) AS sent,
          sum(CASE WHEN f.outcome = 'edited' THEN 1 ELSE 0 END) AS edited,
          sum(CASE WHEN f.outcome = 'ignored' THEN 1 ELSE 0 END) AS ignored
        FROM suggestion_feedback f
        WHERE f.corp_id = ${corpId} AND f.shown_at >= ${startMs} AND f.shown_at < ${endMs}
        GROUP BY f.user_id`,
  );
  for (const r of suggestions) {
    const f = of(String(r.user_id));
    f.suggestionsShown = n(r.shown);
    f.suggestionsSent = n(r.sent);
    f.suggestionsEdited = n(r.edited);
    f.suggestionsIgnored = n(r.ignored);
  }

  const notes = await db.rows<Record<string, unknown>>(
    ex,
    sql`SELECT t.user_id AS user_id, count(*) AS n FROM timeline_items t
        WHERE t.corp_id = ${corpId} AND t.kind = 'note' AND t.occurred_at >= ${startMs} AND t.occurred_at < ${endMs}
          AND t.user_id IS NOT NULL
        GROUP BY t.user_id`,
  );
  for (const r of notes) of(String(r.user_id)).notesWritten = n(r.n);
  return out;
}

/** Per rep: the `n` of a statement selecting `user_id` and `count(*) AS n` grouped by rep. */
async function countsPerRep(db: Database, ex: Executor, query: SQL): Promise<Map<string, number>> {
  const rows = await db.rows<Record<string, unknown>>(ex, query);
  return new Map(rows.map((r) => [String(r.user_id), n(r.n)]));
}

/** Per rep, now: 1:1 chats whose last message is the customer's, sent since `sinceMs`. */
export async function unansweredNow(
  db: Database,
  ex: Executor,
  corpId: string,
  userIds: string[],
  sinceMs: number,
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  return countsPerRep(
    db,
    ex,
    sql`SELECT c.user_id AS user_id, count(*) AS n FROM conversations c
        WHERE c.corp_id = ${corpId} AND c.user_id IN (${sql.join(
          userIds.map((u) => sql`${u}`),
          sql`, `,
        )}) AND c.last_message_at >= ${sinceMs} AND c.kind = 'single'
          AND c.last_customer_message_id = c.last_message_id
        GROUP BY c.user_id`,
  );
}

/** Per rep, now: open tasks whose due time (or the end of their snooze) has passed. */
export function overdueTasks(db: Database, ex: Executor, corpId: string, nowMs: number): Promise<Map<string, number>> {
  return countsPerRep(
    db,
    ex,
    sql`SELECT t.user_id AS user_id, count(*) AS n FROM tasks t
        WHERE t.corp_id = ${corpId} AND t.status = 'open' AND t.visible_at <= ${nowMs}
        GROUP BY t.user_id`,
  );
}

/** Per rep, now: notes whose follow-up time has passed and was not cleared. */
export function overdueReminders(
  db: Database,
  ex: Executor,
  corpId: string,
  nowMs: number,
): Promise<Map<string, number>> {
  return countsPerRep(
    db,
    ex,
    sql`SELECT t.user_id AS user_id, count(*) AS n FROM timeline_items t
        WHERE t.corp_id = ${corpId} AND t.due_at IS NOT NULL AND t.due_at <= ${nowMs} AND t.kind = 'note'
          AND t.user_id IS NOT NULL
        GROUP BY t.user_id`,
  );
}
