import { sql, type SQL } from 'drizzle-orm';
import type {
  ChannelDetail,
  ChannelStatsList,
  ChannelStatsRow,
  LossAlert,
  LossAlertPage,
  LossAlertQuery,
  Overview,
  Range,
  RepDay,
  RepDetail,
  RepStats,
  RepStatsRow,
  RepStatsSortField,
  WecomBehavior,
} from '../../../shared/schemas/console-dashboards.js';
import { MAX_RANGE_DAYS } from '../../../shared/schemas/console-dashboards.js';
import { dayInZone } from '../../../shared/time-zone.js';
import { addDays } from './days.js';
import type { Database } from '../../db/database.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors.js';
import { dayCount, dayRange, daysBetween } from '../channels/local-day.js';
import type { ConsoleActor, Scope } from '../console-auth/actor.js';
import { mainDepartment } from '../console-auth/actor.js';
import type { AccountsService } from '../console-auth/accounts-service.js';
import type { RepRow } from '../console-auth/repo.js';
import type { SettingsService } from '../console-auth/settings.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import { overdueReminders, overdueTasks, unansweredNow } from './day-sql.js';
import { addRepDay, bandPercentile, emptyRepDay, share, type RepDayFigures } from './figures.js';
import {
  addMovement,
  emptyMovement,
  type DashboardQueries,
  type MovementSums,
  type RowFilter,
  type WecomSums,
} from './queries.js';
import type { DayFigures, Rollup } from './rollup.js';
import { departmentAt, type Memberships } from './memberships.js';

const LOSS_TEXT: Record<string, string> = { deleted_by_customer: '客户删除员工', deleted_by_rep: '员工删除客户' };
const ALERT_KINDS: Record<string, string> = {
  deleted_by_customer: 'customer_deleted_rep',
  deleted_by_rep: 'rep_deleted_customer',
};
/** How many of the most recent days are computed live when their rollup is missing. */
const LIVE_DAYS_BACK = 2;

interface Plan {
  range: Range;
  days: string[];
  today: string;
  /** Stored rollups cover [from, storedTo] (storedTo < from: none). */
  storedTo: string;
  /** Days computed live (today, and recent days not rolled up yet). */
  liveDays: string[];
  close7: string;
  close30: string;
}

/**
 * The dashboards: figures from the rollup tables (SUM()s in SQL) plus the live figures of today, filtered by the
 * caller's scope (rows count in the department the rep was in that day) and the filters asked.
 */
export function createDashboardService(deps: {
  db: Database;
  queries: DashboardQueries;
  rollup: Pick<Rollup, 'live'>;
  memberships: Pick<Memberships, 'history'>;
  accounts: Pick<
    AccountsService,
    'repsInScope' | 'requireRepInScope' | 'departmentFilter' | 'repRef' | 'directory' | 'departmentRefs'
  >;
  settings: Pick<SettingsService, 'get'>;
  timeZone: string;
  now: () => number;
}) {
  const { db, queries } = deps;
  const today = () => dayInZone(deps.now(), deps.timeZone);

  async function plan(corpId: string, from: string, to: string): Promise<Plan> {
    if (!dayRange(from, from, deps.timeZone)) throw new BadRequestError('日期无效', 'from');
    if (!dayRange(to, to, deps.timeZone)) throw new BadRequestError('日期无效', 'to');
    if (to < from) throw new BadRequestError('结束日期不能早于开始日期', 'to');
    const count = dayCount(from, to);
    if (count > MAX_RANGE_DAYS) throw new BadRequestError(`日期范围最多 ${MAX_RANGE_DAYS} 天`, 'to');
    const t = today();
    const yesterday = addDays(t, -1);
    const storedTo = to < yesterday ? to : yesterday;
    const rolled = await queries.rolledDays(corpId, addDays(t, -LIVE_DAYS_BACK), t);
    const liveDays = daysBetween(from, to < t ? to : t).filter(
      (d) => d === t || (d >= addDays(t, -LIVE_DAYS_BACK) && !rolled.has(d)),
    );
    return {
      range: { from, to, days: count, includesToday: from <= t && t <= to, liveAsOf: null },
      days: daysBetween(from, to),
      today: t,
      storedTo,
      liveDays,
      close7: addDays(t, -8),
      close30: addDays(t, -31),
    };
  }

  /** Scope and the department filter as the set of departments rows must count in (null: all). */
  async function rowFilter(
    actor: ConsoleActor,
    scope: Scope,
    q: { departmentId?: number; userId?: string; channelId?: number },
  ): Promise<RowFilter> {
    let departments: Set<number> | null = scope.all ? null : new Set(scope.departmentIds);
    if (q.departmentId !== undefined) {
      const within = await deps.accounts.departmentFilter(actor.corpId, scope, q.departmentId);
      departments = departments === null ? within : new Set([...within].filter((d) => departments!.has(d)));
    }
    if (q.userId !== undefined) await requireRep(actor, scope, q.userId, departments);
    if (q.channelId !== undefined) await requireChannel(actor.corpId, q.channelId);
    return { departments, userId: q.userId, channelId: q.channelId };
  }

  /** A rep the caller may see: in scope now, or with figures counted in the caller's departments. */
  async function requireRep(actor: ConsoleActor, scope: Scope, userId: string, departments: Set<number> | null) {
    const { reps } = await deps.accounts.directory(actor.corpId);
    const rep = reps.find((r) => r.userId === userId);
    if (!rep) throw new NotFoundError('成员不存在');
    if (scope.all) return rep;
    if (departments?.has(mainDepartment(rep.departmentIds))) return rep;
    const t = today();
    const rows = await queries.repsWithRows(actor.corpId, addDays(t, -MAX_RANGE_DAYS), t, { departments, userId });
    if (rows.size === 0) throw new ForbiddenError('该成员不在您负责的部门');
    return rep;
  }

  async function requireChannel(corpId: string, id: number) {
    const { channels } = db.t;
    const [row] = await db.rows<Record<string, unknown>>(
      db,
      sql`SELECT id, name, group_name, deleted_at FROM ${channels} WHERE corp_id = ${corpId} AND id = ${id}`,
    );
    if (!row) throw new NotFoundError('渠道活码不存在');
    return {
      id: Number(row.id),
      name: String(row.name),
      groupName: String(row.group_name),
      deleted: row.deleted_at !== null,
    };
  }

  const passes = (f: RowFilter, row: { departmentId: number; userId: string; channelId?: number }) =>
    (f.departments === null || f.departments.has(row.departmentId)) &&
    (f.userId === undefined || row.userId === f.userId) &&
    (f.channelId === undefined || row.channelId === undefined || row.channelId === f.channelId);

  /** The plan's live days' figures; the range says when the oldest of them was computed. */
  async function live(corpId: string, p: Plan): Promise<DayFigures[]> {
    const days = await Promise.all(p.liveDays.map((d) => deps.rollup.live(corpId, d)));
    p.range.liveAsOf = days.length > 0 ? Math.min(...days.map((d) => d.computedAt)) : null;
    return days;
  }

  /** Movement sums of live days, grouped like the SQL. */
  function liveMovements(
    days: DayFigures[],
    f: RowFilter,
    keyOf: (d: string, userId: string, channelId: number) => string,
  ) {
    const out = new Map<string, MovementSums>();
    for (const day of days) {
      for (const m of day.movements) {
        if (!passes(f, m)) continue;
        const k = keyOf(day.day, m.userId, m.channelId);
        const sums = out.get(k) ?? emptyMovement();
        addMovement(sums, {
          ...emptyMovement(),
          adds: m.adds,
          losses: m.losses,
          lostByCustomer: m.lostByCustomer,
          lostByRep: m.lostByRep,
          transfersOut: m.transfersOut,
          welcomeSent: m.welcomeSent,
          welcomeMissed: m.welcomeMissed,
        });
        out.set(k, sums);
      }
    }
    return out;
  }

  function liveReps(days: DayFigures[], f: RowFilter, keyOf: (d: string, userId: string) => string) {
    const out = new Map<string, RepDayFigures>();
    for (const day of days) {
      for (const r of day.reps) {
        if (!passes(f, r)) continue;
        const k = keyOf(day.day, r.userId);
        out.set(k, addRepDay(out.get(k) ?? emptyRepDay(), r.figures));
      }
    }
    return out;
  }

  function merge<T>(a: Map<string, T>, b: Map<string, T>, add: (x: T, y: T) => T): Map<string, T> {
    for (const [k, v] of b) a.set(k, a.has(k) ? add(a.get(k)!, v) : v);
    return a;
  }

  const movementsOf = async (
    corpId: string,
    p: Plan,
    f: RowFilter,
    group: 'day' | 'user' | 'channel' | 'none',
    liveDays: DayFigures[],
  ) => {
    const stored =
      p.storedTo >= p.range.from
        ? await queries.movements(corpId, p.range.from, p.storedTo, f, group, p.close7, p.close30)
        : new Map<string, MovementSums>();
    const keyOf = (d: string, u: string, c: number) =>
      group === 'day' ? d : group === 'user' ? u : group === 'channel' ? String(c) : '';
    return merge(stored, liveMovements(liveDays, f, keyOf), addMovement);
  };

  const repsOf = async (
    corpId: string,
    p: Plan,
    f: RowFilter,
    group: 'day' | 'user' | 'none',
    liveDays: DayFigures[],
  ) => {
    const stored =
      p.storedTo >= p.range.from
        ? await queries.reps(corpId, p.range.from, p.storedTo, f, group)
        : new Map<string, RepDayFigures>();
    const keyOf = (d: string, u: string) => (group === 'day' ? d : group === 'user' ? u : '');
    return merge(stored, liveReps(liveDays, f, keyOf), addRepDay);
  };

  /**
   * Active relationships at the end of `day` (≤ today): the last rollup before it plus the net since. Days between
   * the rollup and the range (yesterday, between midnight and the night's rollup) are computed live: their nets are
   * not among the range's, and counting them as 0 left yesterday's adds out of today's total.
   */
  async function totalAt(corpId: string, p: Plan, f: RowFilter, day: string, net: (d: string) => number) {
    const anchor = await queries.lastRolledDay(corpId, day < p.today ? day : addDays(p.today, -1));
    let total = anchor ? await queries.active(corpId, anchor, f) : 0;
    if (!anchor) return total + net(day);
    for (const d of daysBetween(addDays(anchor, 1), day)) {
      total += d >= p.range.from ? net(d) : await liveNet(corpId, f, d);
    }
    return total;
  }

  /** A day's net change of active relationships (adds − losses − hand-overs), computed from the sources. */
  async function liveNet(corpId: string, f: RowFilter, day: string) {
    let total = 0;
    for (const m of (await deps.rollup.live(corpId, day)).movements) {
      if (passes(f, m)) total += m.adds - m.losses - m.transfersOut;
    }
    return total;
  }

  function wecomView(s: WecomSums | undefined): WecomBehavior | null {
    if (!s || s.days === 0) return null;
    return {
      days: s.days,
      chatCount: s.chatCount,
      messageCount: s.messageCount,
      replyPercentage: s.chatCount === 0 ? null : Math.round(s.replyWeighted / s.chatCount) / 100,
      avgReplyMinutes: s.chatCount === 0 ? null : Math.round(s.replyTimeWeighted / s.chatCount) / 100,
      newApplyCount: s.newApplyCount,
      newContactCount: s.newContactCount,
      negativeFeedbackCount: s.negativeFeedbackCount,
    };
  }

  function repFigures(m: MovementSums, r: RepDayFigures) {
    return {
      newCustomers: m.adds,
      lostCustomers: m.losses,
      netCustomers: m.adds - m.losses,
      // Chat-days: each day's 1:1 chats with a message, summed over the range's days (one chat with messages on
      // three days counts 3). The same convention as WeCom's 聊天数 (chat_cnt) the tables show beside it, and what
      // the daily rollup can sum; a distinct count over a year of messages is not what a dashboard read should scan.
      conversations: r.conversations,
      messagesSent: r.messagesSent,
      customerMessages: r.customerMessages,
      questions: r.questions,
      answered: r.answered,
      firstReplyMedianSeconds: bandPercentile(r.bands, 0.5),
      firstReplyP90Seconds: bandPercentile(r.bands, 0.9),
      replyWithin3m: share(r.answeredIn3m, r.questionsInHours),
      scriptsSent: r.scriptsSent,
      suggestionsShown: r.suggestionsShown,
      suggestionsSent: r.suggestionsSent,
      suggestionsEdited: r.suggestionsEdited,
      suggestionsIgnored: r.suggestionsIgnored,
      notesWritten: r.notesWritten,
    };
  }

  async function nowFigures(corpId: string, userIds: string[]) {
    const window = (await deps.settings.get(corpId)).unansweredWindowHours * 3_600_000;
    const now = deps.now();
    return {
      unanswered: await unansweredNow(db, db, corpId, userIds, now - window),
      overdue: await overdueReminders(db, db, corpId, now),
      tasks: await overdueTasks(db, db, corpId, now),
    };
  }

  const SORT: Record<RepStatsSortField, (r: RepStatsRow) => number | string | null> = {
    name: (r) => r.rep.name,
    newCustomers: (r) => r.newCustomers,
    lostCustomers: (r) => r.lostCustomers,
    netCustomers: (r) => r.netCustomers,
    conversations: (r) => r.conversations,
    messagesSent: (r) => r.messagesSent,
    firstReplyMedianSeconds: (r) => r.firstReplyMedianSeconds,
    firstReplyP90Seconds: (r) => r.firstReplyP90Seconds,
    replyRate3m: (r) => r.replyWithin3m.rate,
    unansweredNow: (r) => r.unansweredNow,
    scriptsSent: (r) => r.scriptsSent,
    suggestionsSent: (r) => r.suggestionsSent,
    notesWritten: (r) => r.notesWritten,
    overdueReminders: (r) => r.overdueReminders,
    overdueTasks: (r) => r.overdueTasks,
  };

  return {
    async overview(
      actor: ConsoleActor,
      scope: Scope,
      q: { from: string; to: string; departmentId?: number; userId?: string; channelId?: number },
    ): Promise<Overview> {
      const corpId = actor.corpId;
      const p = await plan(corpId, q.from, q.to);
      const f = await rowFilter(actor, scope, q);
      const liveDays = await live(corpId, p);
      const byDay = await movementsOf(corpId, p, f, 'day', liveDays);
      const byChannel = await movementsOf(corpId, p, f, 'channel', liveDays);
      const totals = [...byDay.values()].reduce((a, b) => addMovement(a, b), emptyMovement());
      // Active relationships change by adds, losses and hand-overs to other reps (not losses, but gone).
      const net = (d: string) => {
        const m = byDay.get(d);
        return m ? m.adds - m.losses - m.transfersOut : 0;
      };
      const last = p.range.to < p.today ? p.range.to : p.today;
      // Each rolled-up day's total is the one its rollup stored, per department as reps were that day; only days
      // without a rollup (today, a recent day not rolled up yet) are the day before plus their net. Walking back
      // from the range's end by nets instead moved a rep's customers with the rep: after a move from 销售一部 to
      // 销售二部, 一部's past totals lost (and 二部's gained) the customers the rep still had then.
      const stored = await queries.activeByDay(corpId, p.range.from, last < p.today ? last : addDays(p.today, -1), f);
      const totalsByDay = new Map<string, number>();
      let running: number | null = null;
      for (const d of p.days) {
        if (d > last) break;
        const kept = stored.get(d);
        running = kept !== undefined ? kept : running === null ? await totalAt(corpId, p, f, d, net) : running + net(d);
        totalsByDay.set(d, running);
      }
      const endTotal = totalsByDay.get(last) ?? (await totalAt(corpId, p, f, last, net));
      for (const d of p.days) if (d > last) totalsByDay.set(d, endTotal);
      const channelIds = [...byChannel.keys()].map(Number).filter((id) => id > 0);
      const names = await channelNames(corpId, channelIds);
      return {
        range: p.range,
        totals: {
          newCustomers: totals.adds,
          lostCustomers: totals.losses,
          netCustomers: totals.adds - totals.losses,
          customersTotal: endTotal,
        },
        retention7: share(totals.cohort7 - totals.lost7, totals.cohort7),
        retention30: share(totals.cohort30 - totals.lost30, totals.cohort30),
        lossReasons: [
          { reason: 'deleted_by_customer', count: totals.lostByCustomer },
          { reason: 'deleted_by_rep', count: totals.lostByRep },
        ],
        days: p.days.map((day) => {
          const m = byDay.get(day) ?? emptyMovement();
          return {
            day,
            newCustomers: m.adds,
            lostCustomers: m.losses,
            netCustomers: m.adds - m.losses,
            customersTotal: totalsByDay.get(day) ?? 0,
          };
        }),
        channels: [...byChannel]
          .map(([id, m]) => ({
            channel: Number(id) > 0 ? { id: Number(id), name: names.get(Number(id))?.name ?? `渠道 ${id}` } : null,
            newCustomers: m.adds,
            lostCustomers: m.losses,
            netCustomers: m.adds - m.losses,
          }))
          .sort((a, b) => b.newCustomers - a.newCustomers || (a.channel?.id ?? 0) - (b.channel?.id ?? 0)),
      };
    },

    async reps(
      actor: ConsoleActor,
      scope: Scope,
      q: { from: string; to: string; departmentId?: number; sort?: RepStatsSortField; order?: 'asc' | 'desc' },
    ): Promise<RepStats> {
      const corpId = actor.corpId;
      const p = await plan(corpId, q.from, q.to);
      const f = await rowFilter(actor, scope, { departmentId: q.departmentId });
      const liveDays = await live(corpId, p);
      const movements = await movementsOf(corpId, p, f, 'user', liveDays);
      const figures = await repsOf(corpId, p, f, 'user', liveDays);
      const { reps: directory } = await deps.accounts.directory(corpId);
      const current = await deps.accounts.repsInScope(corpId, scope, q.departmentId);
      const currentIds = new Set(current.map((r) => r.userId));
      // The reps with rows counted in the departments asked are the keys of the sums (a group per rep with rows).
      const ids = new Set([...currentIds, ...movements.keys(), ...figures.keys()]);
      const reps = [...ids]
        .map((id) => directory.find((r) => r.userId === id))
        .filter((r): r is RepRow => r !== undefined);
      const userIds = reps.map((r) => r.userId);
      const { unanswered, overdue, tasks } = await nowFigures(corpId, userIds);
      const wecom = await queries.behavior(corpId, p.range.from, p.range.to, userIds, 'user');
      const items: RepStatsRow[] = await Promise.all(
        reps.map(async (rep) => ({
          rep: await deps.accounts.repRef(corpId, rep),
          ...repFigures(movements.get(rep.userId) ?? emptyMovement(), figures.get(rep.userId) ?? emptyRepDay()),
          unansweredNow: currentIds.has(rep.userId) ? (unanswered.get(rep.userId) ?? 0) : 0,
          overdueReminders: currentIds.has(rep.userId) ? (overdue.get(rep.userId) ?? 0) : 0,
          overdueTasks: currentIds.has(rep.userId) ? (tasks.get(rep.userId) ?? 0) : 0,
          wecom: wecomView(wecom.get(rep.userId)),
        })),
      );
      const sort = q.sort ?? 'newCustomers';
      const order = q.order ?? (sort === 'name' ? 'asc' : 'desc');
      const value = SORT[sort];
      items.sort((a, b) => {
        const x = value(a);
        const y = value(b);
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
        const c = typeof x === 'string' ? x.localeCompare(String(y), 'zh-Hans-CN') : x - (y as number);
        return (order === 'asc' ? c : -c) || a.rep.userId.localeCompare(b.rep.userId);
      });
      const allMovement = [...movements.entries()]
        .filter(([id]) => ids.has(id))
        .reduce((s, [, m]) => addMovement(s, m), emptyMovement());
      const allFigures = [...figures.entries()]
        .filter(([id]) => ids.has(id))
        .reduce((s, [, r]) => addRepDay(s, r), emptyRepDay());
      return {
        range: p.range,
        items,
        totals: {
          ...repFigures(allMovement, allFigures),
          unansweredNow: items.reduce((s, r) => s + r.unansweredNow, 0),
          overdueReminders: items.reduce((s, r) => s + r.overdueReminders, 0),
          overdueTasks: items.reduce((s, r) => s + r.overdueTasks, 0),
        },
      };
    },

    async rep(actor: ConsoleActor, scope: Scope, userId: string, q: { from: string; to: string }): Promise<RepDetail> {
      const corpId = actor.corpId;
      const p = await plan(corpId, q.from, q.to);
      const f = await rowFilter(actor, scope, { userId });
      const rep = (await deps.accounts.directory(corpId)).reps.find((r) => r.userId === userId)!;
      const liveDays = await live(corpId, p);
      const movementsByDay = await movementsOf(corpId, p, f, 'day', liveDays);
      const figuresByDay = await repsOf(corpId, p, f, 'day', liveDays);
      const wecomByDay = await queries.behavior(corpId, p.range.from, p.range.to, [userId], 'day');
      const total = (m: Map<string, MovementSums>) =>
        [...m.values()].reduce((a, b) => addMovement(a, b), emptyMovement());
      const totalFigures = [...figuresByDay.values()].reduce((a, b) => addRepDay(a, b), emptyRepDay());
      const inScopeNow = scope.all || scope.departmentIds.has(mainDepartment(rep.departmentIds));
      const { unanswered, overdue, tasks } = await nowFigures(corpId, [userId]);
      const wecomTotal = [...wecomByDay.values()].reduce<WecomSums | undefined>(
        (a, b) =>
          a
            ? {
                days: a.days + b.days,
                chatCount: a.chatCount + b.chatCount,
                messageCount: a.messageCount + b.messageCount,
                replyWeighted: a.replyWeighted + b.replyWeighted,
                replyTimeWeighted: a.replyTimeWeighted + b.replyTimeWeighted,
                newApplyCount: a.newApplyCount + b.newApplyCount,
                newContactCount: a.newContactCount + b.newContactCount,
                negativeFeedbackCount: a.negativeFeedbackCount + b.negativeFeedbackCount,
              }
            : { ...b },
        undefined,
      );
      const repRef = await deps.accounts.repRef(corpId, rep);
      const days: RepDay[] = p.days.map((day) => ({
        day,
        ...repFigures(movementsByDay.get(day) ?? emptyMovement(), figuresByDay.get(day) ?? emptyRepDay()),
        wecom: wecomView(wecomByDay.get(day)),
      }));
      return {
        range: p.range,
        rep: repRef,
        totals: {
          rep: repRef,
          ...repFigures(total(movementsByDay), totalFigures),
          unansweredNow: inScopeNow ? (unanswered.get(userId) ?? 0) : 0,
          overdueReminders: inScopeNow ? (overdue.get(userId) ?? 0) : 0,
          overdueTasks: inScopeNow ? (tasks.get(userId) ?? 0) : 0,
          wecom: wecomView(wecomTotal),
        },
        days,
      };
    },

    async channels(
      actor: ConsoleActor,
      scope: Scope,
      q: { from: string; to: string; departmentId?: number; userId?: string },
    ): Promise<ChannelStatsList> {
      const corpId = actor.corpId;
      const p = await plan(corpId, q.from, q.to);
      const f = await rowFilter(actor, scope, q);
      const liveDays = await live(corpId, p);
      const byChannel = await movementsOf(corpId, p, f, 'channel', liveDays);
      const all = await channelNames(corpId, null);
      const items: ChannelStatsRow[] = [];
      for (const [id, c] of all) {
        const m = byChannel.get(String(id));
        if (!m && c.deleted) continue;
        items.push(channelRow(c, m ?? emptyMovement()));
      }
      items.sort((a, b) => b.adds - a.adds || a.channel.id - b.channel.id);
      return { range: p.range, items };
    },

    async channel(
      actor: ConsoleActor,
      scope: Scope,
      channelId: number,
      q: { from: string; to: string; departmentId?: number; userId?: string },
    ): Promise<ChannelDetail> {
      const corpId = actor.corpId;
      const p = await plan(corpId, q.from, q.to);
      const f = await rowFilter(actor, scope, { ...q, channelId });
      const channel = await requireChannel(corpId, channelId);
      const liveDays = await live(corpId, p);
      const byDay = await movementsOf(corpId, p, f, 'day', liveDays);
      const byRep = await movementsOf(corpId, p, f, 'user', liveDays);
      const total = [...byDay.values()].reduce((a, b) => addMovement(a, b), emptyMovement());
      const { reps: directory } = await deps.accounts.directory(corpId);
      const reps = await Promise.all(
        [...byRep].map(async ([userId, m]) => {
          const rep = directory.find((r) => r.userId === userId);
          const ref = rep ? await deps.accounts.repRef(corpId, rep) : null;
          return {
            userId,
            name: ref?.name ?? userId,
            department: ref?.department ?? null,
            adds: m.adds,
            losses: m.losses,
            net: m.adds - m.losses,
          };
        }),
      );
      reps.sort((a, b) => b.adds - a.adds || a.userId.localeCompare(b.userId));
      const tags = await channelTags(corpId, channelId, p, scope, q);
      return {
        range: p.range,
        totals: channelRow(channel, total),
        days: p.days.map((day) => {
          const m = byDay.get(day) ?? emptyMovement();
          return { day, adds: m.adds, losses: m.losses, net: m.adds - m.losses };
        }),
        reps,
        tags: tags.tags,
        activeCustomers: tags.active,
      };
    },

    /** Customers lost in the range (the alerts of losses), newest first, keyset paged. */
    async lossAlerts(actor: ConsoleActor, scope: Scope, q: LossAlertQuery): Promise<LossAlertPage> {
      const limit = q.limit ?? 50;
      const rows = await lossRows(actor, scope, q, q.cursor ? decodeCursor(q.cursor) : null, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page,
        nextCursor: rows.length > limit && last ? encodeCursor({ time: last.lostAt, id: last.id }) : null,
      };
    },

    /** Every matching loss, a page at a time (CSV). */
    async *allLossAlerts(actor: ConsoleActor, scope: Scope, q: LossAlertQuery): AsyncGenerator<LossAlert[]> {
      let cursor: { time: number; id: number } | null = null;
      for (;;) {
        const rows = await lossRows(actor, scope, q, cursor, 1000);
        if (rows.length === 0) return;
        yield rows;
        const last = rows.at(-1)!;
        cursor = { time: last.lostAt, id: last.id };
        if (rows.length < 1000) return;
      }
    },
  };

  function channelRow(c: { id: number; name: string; groupName: string; deleted: boolean }, m: MovementSums) {
    return {
      channel: c,
      adds: m.adds,
      losses: m.losses,
      net: m.adds - m.losses,
      lost7: share(m.lost7, m.cohort7),
      lost30: share(m.lost30, m.cohort30),
      welcomeSent: m.welcomeSent,
      welcomeMissed: m.welcomeMissed,
    };
  }

  async function channelNames(corpId: string, ids: number[] | null) {
    if (ids !== null && ids.length === 0)
      return new Map<number, { id: number; name: string; groupName: string; deleted: boolean }>();
    const filter =
      ids === null
        ? sql``
        : sql` AND id IN (${sql.join(
            ids.map((i) => sql`${i}`),
            sql`, `,
          )})`;
    const rows = await db.rows<Record<string, unknown>>(
      db,
      sql`SELECT id, name, group_name, deleted_at FROM channels WHERE corp_id = ${corpId}${filter} ORDER BY id`,
    );
    return new Map(
      rows.map((r) => [
        Number(r.id),
        { id: Number(r.id), name: String(r.name), groupName: String(r.group_name), deleted: r.deleted_at !== null },
      ]),
    );
  }

  /** Tags the channel's active customers added in the range carry now (reps in scope now). */
  async function channelTags(
    corpId: string,
    channelId: number,
    p: Plan,
    scope: Scope,
    q: { departmentId?: number; userId?: string },
  ) {
    const range = dayRange(p.range.from, p.range.to, deps.timeZone)!;
    const reps = (await deps.accounts.repsInScope(corpId, scope, q.departmentId))
      .map((r) => r.userId)
      .filter((u) => q.userId === undefined || u === q.userId);
    if (reps.length === 0) return { tags: [], active: 0 };
    const users = sql.join(
      reps.map((u) => sql`${u}`),
      sql`, `,
    );
    // The channel's adds of the range through follows_channel_added; `(f.user_id || '')` keeps the planner off
    // follows_user, which with every rep in the list read all the corp's active relationships of the range (SQLite,
    // npm run bench -- console: 87,000 rows at BENCH_SCALE=0.1 for one channel's 3,000).
    const base = sql`FROM follows f WHERE f.corp_id = ${corpId} AND f.channel_id = ${channelId}
        AND f.added_at >= ${range.startMs} AND f.added_at < ${range.endMs} AND f.status = 'active'
        AND (f.user_id || '') IN (${users})`;
    const [active] = await db.rows<Record<string, unknown>>(db, sql`SELECT count(*) AS n ${base}`);
    const rows = await db.rows<Record<string, unknown>>(
      db,
      sql`SELECT t.tag_id AS tag_id, g.name AS name, tg.name AS group_name, count(*) AS n
          FROM follows f
          JOIN follow_tags t ON t.corp_id = f.corp_id AND t.user_id = f.user_id AND t.external_user_id = f.external_user_id
          JOIN tags g ON g.corp_id = t.corp_id AND g.tag_id = t.tag_id
          LEFT JOIN tag_groups tg ON tg.corp_id = g.corp_id AND tg.group_id = g.group_id
          WHERE f.corp_id = ${corpId} AND f.channel_id = ${channelId}
            AND f.added_at >= ${range.startMs} AND f.added_at < ${range.endMs} AND f.status = 'active'
            AND (f.user_id || '') IN (${users})
          GROUP BY t.tag_id, g.name, tg.name
          ORDER BY count(*) DESC, t.tag_id`,
    );
    return {
      active: Number(active?.n ?? 0),
      tags: rows.map((r) => ({
        tagId: String(r.tag_id),
        name: String(r.name),
        groupName: String(r.group_name ?? ''),
        customers: Number(r.n),
      })),
    };
  }

  /**
   * Alerts whose rep counted in `departments` on the alert's day — by the department the rep ended the day in, as
   * the rollup counts the day's losses (rollup.ts): on the day of a move, a loss before the move was seen counts
   * where the day's figures count it. (It was the department at the alert's moment: 客服部's loss count had a
   * loss that only 销售二部's list showed.) One condition per rep and stretch of days.
   */
  async function countedIn(corpId: string, from: string, to: string, departments: ReadonlySet<number>) {
    const history = await deps.memberships.history(corpId);
    const now = deps.now();
    const days = daysBetween(from, to).map((d) => dayRange(d, d, deps.timeZone)!);
    const parts: SQL[] = [];
    for (const userId of history.keys()) {
      let start: number | null = null;
      const close = (end: number) => {
        parts.push(sql`(a.user_id = ${userId} AND a.created_at >= ${start} AND a.created_at < ${end})`);
        start = null;
      };
      for (const { startMs, endMs } of days) {
        const counted = departments.has(departmentAt(history, userId, Math.min(endMs, now) - 1));
        if (counted && start === null) start = startMs;
        if (!counted && start !== null) close(startMs);
      }
      if (start !== null) close(days.at(-1)!.endMs);
    }
    return parts.length === 0 ? sql`1 = 0` : sql`(${sql.join(parts, sql` OR `)})`;
  }

  async function lossRows(
    actor: ConsoleActor,
    scope: Scope,
    q: LossAlertQuery,
    before: { time: number; id: number } | null,
    limit: number,
  ): Promise<LossAlert[]> {
    const corpId = actor.corpId;
    if (dayCount(q.from, q.to) === 0) throw new BadRequestError('结束日期不能早于开始日期', 'to');
    const range = dayRange(q.from, q.to, deps.timeZone);
    if (!range) throw new BadRequestError('日期无效', 'from');
    const f = await rowFilter(actor, scope, q);
    const conditions = [
      sql`a.corp_id = ${corpId}`,
      sql`a.created_at >= ${range.startMs}`,
      sql`a.created_at < ${range.endMs}`,
      q.reason
        ? sql`a.kind = ${ALERT_KINDS[q.reason]!}`
        : sql`a.kind IN ('customer_deleted_rep', 'rep_deleted_customer')`,
    ];
    if (f.userId !== undefined) conditions.push(sql`a.user_id = ${f.userId}`);
    if (f.departments !== null) conditions.push(await countedIn(corpId, q.from, q.to, f.departments));
    if (f.channelId !== undefined) conditions.push(sql`m.channel_id = ${f.channelId}`);
    if (before) conditions.push(sql`(a.created_at, a.id) < (${before.time}, ${before.id})`);
    const rows = await db.rows<Record<string, unknown>>(
      db,
      sql`SELECT a.id AS id, a.created_at AS lost_at, a.kind AS kind, a.user_id AS user_id,
            a.external_user_id AS external_user_id, m.channel_id AS channel_id,
            c.name AS customer_name, r.name AS rep_name, ch.name AS channel_name,
            (SELECT max(x.at) FROM customer_movements x
              WHERE x.corp_id = a.corp_id AND x.user_id = a.user_id AND x.external_user_id = a.external_user_id
                AND x.kind = 'add' AND x.at <= a.created_at) AS added_at
          FROM alerts a
          LEFT JOIN customer_movements m ON m.corp_id = a.corp_id AND m.user_id = a.user_id
            AND m.external_user_id = a.external_user_id AND m.kind = 'loss' AND m.at = a.created_at
          LEFT JOIN contacts c ON c.corp_id = a.corp_id AND c.external_user_id = a.external_user_id
          LEFT JOIN reps r ON r.corp_id = a.corp_id AND r.user_id = a.user_id
          LEFT JOIN channels ch ON ch.corp_id = a.corp_id AND ch.id = m.channel_id
          WHERE ${sql.join(conditions, sql` AND `)}
          ORDER BY a.created_at DESC, a.id DESC
          LIMIT ${limit}`,
    );
    return rows.map((r) => {
      const reason = r.kind === 'customer_deleted_rep' ? 'deleted_by_customer' : 'deleted_by_rep';
      return {
        id: Number(r.id),
        lostAt: Number(r.lost_at),
        reason,
        reasonText: LOSS_TEXT[reason]!,
        userId: String(r.user_id),
        repName: String(r.rep_name ?? r.user_id),
        externalUserId: String(r.external_user_id),
        customerName: String(r.customer_name ?? ''),
        channel:
          r.channel_id != null && r.channel_name != null
            ? { id: Number(r.channel_id), name: String(r.channel_name) }
            : null,
        addedAt: r.added_at == null ? null : Number(r.added_at),
      };
    });
  }
}
export type DashboardService = ReturnType<typeof createDashboardService>;
