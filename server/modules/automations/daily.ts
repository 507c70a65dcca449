import { dayInZone } from '../../../shared/time-zone.js';
import type { Executor } from '../../db/database.js';
import { robotMarkdown, textCard } from '../notify/messages.js';
import type { NewTask } from '../tasks/repo.js';
import { renderWelcomeText } from '../welcome/template.js';
import { spansOfDay, type Calendar } from '../work-calendar/calendar.js';
import {
  addDays,
  atTime,
  dayLabel,
  dayStartOf,
  type AutomationContext,
  type LoadedRule,
  type Rules,
} from './context.js';
import { digestMarkdown, type DigestFigures } from './digest.js';

/** How far back a daily rule catches up after days it did not run (the server was down). */
const MAX_CATCH_UP_DAYS = 7;

const render = (script: string, customerName: string, repName: string) =>
  renderWelcomeText(script, { customerName, repName });

/**
 * The rules that run once a day at a set time, on working days: new-customer follow-ups (day 1/3/7), silent
 * customers, birthdays (tasks for reps), and the department digest (日报, group robots). A day's run is recorded
 * under its corp day, uniquely, in the transaction that writes what it made: it happens once whatever instance and
 * however many ticks see it due; a run missed while the server was down happens when it comes back, that day.
 */
export function createDailyRules(ctx: AutomationContext) {
  const { db, repo } = ctx;
  const tz = ctx.timeZone;

  const isWorkingDay = (cal: Calendar, day: string) => spansOfDay(cal, dayStartOf(day, tz) + 12 * 3_600_000).length > 0;

  /** The working day before `day` (holidays and weekends skipped), at most two weeks back. */
  function previousWorkingDay(cal: Calendar, day: string): string {
    for (let back = 1; back <= 14; back++) {
      const d = addDays(day, -back, tz);
      if (isWorkingDay(cal, d)) return d;
    }
    return addDays(day, -1, tz);
  }

  /** The days a run on `today` covers: those since the last run (days off, a missed day), at most a week. */
  async function coveredDays(corpId: string, rule: LoadedRule, today: string): Promise<string[]> {
    const last = await repo.lastPeriod(db, corpId, rule.id);
    const days: string[] = [];
    for (let back = 0; back < MAX_CATCH_UP_DAYS; back++) {
      const d = addDays(today, -back, tz);
      if (last !== null && d <= last) break;
      days.unshift(d);
      if (last === null) break;
    }
    return days;
  }

  /** Writes the day's tasks and the run, once: false when the day ran before. */
  async function recordDay(
    tx: Executor,
    corpId: string,
    rule: LoadedRule,
    day: string,
    tasks: NewTask[],
    detail: string,
  ) {
    const now = ctx.now();
    const first = await repo.addRun(tx, {
      corpId,
      ruleId: rule.id,
      period: day,
      at: now,
      outcome: tasks.length > 0 ? 'fired' : 'nothing',
      count: tasks.length,
      detail,
    });
    if (!first) return false;
    for (const task of tasks) await ctx.tasks.add(tx, task);
    return true;
  }

  async function activeReps(corpId: string) {
    return (await repo.reps(db, corpId)).filter((r) => r.status === 1);
  }

  async function lifecycle(corpId: string, rule: Rules['lifecycle'], today: string): Promise<void> {
    const now = ctx.now();
    const days = await coveredDays(corpId, rule, today);
    const reps = await activeReps(corpId);
    const tasks: NewTask[] = [];
    const pending: Array<{
      rep: (typeof reps)[number];
      follow: { id: number; externalUserId: string; remark: string; addedAt: number };
      step: (typeof rule.config.steps)[number];
    }> = [];
    for (const step of rule.config.steps) {
      for (const day of days) {
        const addedDay = addDays(day, -step.day, tz);
        const from = dayStartOf(addedDay, tz);
        const to = dayStartOf(addedDay, tz, 1);
        for (const rep of reps) {
          for (const follow of await repo.followsAdded(db, corpId, rep.userId, from, to))
            pending.push({ rep, follow, step });
        }
      }
    }
    const names = await repo.customerNames(
      db,
      corpId,
      pending.map((p) => p.follow.externalUserId),
    );
    for (const { rep, follow, step } of pending) {
      const customer = follow.remark || names.get(follow.externalUserId) || '客户';
      tasks.push({
        corpId,
        userId: rep.userId,
        externalUserId: follow.externalUserId,
        kind: 'lifecycle',
        title: `${step.title}：${customer}`,
        detail: `${dayLabel(dayInZone(follow.addedAt, tz), tz)}添加的客户，今天是第 ${step.day} 天`,
        script: render(step.script, customer, rep.name),
        dueAt: now,
        ruleId: rule.id,
        sourceKey: `lifecycle:${step.day}:${follow.id}:${follow.addedAt}`,
        createdAt: now,
      });
    }
    await db.tx((tx) => recordDay(tx, corpId, rule, today, tasks, `新建跟进任务 ${tasks.length} 个`));
  }

  async function inactivity(corpId: string, rule: Rules['inactivity'], today: string): Promise<void> {
    const now = ctx.now();
    const days = await coveredDays(corpId, rule, today);
    const reps = await activeReps(corpId);
    const found: Array<{
      rep: (typeof reps)[number];
      chat: { id: number; externalUserId: string | null; lastMessageAt: number | null; remark: string };
    }> = [];
    for (const day of days) {
      // Silent for N days as of `day`: the last message was on the corp day N days before it.
      const silentDay = addDays(day, -rule.config.days, tz);
      for (const rep of reps) {
        for (const chat of await repo.chatsSilentSince(
          db,
          corpId,
          rep.userId,
          dayStartOf(silentDay, tz),
          dayStartOf(silentDay, tz, 1),
        )) {
          found.push({ rep, chat });
        }
      }
    }
    const names = await repo.customerNames(
      db,
      corpId,
      found.flatMap((f) => (f.chat.externalUserId ? [f.chat.externalUserId] : [])),
    );
    const tasks: NewTask[] = found.flatMap(({ rep, chat }) => {
      if (!chat.externalUserId || chat.lastMessageAt === null) return [];
      const customer = chat.remark || names.get(chat.externalUserId) || '客户';
      return [
        {
          corpId,
          userId: rep.userId,
          externalUserId: chat.externalUserId,
          kind: 'inactivity',
          title: `${rule.config.title}：${customer}`,
          detail: `已经 ${rule.config.days} 天没有聊天（上次 ${dayLabel(dayInZone(chat.lastMessageAt, tz), tz)}）`,
          script: render(rule.config.script, customer, rep.name),
          dueAt: now,
          ruleId: rule.id,
          sourceKey: `inactivity:${chat.id}:${chat.lastMessageAt}`,
          createdAt: now,
        },
      ];
    });
    await db.tx((tx) => recordDay(tx, corpId, rule, today, tasks, `新建唤醒任务 ${tasks.length} 个`));
  }

  async function birthdays(corpId: string, rule: Rules['birthday'], today: string, cal: Calendar): Promise<void> {
    const now = ctx.now();
    // Today and the days off after it: a Saturday birthday is on Friday's list, the greeting can be scheduled.
    const ahead = [today];
    for (let i = 1; i < 7; i++) {
      const d = addDays(today, i, tz);
      if (isWorkingDay(cal, d)) break;
      ahead.push(d);
    }
    // And the days since the last run (missed while down), so nobody's birthday is forgotten.
    const days = [...new Set([...(await coveredDays(corpId, rule, today)), ...ahead])];
    const wanted = days.flatMap((d) => {
      const [y, m, dd] = d.split('-').map(Number) as [number, number, number];
      const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      // 29 February is celebrated on the 28th in other years.
      return !leap && m === 2 && dd === 28
        ? [
            { month: 2, day: 28, d },
            { month: 2, day: 29, d },
          ]
        : [{ month: m, day: dd, d }];
    });
    const found = await repo.birthdaysOn(
      db,
      corpId,
      wanted.map(({ month, day }) => ({ month, day })),
    );
    const follows = await repo.activeFollowsOf(
      db,
      corpId,
      found.map((b) => b.externalUserId),
    );
    const names = await repo.customerNames(
      db,
      corpId,
      found.map((b) => b.externalUserId),
    );
    const repNames = new Map((await repo.reps(db, corpId)).map((r) => [r.userId, r.name]));
    const tasks: NewTask[] = [];
    const reminders: Array<{ userId: string; externalUserId: string; customer: string; label: string; year: string }> =
      [];
    for (const b of found) {
      const day = wanted.find((w) => w.month === b.month && w.day === b.day)!.d;
      const label = dayLabel(day, tz);
      for (const f of follows.filter((x) => x.externalUserId === b.externalUserId)) {
        const customer = f.remark || names.get(b.externalUserId) || '客户';
        const year = day.slice(0, 4);
        tasks.push({
          corpId,
          userId: f.userId,
          externalUserId: b.externalUserId,
          kind: 'birthday',
          title: `${rule.config.title}：${customer}`,
          detail: day === today ? `今天（${label}）是客户的生日` : `${label}是客户的生日`,
          script: render(rule.config.script, customer, repNames.get(f.userId) ?? ''),
          dueAt: now,
          ruleId: rule.id,
          sourceKey: `birthday:${b.externalUserId}:${f.userId}:${year}`,
          createdAt: now,
        });
        reminders.push({ userId: f.userId, externalUserId: b.externalUserId, customer, label, year });
      }
    }
    await db.tx(async (tx) => {
      if (!(await recordDay(tx, corpId, rule, today, tasks, `客户生日提醒 ${tasks.length} 个`))) return;
      if (!rule.recipients.rep) return;
      for (const r of reminders) {
        await ctx.notify.toMembers(tx, {
          corpId,
          key: `birthday:${r.externalUserId}:${r.userId}:${r.year}:app`,
          kind: 'birthday',
          ruleId: rule.id,
          userId: r.userId,
          externalUserId: r.externalUserId,
          userIds: [r.userId],
          message: textCard(
            `客户生日：${r.customer}`,
            [`${r.label}是 ${r.customer} 的生日`, '侧边栏「待办」里有为你准备的祝福语'],
            ctx.links.sidebar(r.externalUserId),
            '去祝福',
          ),
        });
      }
    });
  }

  /** The reps of a department and of the departments under it. */
  async function repsUnder(
    corpId: string,
    departmentId: number | null,
  ): Promise<Array<{ userId: string; name: string }>> {
    const reps = await activeReps(corpId);
    if (departmentId === null) return reps;
    const departments = await repo.departments(db, corpId);
    const inTree = new Set([departmentId]);
    for (let grew = true; grew;) {
      grew = false;
      for (const d of departments) {
        if (d.parentId !== null && inTree.has(d.parentId) && !inTree.has(d.id)) {
          inTree.add(d.id);
          grew = true;
        }
      }
    }
    return reps.filter((r) => r.departmentIds.some((id) => inTree.has(id)));
  }

  async function figures(
    corpId: string,
    title: string,
    reps: Array<{ userId: string; name: string }>,
    from: number,
    to: number,
    span: string,
  ): Promise<DigestFigures> {
    let added = 0;
    let lost = 0;
    const channels = new Map<number, number>();
    for (const rep of reps) {
      for (const f of await repo.followMovements(db, corpId, rep.userId, from, to)) {
        if (f.addedAt >= from && f.addedAt < to) {
          added += 1;
          if (f.channelId !== null) channels.set(f.channelId, (channels.get(f.channelId) ?? 0) + 1);
        }
        if (f.lostAt !== null && f.lostAt >= from && f.lostAt < to && f.lostReason !== 'transferred') lost += 1;
      }
    }
    const top = [...channels.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3);
    const channelNames = await repo.channelNames(
      db,
      corpId,
      top.map(([id]) => id),
    );
    const userIds = reps.map((r) => r.userId);
    const turns = await repo.turnsStarted(db, corpId, userIds, from, to);
    return {
      title,
      span,
      added,
      lost,
      topChannels: top.map(([id, count]) => ({ name: channelNames.get(id) ?? `渠道 ${id}`, count })),
      reps: reps.map((r) => {
        const mine = turns.filter((t) => t.userId === r.userId);
        const replied = mine.filter((t) => t.repliedAt !== null && t.replyWorkingMs !== null);
        const avg =
          replied.length === 0 ? null : replied.reduce((s, t) => s + t.replyWorkingMs!, 0) / replied.length / 60_000;
        return { name: r.name, turns: mine.length, replied: replied.length, avgReplyMinutes: avg };
      }),
      unrepliedOverdue: await repo.overdueOpenTurns(db, corpId, userIds),
      keywordAlerts: await repo.keywordAlertCount(db, corpId, userIds, from, to),
    };
  }

  async function digest(corpId: string, rule: Rules['digest'], today: string, cal: Calendar): Promise<void> {
    const now = ctx.now();
    if (now >= atTime(today, rule.config.usefulUntil, tz)) {
      // Missed (the server was down at the time) and no longer useful today: recorded, not sent.
      await repo.addRun(db, {
        corpId,
        ruleId: rule.id,
        period: today,
        at: now,
        outcome: 'skipped',
        count: 0,
        detail: `错过发送时间（${rule.config.time}），已过补发截止时间 ${rule.config.usefulUntil}，今日不再发送`,
      });
      return;
    }
    const fromDay = previousWorkingDay(cal, today);
    const from = dayStartOf(fromDay, tz);
    const to = dayStartOf(today, tz);
    const lastDay = addDays(today, -1, tz);
    const span = fromDay === lastDay ? dayLabel(fromDay, tz) : `${dayLabel(fromDay, tz)}至${dayLabel(lastDay, tz)}`;
    const robots = (await ctx.notify.robotsOf(corpId)).filter((r) => r.status === 'active');
    const departments = new Map((await repo.departments(db, corpId)).map((d) => [d.id, d.name]));
    const sends: Array<{ robotId: number; parts: ReturnType<typeof robotMarkdown> }> = [];
    for (const robot of robots) {
      const perDepartment = rule.recipients.departmentRobot && robot.departmentId !== null;
      const corpWide = rule.recipients.robotIds.includes(robot.id);
      if (!perDepartment && !corpWide) continue;
      const departmentId = corpWide ? null : robot.departmentId;
      const title = `${departmentId === null ? '全公司' : (departments.get(departmentId) ?? robot.name)}日报`;
      const f = await figures(corpId, title, await repsUnder(corpId, departmentId), from, to, span);
      sends.push({ robotId: robot.id, parts: robotMarkdown(digestMarkdown(f)) });
    }
    await db.tx(async (tx) => {
      const first = await repo.addRun(tx, {
        corpId,
        ruleId: rule.id,
        period: today,
        at: now,
        outcome: sends.length > 0 ? 'fired' : 'nothing',
        count: sends.length,
        detail: sends.length > 0 ? `日报发往 ${sends.length} 个群机器人` : '没有可发送日报的群机器人',
      });
      if (!first) return;
      for (const s of sends) {
        await ctx.notify.toRobot(tx, {
          corpId,
          key: `digest:${s.robotId}:${today}`,
          kind: 'digest',
          ruleId: rule.id,
          robotId: s.robotId,
          parts: s.parts,
        });
      }
    });
  }

  return {
    /** Runs every daily rule that is due now and has not run today (working days only). */
    async run(corpId: string, rules: Rules, cal: Calendar): Promise<void> {
      const now = ctx.now();
      const today = dayInZone(now, tz);
      if (!isWorkingDay(cal, today)) return;
      const due = (rule: LoadedRule & { config: { time: string } }) =>
        rule.enabled && now >= atTime(today, rule.config.time, tz);
      const jobs: Array<[LoadedRule & { config: { time: string } }, () => Promise<void>]> = [
        [rules.lifecycle, () => lifecycle(corpId, rules.lifecycle, today)],
        [rules.inactivity, () => inactivity(corpId, rules.inactivity, today)],
        [rules.birthday, () => birthdays(corpId, rules.birthday, today, cal)],
        [rules.digest, () => digest(corpId, rules.digest, today, cal)],
      ];
      for (const [rule, work] of jobs) {
        if (!due(rule) || (await repo.periodRan(db, rule.id, today))) continue;
        try {
          await work();
        } catch (err) {
          ctx.log.error({ err, corpId, rule: rule.kind }, 'daily automation failed; the next tick tries again');
        }
      }
    },
  };
}
