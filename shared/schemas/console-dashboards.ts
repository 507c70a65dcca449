import { Type, type Static, type TSchema } from 'typebox';
import { DepartmentRef } from './console-auth.js';
import { RepRef } from './console-users.js';
import { InputObject, PatternString, QueryText } from './common.js';

/**
 * The dashboards (`/api/console/dashboard/*`): admins see the whole corp, managers their departments (sub-departments
 * included). Asking for a department, rep or channel outside the caller's scope is 403.
 *
 * How figures are counted (the console shows these definitions as tooltips):
 * - **Days** are calendar days of the corp's time zone (`timeZone` of /api/console/me). Past days come from the
 *   nightly rollup (recomputed for a few days after, as late replies and 7/30-day windows close); today is live.
 * - **Customers** are customer relationships (跟进关系, a customer and a rep): a customer who added two reps counts
 *   for each. **New** = adds (a customer who deletes the rep and comes back is new again that day); **lost** = the
 *   customer deleted the rep or the rep deleted the customer; a transfer between reps (在职继承) is neither.
 *   **Total** = relationships active at the end of the day (now, for today).
 * - **Departments**: a rep's figures count in the rep's main department (the first WeCom lists) as it was on that
 *   day: a rep who moves keeps their past figures in the old department. Filters and scope apply to that.
 * - **Retention at 7 / 30 days**: of the customers added on the days of the range whose 7 (30) days have passed,
 *   the share not lost within 7 (30) days of being added. Null when no such customer.
 * - **Conversations** (from archived chats, 会话存档): 1:1 chats with customers. A *question* is a customer message
 *   after which the customer was waiting (the previous message of the chat was not the customer's); its **first
 *   reply** is the rep's next message in that chat, its time counted in working time only (the corp's working hours
 *   and holidays). Median and p90 are read from a histogram of 24 bands (exact to 5 s under 30 s, 15 s under 3 min,
 *   1 min under 10 min, coarser above); questions not yet answered are left out of them. **3-minute reply rate** =
 *   questions asked in working hours answered within 3 minutes / questions asked in working hours.
 *   **Unanswered now** = chats whose last message is the customer's, sent within `unansweredWindowHours`.
 * - **Suggestions**: the sidebar's reply suggestions shown, sent (as is), edited before sending, ignored.
 * - **WeCom figures** (`wecom`): WeCom's own 联系客户统计 (get_user_behavior_data), fetched nightly per rep, shown
 *   beside ours; null until fetched. WeCom counts in its own way (e.g. its reply time is its average in minutes).
 *
 * Every table has a CSV twin (`….csv`, same query without paging): UTF-8 with a BOM (Excel), Chinese headers,
 * streamed.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Day = PatternString('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', '应为 YYYY-MM-DD 格式的日期');

/** The longest range a dashboard answers (days, both ends included). */
export const MAX_RANGE_DAYS = 366;

const rangeFields = {
  /** First day (corp time zone), included. */
  from: Day,
  /** Last day, included; at most 366 days after `from`. */
  to: Day,
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  channelId: Type.Optional(Type.Integer({ minimum: 1 })),
};

export const Range = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Integer(),
  /** Today (corp time zone) is in the range: its figures are live. */
  includesToday: Type.Boolean(),
  /** When the range's live days (today, a recent day not rolled up yet) were computed (ms); null: none. */
  liveAsOf: Nullable(Type.Integer()),
});
export type Range = Static<typeof Range>;

/** A share with what it was computed from; `rate` is null when `of` is 0. */
export const Share = Type.Object({ count: Type.Integer(), of: Type.Integer(), rate: Nullable(Type.Number()) });
export type Share = Static<typeof Share>;

const movementCounts = {
  newCustomers: Type.Integer(),
  lostCustomers: Type.Integer(),
  /** new − lost */
  netCustomers: Type.Integer(),
};

export const ChannelRef = Type.Object({ id: Type.Integer(), name: Type.String() });
export type ChannelRef = Static<typeof ChannelRef>;

// ---- 数据概览 -------------------------------------------------------------------------------------------------------

/** `GET /api/console/dashboard/overview` (filters: department, rep, channel). */
export const DashboardQuery = InputObject(rangeFields);
export type DashboardQuery = Static<typeof DashboardQuery>;

export const OverviewDay = Type.Object({
  day: Type.String(),
  ...movementCounts,
  /** Active relationships at the end of the day. */
  customersTotal: Type.Integer(),
});
export type OverviewDay = Static<typeof OverviewDay>;

export const OverviewChannel = Type.Object({
  /** null: customers who came through no channel code. */
  channel: Nullable(ChannelRef),
  ...movementCounts,
});
export type OverviewChannel = Static<typeof OverviewChannel>;

export const LossReasonCount = Type.Object({
  /** `deleted_by_customer` (客户删除员工) or `deleted_by_rep` (员工删除客户). */
  reason: Type.String(),
  count: Type.Integer(),
});
export type LossReasonCount = Static<typeof LossReasonCount>;

export const Overview = Type.Object({
  range: Range,
  totals: Type.Object({
    ...movementCounts,
    /** Active relationships at the end of the range (now, when it includes today). */
    customersTotal: Type.Integer(),
  }),
  /** `count` = retained, `of` = customers added (cohorts whose window has passed). */
  retention7: Share,
  retention30: Share,
  lossReasons: Type.Array(LossReasonCount),
  days: Type.Array(OverviewDay),
  /** By channel, most new customers first. */
  channels: Type.Array(OverviewChannel),
});
export type Overview = Static<typeof Overview>;

// `GET /api/console/dashboard/overview/days.csv` and `…/channels.csv`: the two tables, same query.

/** `GET /api/console/dashboard/loss-alerts` (+ `.csv`): customers lost in the range, newest first. */
export const LossAlertQuery = InputObject({
  ...rangeFields,
  reason: Type.Optional(Type.Union([Type.Literal('deleted_by_customer'), Type.Literal('deleted_by_rep')])),
  cursor: Type.Optional(QueryText({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type LossAlertQuery = Static<typeof LossAlertQuery>;

export const LossAlert = Type.Object({
  id: Type.Integer(),
  /** When the relationship ended, ms. */
  lostAt: Type.Integer(),
  reason: Type.String(),
  /** 客户删除员工 / 员工删除客户 */
  reasonText: Type.String(),
  userId: Type.String(),
  repName: Type.String(),
  externalUserId: Type.String(),
  customerName: Type.String(),
  channel: Nullable(ChannelRef),
  /** When the relationship began (the add before the loss), ms, when known. */
  addedAt: Nullable(Type.Integer()),
});
export type LossAlert = Static<typeof LossAlert>;

export const LossAlertPage = Type.Object({ items: Type.Array(LossAlert), nextCursor: Nullable(Type.String()) });
export type LossAlertPage = Static<typeof LossAlertPage>;

// ---- 员工统计 -------------------------------------------------------------------------------------------------------

/** WeCom's own figures (get_user_behavior_data) over the range; rates averaged over chats. */
export const WecomBehavior = Type.Object({
  /** Days of the range WeCom's figures were fetched for. */
  days: Type.Integer(),
  chatCount: Type.Integer(),
  messageCount: Type.Integer(),
  /** 0–100, WeCom's 已回复聊天占比, weighted by chats. */
  replyPercentage: Nullable(Type.Number()),
  /** Minutes, WeCom's 平均首次回复时长, weighted by chats. */
  avgReplyMinutes: Nullable(Type.Number()),
  newApplyCount: Type.Integer(),
  newContactCount: Type.Integer(),
  negativeFeedbackCount: Type.Integer(),
});
export type WecomBehavior = Static<typeof WecomBehavior>;

const repFigures = {
  ...movementCounts,
  /**
   * Chat-days: each day's 1:1 chats with at least one message, summed over the range (a chat with messages on three
   * days counts 3), as WeCom counts its 聊天数 (chat_cnt).
   */
  conversations: Type.Integer(),
  messagesSent: Type.Integer(),
  customerMessages: Type.Integer(),
  /** Questions (see above) asked in the range; `answered` of them got a reply. */
  questions: Type.Integer(),
  answered: Type.Integer(),
  /** Working-time seconds; null without answered questions. */
  firstReplyMedianSeconds: Nullable(Type.Integer()),
  firstReplyP90Seconds: Nullable(Type.Integer()),
  /** Questions asked in working hours answered within 3 minutes, of those asked in working hours. */
  replyWithin3m: Share,
  scriptsSent: Type.Integer(),
  suggestionsShown: Type.Integer(),
  suggestionsSent: Type.Integer(),
  suggestionsEdited: Type.Integer(),
  suggestionsIgnored: Type.Integer(),
  notesWritten: Type.Integer(),
};

export const RepStatsSortField = Type.Union([
  Type.Literal('name'),
  Type.Literal('newCustomers'),
  Type.Literal('lostCustomers'),
  Type.Literal('netCustomers'),
  Type.Literal('conversations'),
  Type.Literal('messagesSent'),
  Type.Literal('firstReplyMedianSeconds'),
  Type.Literal('firstReplyP90Seconds'),
  Type.Literal('replyRate3m'),
  Type.Literal('unansweredNow'),
  Type.Literal('scriptsSent'),
  Type.Literal('suggestionsSent'),
  Type.Literal('notesWritten'),
  Type.Literal('overdueReminders'),
  Type.Literal('overdueTasks'),
]);
export type RepStatsSortField = Static<typeof RepStatsSortField>;

/** `GET /api/console/dashboard/reps` (+ `.csv`): one row per rep in scope (department filter). */
export const RepStatsQuery = InputObject({
  from: Day,
  to: Day,
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  sort: Type.Optional(RepStatsSortField),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
});
export type RepStatsQuery = Static<typeof RepStatsQuery>;

export const RepStatsRow = Type.Object({
  rep: RepRef,
  ...repFigures,
  /** Now, whatever the range. */
  unansweredNow: Type.Integer(),
  /** Notes whose follow-up date has passed (the rep has not cleared it), now. */
  overdueReminders: Type.Integer(),
  /** Tasks (day 1/3/7 follow-ups, silences, birthdays, orders …) not done whose due time or snooze has passed, now. */
  overdueTasks: Type.Integer(),
  wecom: Nullable(WecomBehavior),
});
export type RepStatsRow = Static<typeof RepStatsRow>;

export const RepStats = Type.Object({
  range: Range,
  items: Type.Array(RepStatsRow),
  /** The same figures for all rows together (medians over every answered question). */
  totals: Type.Object({
    ...repFigures,
    unansweredNow: Type.Integer(),
    overdueReminders: Type.Integer(),
    overdueTasks: Type.Integer(),
  }),
});
export type RepStats = Static<typeof RepStats>;

export const RepParams = InputObject({ userId: Type.String({ minLength: 1, maxLength: 64 }) });
export type RepParams = Static<typeof RepParams>;

/** `GET /api/console/dashboard/reps/:userId` (+ `/days.csv`): one rep's figures and their trend by day. */
export const RepDetailQuery = InputObject({ from: Day, to: Day });
export type RepDetailQuery = Static<typeof RepDetailQuery>;

export const RepDay = Type.Object({
  day: Type.String(),
  ...repFigures,
  /** WeCom's figures of that day (null until fetched). */
  wecom: Nullable(WecomBehavior),
});
export type RepDay = Static<typeof RepDay>;

export const RepDetail = Type.Object({
  range: Range,
  rep: RepRef,
  totals: RepStatsRow,
  days: Type.Array(RepDay),
});
export type RepDetail = Static<typeof RepDetail>;

// ---- 渠道统计 -------------------------------------------------------------------------------------------------------

/** `GET /api/console/dashboard/channels` (+ `.csv`): one row per channel code with activity or alive. */
export const ChannelStatsQuery = InputObject({
  from: Day,
  to: Day,
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type ChannelStatsQuery = Static<typeof ChannelStatsQuery>;

const channelFigures = {
  /** Scans that became customers (adds through the code). */
  adds: Type.Integer(),
  losses: Type.Integer(),
  net: Type.Integer(),
  /** Of the customers added in the range whose 7 (30) days have passed, lost within 7 (30) days. */
  lost7: Share,
  lost30: Share,
  welcomeSent: Type.Integer(),
  /** Adds that got no welcome message (none configured, window expired, WeCom refused …). */
  welcomeMissed: Type.Integer(),
};

export const ChannelStatsRow = Type.Object({
  channel: Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    groupName: Type.String(),
    /** The code was deleted (its past figures remain). */
    deleted: Type.Boolean(),
  }),
  ...channelFigures,
});
export type ChannelStatsRow = Static<typeof ChannelStatsRow>;

export const ChannelStatsList = Type.Object({ range: Range, items: Type.Array(ChannelStatsRow) });
export type ChannelStatsList = Static<typeof ChannelStatsList>;

export const ChannelParams = InputObject({ id: Type.Integer({ minimum: 1 }) });
export type ChannelParams = Static<typeof ChannelParams>;

/**
 * `GET /api/console/dashboard/channels/:id` (+ `/days.csv`, `/reps.csv`): by day, by rep, and the tags the
 * channel's customers (added in the range, still active) carry now.
 */
export const ChannelDetail = Type.Object({
  range: Range,
  totals: ChannelStatsRow,
  days: Type.Array(
    Type.Object({ day: Type.String(), adds: Type.Integer(), losses: Type.Integer(), net: Type.Integer() }),
  ),
  reps: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: Type.String(),
      department: Nullable(DepartmentRef),
      adds: Type.Integer(),
      losses: Type.Integer(),
      net: Type.Integer(),
    }),
  ),
  tags: Type.Array(
    Type.Object({ tagId: Type.String(), name: Type.String(), groupName: Type.String(), customers: Type.Integer() }),
  ),
  /** Active customers added through the channel in the range (the base of `tags`). */
  activeCustomers: Type.Integer(),
});
export type ChannelDetail = Static<typeof ChannelDetail>;
