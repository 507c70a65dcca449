import type { Kit } from '../kit.js';

export const movementKinds = ['add', 'loss'] as const;

/** The first-reply histogram's bands: upper bounds in working seconds (the last band is open). */
export const FIRST_REPLY_BANDS = [
  5, 10, 15, 20, 25, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165, 180, 240, 300, 420, 600, 1200, 1800, 3600,
] as const;

/**
 * Dashboard data: every add and loss of a customer relationship as it happened, and the daily rollups the dashboards
 * read (one row per corp-day and rep, or rep and channel), written by the worker's `console_rollup` job (a corp-day,
 * idempotent: it recomputes the day's rows from the sources) and read with plain SUM()s.
 */
export function statsTables(k: Kit) {
  /** A movement row's figures (movement_daily, movement_monthly): new column builders per table. */
  const movementFigures = () => ({
    adds: k.int('adds').notNull().default(0),
    losses: k.int('losses').notNull().default(0),
    lostByCustomer: k.int('lost_by_customer').notNull().default(0),
    lostByRep: k.int('lost_by_rep').notNull().default(0),
    /** Relationships handed to another rep (在职继承): not a loss, but no longer this rep's. */
    transfersOut: k.int('transfers_out').notNull().default(0),
    /** Of this day's adds: lost within 7 / 30 days of the add. */
    cohortLost7: k.int('cohort_lost_7').notNull().default(0),
    cohortLost30: k.int('cohort_lost_30').notNull().default(0),
    welcomeSent: k.int('welcome_sent').notNull().default(0),
    welcomeMissed: k.int('welcome_missed').notNull().default(0),
  });

  /** A rep row's figures (rep_daily, rep_monthly). */
  const repFigures = () => ({
    conversations: k.int('conversations').notNull().default(0),
    messagesSent: k.int('messages_sent').notNull().default(0),
    customerMessages: k.int('customer_messages').notNull().default(0),
    questions: k.int('questions').notNull().default(0),
    answered: k.int('answered').notNull().default(0),
    questionsInHours: k.int('questions_in_hours').notNull().default(0),
    answeredIn3m: k.int('answered_in_3m').notNull().default(0),
    // First replies per band of FIRST_REPLY_BANDS (frt00: ≤ 5 s … frt23: over an hour).
    frt00: k.int('frt00').notNull().default(0),
    frt01: k.int('frt01').notNull().default(0),
    frt02: k.int('frt02').notNull().default(0),
    frt03: k.int('frt03').notNull().default(0),
    frt04: k.int('frt04').notNull().default(0),
    frt05: k.int('frt05').notNull().default(0),
    frt06: k.int('frt06').notNull().default(0),
    frt07: k.int('frt07').notNull().default(0),
    frt08: k.int('frt08').notNull().default(0),
    frt09: k.int('frt09').notNull().default(0),
    frt10: k.int('frt10').notNull().default(0),
    frt11: k.int('frt11').notNull().default(0),
    frt12: k.int('frt12').notNull().default(0),
    frt13: k.int('frt13').notNull().default(0),
    frt14: k.int('frt14').notNull().default(0),
    frt15: k.int('frt15').notNull().default(0),
    frt16: k.int('frt16').notNull().default(0),
    frt17: k.int('frt17').notNull().default(0),
    frt18: k.int('frt18').notNull().default(0),
    frt19: k.int('frt19').notNull().default(0),
    frt20: k.int('frt20').notNull().default(0),
    frt21: k.int('frt21').notNull().default(0),
    frt22: k.int('frt22').notNull().default(0),
    frt23: k.int('frt23').notNull().default(0),
    scriptsSent: k.int('scripts_sent').notNull().default(0),
    suggestionsShown: k.int('suggestions_shown').notNull().default(0),
    suggestionsSent: k.int('suggestions_sent').notNull().default(0),
    suggestionsEdited: k.int('suggestions_edited').notNull().default(0),
    suggestionsIgnored: k.int('suggestions_ignored').notNull().default(0),
    notesWritten: k.int('notes_written').notNull().default(0),
  });

  /**
   * Adds and losses of relationships (rep ↔ customer) as they happened: the follow row keeps only the latest of
   * each. Written by the events' hooks and completed from `follows` by the rollup (customers met by a sync), keyed
   * by what happened (`add:<user>:<customer>:<at>`), so either way records it once.
   */
  const customerMovements = k.table(
    'customer_movements',
    {
      id: k.id('id'),
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      externalUserId: k.text('external_user_id').notNull(),
      kind: k.text('kind', { enum: movementKinds }).notNull(),
      /** Losses: deleted_by_customer, deleted_by_rep, transferred. */
      reason: k.text('reason'),
      channelId: k.int('channel_id'),
      /** The add event, when the add came through a callback (its welcome outcome is keyed by it). */
      eventId: k.int('event_id'),
      at: k.ms('at').notNull(),
      sourceKey: k.text('source_key').notNull(),
    },
    (t) => [
      k.uniqueIndex('customer_movements_source').on(t.corpId, t.sourceKey),
      k.index('customer_movements_time').on(t.corpId, t.at),
      k.index('customer_movements_follow').on(t.corpId, t.userId, t.externalUserId, t.at),
    ],
  );

  /**
   * Adds and losses per corp-day, rep and channel (0: no channel), with the retention of that day's adds (lost within
   * 7 / 30 days) and their welcome messages. `department_id` is the rep's main department on that day (0: none).
   */
  const movementDaily = k.table(
    'movement_daily',
    {
      corpId: k.text('corp_id').notNull(),
      day: k.text('day').notNull(),
      userId: k.text('user_id').notNull(),
      channelId: k.int('channel_id').notNull(),
      departmentId: k.int('department_id').notNull(),
      ...movementFigures(),
    },
    (t) => [
      k.primaryKey({ columns: [t.corpId, t.day, t.userId, t.channelId] }),
      k.index('movement_daily_channel').on(t.corpId, t.channelId, t.day),
      k.index('movement_daily_user').on(t.corpId, t.userId, t.day),
    ],
  );

  /** Relationships active at the end of each corp-day, per rep and channel. */
  const activeDaily = k.table(
    'active_daily',
    {
      corpId: k.text('corp_id').notNull(),
      day: k.text('day').notNull(),
      userId: k.text('user_id').notNull(),
      channelId: k.int('channel_id').notNull(),
      departmentId: k.int('department_id').notNull(),
      active: k.int('active').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.day, t.userId, t.channelId] })],
  );

  /** What each rep did on a corp-day: chats, first replies (a histogram of working seconds), scripts, suggestions. */
  const repDaily = k.table(
    'rep_daily',
    {
      corpId: k.text('corp_id').notNull(),
      day: k.text('day').notNull(),
      userId: k.text('user_id').notNull(),
      departmentId: k.int('department_id').notNull(),
      ...repFigures(),
    },
    (t) => [
      k.primaryKey({ columns: [t.corpId, t.day, t.userId] }),
      k.index('rep_daily_user').on(t.corpId, t.userId, t.day),
    ],
  );

  /**
   * movement_daily summed per calendar month (`YYYY-MM`), rep, channel and department, rewritten from movement_daily
   * in the transaction that writes one of its days: a year's sums read about 12 rows per rep and channel instead of
   * 365 (npm run bench -- console). Read only for whole months whose retention windows have closed.
   */
  const movementMonthly = k.table(
    'movement_monthly',
    {
      corpId: k.text('corp_id').notNull(),
      month: k.text('month').notNull(),
      userId: k.text('user_id').notNull(),
      channelId: k.int('channel_id').notNull(),
      departmentId: k.int('department_id').notNull(),
      ...movementFigures(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.month, t.userId, t.channelId, t.departmentId] })],
  );

  /** rep_daily summed per calendar month, rep and department (as movement_monthly). */
  const repMonthly = k.table(
    'rep_monthly',
    {
      corpId: k.text('corp_id').notNull(),
      month: k.text('month').notNull(),
      userId: k.text('user_id').notNull(),
      departmentId: k.int('department_id').notNull(),
      ...repFigures(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.month, t.userId, t.departmentId] })],
  );

  /**
   * movement_daily and active_daily summed per corp-day and department, over every rep and channel: the dashboards'
   * days without a rep or channel filter (数据概览's line chart and totals) read one row per department and day
   * instead of one per rep and channel. Rewritten by the rollup with its day.
   */
  const departmentDaily = k.table(
    'department_daily',
    {
      corpId: k.text('corp_id').notNull(),
      day: k.text('day').notNull(),
      departmentId: k.int('department_id').notNull(),
      ...movementFigures(),
      active: k.int('active').notNull().default(0),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.day, t.departmentId] })],
  );

  /** WeCom's own figures per rep and day (get_user_behavior_data, one rep per call). */
  const behaviorDaily = k.table(
    'behavior_daily',
    {
      corpId: k.text('corp_id').notNull(),
      day: k.text('day').notNull(),
      userId: k.text('user_id').notNull(),
      chatCount: k.int('chat_count').notNull(),
      messageCount: k.int('message_count').notNull(),
      /** reply_percentage × 100 (0–10000). */
      replyPercentageX100: k.int('reply_percentage_x100').notNull(),
      /** avg_reply_time (minutes) × 100. */
      avgReplyMinutesX100: k.int('avg_reply_minutes_x100').notNull(),
      negativeFeedbackCount: k.int('negative_feedback_count').notNull(),
      newApplyCount: k.int('new_apply_count').notNull(),
      newContactCount: k.int('new_contact_count').notNull(),
      fetchedAt: k.ms('fetched_at').notNull(),
    },
    (t) => [
      k.primaryKey({ columns: [t.corpId, t.day, t.userId] }),
      k.index('behavior_daily_user').on(t.corpId, t.userId, t.day),
    ],
  );

  /** A rep's main department from `since` on (ms), as the rollup observed it: past days keep their department. */
  const repDepartmentHistory = k.table(
    'rep_department_history',
    {
      corpId: k.text('corp_id').notNull(),
      userId: k.text('user_id').notNull(),
      departmentId: k.int('department_id').notNull(),
      since: k.ms('since').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.userId, t.since] })],
  );

  /** The corp-days rolled up, and when (a day is recomputed as its late replies and retention windows close). */
  const rollupDays = k.table(
    'rollup_days',
    {
      corpId: k.text('corp_id').notNull(),
      day: k.text('day').notNull(),
      computedAt: k.ms('computed_at').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.day] })],
  );

  /**
   * The corp's working time, materialised from its work calendar: each working span as [start, end) ms with the
   * working ms of every earlier span (`cumulative_ms`), so working time between two moments is a difference of two
   * index lookups in SQL.
   */
  const workPeriods = k.table(
    'work_periods',
    {
      corpId: k.text('corp_id').notNull(),
      startMs: k.ms('start_ms').notNull(),
      endMs: k.ms('end_ms').notNull(),
      cumulativeMs: k.ms('cumulative_ms').notNull(),
    },
    (t) => [k.primaryKey({ columns: [t.corpId, t.startMs] })],
  );

  /** Which calendar the work periods were built from, and over which days. */
  const workPeriodState = k.table('work_period_state', {
    corpId: k.text('corp_id').primaryKey(),
    /** A digest of the calendar (weekly hours, exceptions, time zone). */
    calendarDigest: k.text('calendar_digest').notNull(),
    fromDay: k.text('from_day').notNull(),
    toDay: k.text('to_day').notNull(),
    builtAt: k.ms('built_at').notNull(),
  });

  return {
    customerMovements,
    movementDaily,
    activeDaily,
    repDaily,
    movementMonthly,
    repMonthly,
    departmentDaily,
    behaviorDaily,
    repDepartmentHistory,
    rollupDays,
    workPeriods,
    workPeriodState,
  };
}
