import type { RuleConfigs, RuleKind } from '../../../shared/schemas/automations.js';
import { dayInZone, wallTime, zonedTime } from '../../../shared/time-zone.js';
import type { Database, Executor } from '../../db/database.js';
import type { OutgoingMessage, RuleRecipients } from '../../db/schema/automations.js';
import type { FeedCursors } from '../feed-cursors.js';
import type { NotifyService } from '../notify/service.js';
import type { TaskRepo } from '../tasks/repo.js';
import type { Calendar } from '../work-calendar/calendar.js';
import type { AutomationRepo } from './repo.js';

/** A rule as the automations use it: the stored row with its settings completed. */
export interface LoadedRule<K extends RuleKind = RuleKind> {
  id: number;
  kind: K;
  enabled: boolean;
  recipients: RuleRecipients;
  config: RuleConfigs[K];
}
export type Rules = { [K in RuleKind]: LoadedRule<K> };

/** What every part of the automations module uses. */
export interface AutomationContext {
  db: Database;
  repo: AutomationRepo;
  cursors: FeedCursors;
  notify: Pick<NotifyService, 'toRobot' | 'toMembers' | 'departmentRobot' | 'managersOf' | 'robotsOf'>;
  tasks: Pick<TaskRepo, 'add'>;
  calendar: (corpId: string) => Promise<Calendar>;
  /** Where a rep opens the sidebar on a customer, and a manager the console. */
  links: { sidebar(externalUserId: string): string; console(externalUserId: string): string };
  timeZone: string;
  now: () => number;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

/** Who a rule's notification about a rep goes to: members (one app message) and robots. */
export interface Targets {
  userIds: string[];
  robotIds: number[];
}

/**
 * Resolves a rule's recipients for a notification about `userId` (the rep concerned; null for none): the rep, their
 * managers (department leaders, from WeCom), their department's robot, and the rule's extra robots and members.
 * Outside any transaction: finding the managers may ask WeCom.
 */
export async function targetsOf(
  ctx: AutomationContext,
  corpId: string,
  userId: string | null,
  r: RuleRecipients,
  parts: { rep?: boolean; managers?: boolean; departmentRobot?: boolean; extra?: boolean } = {},
): Promise<Targets> {
  const want = { rep: true, managers: true, departmentRobot: true, extra: true, ...parts };
  const userIds: string[] = [];
  const robotIds: number[] = [];
  if (userId && want.rep && r.rep) userIds.push(userId);
  if (userId && want.managers && r.managers) {
    try {
      userIds.push(...(await ctx.notify.managersOf(corpId, userId)));
    } catch (err) {
      // WeCom unreachable: the robot and the extra members still hear about it; the job retries nothing here.
      ctx.log.warn({ err, corpId }, 'could not read department leaders from WeCom');
    }
  }
  if (userId && want.departmentRobot && r.departmentRobot) {
    const robot = await ctx.notify.departmentRobot(corpId, userId);
    if (robot) robotIds.push(robot.id);
  }
  if (want.extra) {
    const active = new Set((await ctx.notify.robotsOf(corpId)).filter((x) => x.status === 'active').map((x) => x.id));
    robotIds.push(...r.robotIds.filter((id) => active.has(id)));
    userIds.push(...r.userIds);
  }
  return { userIds: [...new Set(userIds)], robotIds: [...new Set(robotIds)] };
}

/** Queues one notification per target (keys `<key>:app`, `<key>:robot:<id>`), in the caller's transaction. */
export async function deliver(
  ctx: AutomationContext,
  tx: Executor,
  base: {
    corpId: string;
    key: string;
    kind: string;
    ruleId: number;
    userId?: string | null;
    externalUserId?: string | null;
  },
  targets: Targets,
  content: { app?: OutgoingMessage; robot?: OutgoingMessage[] },
): Promise<number> {
  let queued = 0;
  if (content.app && targets.userIds.length > 0) {
    const id = await ctx.notify.toMembers(tx, {
      ...base,
      key: `${base.key}:app`,
      userIds: targets.userIds,
      message: content.app,
    });
    if (id !== null) queued += 1;
  }
  if (content.robot) {
    for (const robotId of targets.robotIds) {
      const id = await ctx.notify.toRobot(tx, {
        ...base,
        key: `${base.key}:robot:${robotId}`,
        robotId,
        parts: content.robot,
      });
      if (id !== null) queued += 1;
    }
  }
  return queued;
}

// ---- corp-zone days ---------------------------------------------------------------------------------------------

/** Midnight (corp zone) of `day` (YYYY-MM-DD) plus `offset` days. */
export function dayStartOf(day: string, timeZone: string, offset = 0): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return zonedTime(timeZone, y, m, d + offset, 0, 0);
}

/** The corp-zone day `offset` days from `day`. */
export function addDays(day: string, offset: number, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return dayInZone(zonedTime(timeZone, y, m, d + offset, 12, 0), timeZone);
}

/** `HH:MM` of `day` in the corp zone, as a moment. */
export function atTime(day: string, hhmm: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return zonedTime(timeZone, y, m, d, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)));
}

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** 12月5日（周五）. */
export function dayLabel(day: string, timeZone: string): string {
  const w = wallTime(dayStartOf(day, timeZone) + 12 * 3_600_000, timeZone);
  return `${w.month}月${w.day}日（${WEEKDAY_NAMES[w.weekday]}）`;
}

/** Minutes, for people: 90 → 1 小时 30 分钟. */
export function minutesLabel(ms: number): string {
  const total = Math.round(ms / 60_000);
  if (total < 60) return `${total} 分钟`;
  const h = Math.floor(total / 60);
  const m = total % 60;
  return m === 0 ? `${h} 小时` : `${h} 小时 ${m} 分钟`;
}

/** One line of a customer's words inside a notification: short, one line. */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : flat;
}
