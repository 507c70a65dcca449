import {
  RULE_NAMES,
  ruleKinds,
  type Birthday,
  type BirthdayBody,
  type Rule,
  type RuleKind,
} from '../../../shared/schemas/automations.js';
import type { Executor } from '../../db/database.js';
import type { RuleRecipients } from '../../db/schema/automations.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { ExternalContactEvent } from '../../wecom/events.js';
import type { SessionUser } from '../auth/session-service.js';
import type { RequireFollower } from '../customers/follower.js';
import type { IntegrationHooks, IntegrationService } from '../integrations/service.js';
import type { JobDefinition } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import { renderWelcomeText } from '../welcome/template.js';
import { createAlertRules } from './alerts.js';
import type { AutomationContext, LoadedRule, Rules } from './context.js';
import { createDailyRules } from './daily.js';
import type { RuleRow } from './repo.js';
import { configOf, mergeConfig, RULE_DEFAULTS } from './rules.js';
import { createTurnTracker } from './turns.js';

export interface TagPayload {
  userId: string;
  externalUserId: string;
  tagId: string;
  /** The timeline's record of it, once. */
  sourceKey: string;
}

/**
 * The automations: rules a manager switches on (未回复提醒, 流失提醒, 敏感词, 跟进提醒, new-customer follow-ups, silent
 * customers, birthdays, repeat purchases, 日报, off-hours replies), each with its recipients and a log of its runs.
 * A tick every minute (and feed reads every 15 s) runs them; every effect is keyed per (rule, subject, period), so a
 * tick that runs twice, late, or on two instances does everything once.
 */
export function createAutomationService(
  ctx: AutomationContext & {
    integrations: () => Pick<IntegrationService, 'pollTimeline'>;
    jobs: Pick<JobService, 'enqueue'>;
    tagJob: () => JobDefinition<TagPayload>;
    requireFollower: RequireFollower;
  },
) {
  const { db, repo } = ctx;
  const turns = createTurnTracker(ctx);
  const alerts = createAlertRules(ctx);
  const daily = createDailyRules(ctx);

  function loaded(row: RuleRow): LoadedRule {
    const kind = row.kind as RuleKind;
    return { id: row.id, kind, enabled: row.enabled, recipients: row.recipients, config: configOf(kind, row.config) };
  }

  /** The corp's rules (the missing ones created with their defaults), read with `ex`: a caller's transaction or db. */
  async function rulesOf(corpId: string, ex: Executor = db): Promise<Rules> {
    let rows = await repo.rules(ex, corpId);
    if (rows.length < ruleKinds.length) {
      const have = new Set(rows.map((r) => r.kind));
      await repo.ensureRules(
        ex,
        corpId,
        ruleKinds
          .filter((k) => !have.has(k))
          .map((kind) => ({
            kind,
            ...RULE_DEFAULTS[kind],
            config: RULE_DEFAULTS[kind].config as Record<string, unknown>,
          })),
        ctx.now(),
      );
      rows = await repo.rules(ex, corpId);
    }
    return Object.fromEntries(
      rows.filter((r) => ruleKinds.includes(r.kind as RuleKind)).map((r) => [r.kind, loaded(r)]),
    ) as Rules;
  }

  function view(rule: LoadedRule, row: RuleRow): Rule {
    return {
      id: rule.id,
      kind: rule.kind,
      name: RULE_NAMES[rule.kind],
      enabled: rule.enabled,
      recipients: rule.recipients,
      config: rule.config as Record<string, unknown>,
      lastRunAt: row.lastRunAt,
      updatedAt: row.updatedAt,
    };
  }

  /** One step of a tick; a failure is logged and recorded, and the others still run. */
  async function step(corpId: string, name: string, rule: LoadedRule | null, work: () => Promise<unknown>) {
    try {
      await work();
    } catch (err) {
      ctx.log.error({ err, corpId, step: name }, 'automation step failed; the next tick tries again');
      if (rule) {
        await repo
          .addRun(db, {
            corpId,
            ruleId: rule.id,
            period: null,
            at: ctx.now(),
            outcome: 'error',
            count: 0,
            detail: `运行出错：${err instanceof Error ? err.message.slice(0, 200) : String(err)}`,
          })
          .catch(() => undefined);
      }
    }
  }

  return {
    rulesOf,

    /**
     * One tick for a corp. `full` (every minute): the feeds, then due reminders, due notes and the daily rules. Not
     * full (every 15 s between): only the feeds, so off-hours suggestions, keyword alerts and webhooks are prompt.
     */
    async tick(corpId: string, full: boolean): Promise<void> {
      const rules = await rulesOf(corpId);
      const cal = await ctx.calendar(corpId);
      await step(corpId, 'messages', rules.unreplied, () => turns.readMessages(corpId, rules, cal));
      await step(corpId, 'keyword alerts', rules.keyword, () => alerts.keywordAlerts(corpId, rules));
      await step(corpId, 'webhooks', null, () => ctx.integrations().pollTimeline(corpId));
      if (!full) return;
      await step(corpId, 'unreplied reminders', rules.unreplied, () => turns.remind(corpId, rules, cal));
      await step(corpId, 'note reminders', rules.note_due, () => alerts.notesDue(corpId, rules));
      await step(corpId, 'daily rules', null, () => daily.run(corpId, rules, cal));
    },

    /** The events module's hook: a customer deleted the rep (del_follow_user) → the loss alert, at once. */
    async afterFollowLost(corpId: string, e: ExternalContactEvent, eventId: number): Promise<void> {
      if (e.changeType !== 'del_follow_user') return;
      await alerts.customerLost(corpId, e, eventId, await rulesOf(corpId));
    },

    /** The integrations' hooks: an order (in its transaction) and a birthday pushed by another system. */
    hooks(): IntegrationHooks {
      return {
        async afterOrder(tx, corpId, order, repeat) {
          if (!repeat || !order.userId) return;
          const rules = await rulesOf(corpId, tx);
          const rule = rules.repeat_purchase;
          if (!rule.enabled) return;
          const now = ctx.now();
          const names = await repo.customerNames(tx, corpId, [order.externalUserId]);
          const follow = await repo.follow(tx, corpId, order.userId, order.externalUserId);
          const customer = follow?.remark || names.get(order.externalUserId) || '客户';
          const repName = (await repo.reps(tx, corpId)).find((r) => r.userId === order.userId)?.name ?? '';
          await ctx.tasks.add(tx, {
            corpId,
            userId: order.userId,
            externalUserId: order.externalUserId,
            kind: 'repeat_purchase',
            title: `${rule.config.title}：${customer}`,
            detail: `客户再次下单（订单 ${order.orderId}，¥${(order.amountCents / 100).toFixed(2)}）`,
            script: renderWelcomeText(rule.config.script, { customerName: customer, repName }),
            dueAt: now,
            ruleId: rule.id,
            sourceKey: `repeat_purchase:order:${order.id}`,
            createdAt: now,
          });
          if (rule.config.tagId) {
            await ctx.jobs.enqueue(
              tx,
              ctx.tagJob(),
              {
                userId: order.userId,
                externalUserId: order.externalUserId,
                tagId: rule.config.tagId,
                sourceKey: `repeat_purchase:order:${order.id}:tagged`,
              },
              { corpId, dedupeKey: `repeat_purchase:order:${order.id}` },
            );
          }
          await repo.addRun(tx, {
            corpId,
            ruleId: rule.id,
            period: null,
            at: now,
            outcome: 'fired',
            count: 1,
            detail: `客户 ${customer} 复购（订单 ${order.orderId}），已为员工新建感谢任务${rule.config.tagId ? '并打标签' : ''}`,
          });
        },
        async setBirthday(tx, corpId, externalUserId, b, source) {
          // With the year, as the sidebar checks it: 29 February of a common year is refused here too.
          checkDate(b.month, b.day, b.year);
          await repo.setBirthday(tx, corpId, externalUserId, { ...b, source, at: ctx.now() });
        },
      };
    },

    // ---- admin API
    async listRules(corpId: string): Promise<Rule[]> {
      const rules = await rulesOf(corpId);
      const rows = new Map((await repo.rules(db, corpId)).map((r) => [r.kind, r]));
      return ruleKinds.map((k) => view(rules[k], rows.get(k)!));
    },

    async getRule(corpId: string, kind: RuleKind): Promise<Rule> {
      const rules = await rulesOf(corpId);
      const row = (await repo.rules(db, corpId)).find((r) => r.kind === kind)!;
      return view(rules[kind], row);
    },

    async updateRule(
      corpId: string,
      kind: RuleKind,
      body: { enabled?: boolean; recipients?: Partial<RuleRecipients>; config?: Record<string, unknown> },
    ): Promise<Rule> {
      const current = (await rulesOf(corpId))[kind];
      const patch: Partial<RuleRow> = { updatedAt: ctx.now() };
      if (body.enabled !== undefined) patch.enabled = body.enabled;
      if (body.recipients !== undefined)
        patch.recipients = { ...current.recipients, ...body.recipients } as RuleRecipients;
      if (body.config !== undefined) {
        patch.config = mergeConfig(kind, current.config as Record<string, unknown>, body.config);
      }
      if (patch.recipients) await checkRobots(corpId, patch.recipients.robotIds);
      const row = await repo.updateRule(db, corpId, kind, patch);
      if (!row) throw new NotFoundError('规则不存在');
      return view(loaded(row), row);
    },

    async runs(corpId: string, kind: RuleKind, limit: number) {
      const rule = (await rulesOf(corpId))[kind];
      return (await repo.runs(db, corpId, rule.id, limit)).map((r) => ({
        id: r.id,
        at: r.at,
        period: r.period,
        outcome: r.outcome as 'fired' | 'skipped' | 'nothing' | 'error',
        detail: r.detail,
        count: r.count,
      }));
    },

    // ---- birthdays (the rep, in the sidebar)
    async birthdayOf(user: SessionUser, externalUserId: string): Promise<{ birthday: Birthday | null }> {
      await ctx.requireFollower(user, externalUserId);
      const row = await repo.birthday(db, user.corpId, externalUserId);
      return { birthday: row ? { month: row.month, day: row.day, year: row.year, source: row.source } : null };
    },

    async setBirthday(
      user: SessionUser,
      externalUserId: string,
      body: BirthdayBody,
    ): Promise<{ birthday: Birthday | null }> {
      await ctx.requireFollower(user, externalUserId);
      checkDate(body.month, body.day, body.year ?? null);
      await repo.setBirthday(db, user.corpId, externalUserId, {
        month: body.month,
        day: body.day,
        year: body.year ?? null,
        source: `rep:${user.userId}`,
        at: ctx.now(),
      });
      return this.birthdayOf(user, externalUserId);
    },

    async clearBirthday(user: SessionUser, externalUserId: string): Promise<void> {
      await ctx.requireFollower(user, externalUserId);
      await repo.deleteBirthday(db, user.corpId, externalUserId);
    },

    /** Runs and notifications older than `before` go (the nightly retention). */
    async prune(before: number): Promise<number> {
      let total = 0;
      for (let n = 1; n > 0; total += n) n = await repo.deleteRunsBefore(db, before, 5000);
      return total;
    },
  };

  async function checkRobots(corpId: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const known = new Set((await ctx.notify.robotsOf(corpId)).map((r) => r.id));
    const missing = ids.find((id) => !known.has(id));
    if (missing !== undefined) throw new BadRequestError(`群机器人 ${missing} 不存在`, 'recipients.robotIds');
  }
}
export type AutomationService = ReturnType<typeof createAutomationService>;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** 31 April and 30 February are refused; 29 February only in a leap year when the year is given. */
function checkDate(month: number, day: number, year: number | null = null): void {
  if (day > DAYS_IN_MONTH[month - 1]!) throw new BadRequestError(`${month} 月没有 ${day} 日`, 'day');
  if (year !== null && month === 2 && day === 29 && !((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) {
    throw new BadRequestError(`${year} 年 2 月没有 29 日`, 'day');
  }
}
