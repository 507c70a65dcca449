import type { ExternalContactEvent } from '../../wecom/events.js';
import { FEED_SETTLE_MS } from '../feed-cursors.js';
import { escapeMarkdown, mention, robotMarkdown, textCard } from '../notify/messages.js';
import { deliver, excerpt, targetsOf, type AutomationContext, type Rules } from './context.js';

const KEYWORD_FEED = 'automations:keyword_alerts';
const NOTES_FEED = 'automations:notes_due';
/** A note's reminder found this late (the server was down) is still sent; older ones are not. */
const NOTE_LOOKBACK_MS = 12 * 3_600_000;

const DIRECTION_NAMES: Record<string, string> = {
  customer_to_rep: '客户发送',
  rep_to_customer: '员工发送',
  internal: '内部消息',
};

/** The rules that react at once: customer lost (流失提醒), sensitive words (敏感词), a note's reminder time (跟进提醒). */
export function createAlertRules(ctx: AutomationContext) {
  const { db, repo } = ctx;

  return {
    /** `del_follow_user` (the customer deleted the rep): the rep's department robot hears about it at once. */
    async customerLost(corpId: string, e: ExternalContactEvent, eventId: number, rules: Rules): Promise<void> {
      const rule = rules.loss;
      if (!rule.enabled || e.changeType !== 'del_follow_user') return;
      const follow = await repo.follow(db, corpId, e.userId, e.externalUserId);
      const name = (await repo.customerNames(db, corpId, [e.externalUserId])).get(e.externalUserId) ?? '客户';
      const repName = (await repo.reps(db, corpId)).find((r) => r.userId === e.userId)?.name ?? e.userId;
      const channel = follow?.channelId
        ? (await repo.channelNames(db, corpId, [follow.channelId])).get(follow.channelId)
        : undefined;
      const lostAt = follow?.lostAt ?? e.createTime * 1000;
      const days = follow ? Math.max(0, Math.floor((lostAt - follow.addedAt) / 86_400_000)) : null;
      const last = await repo.lastMessages(db, corpId, e.userId, e.externalUserId, rule.config.lastMessages);
      const lines = [
        '**客户流失提醒**',
        `> 客户：${escapeMarkdown(name)}${follow?.remark ? `（备注：${escapeMarkdown(follow.remark)}）` : ''} 删除了员工`,
        `> 跟进员工：${escapeMarkdown(repName)} ${mention(e.userId)}`,
        `> 来源渠道：${channel ? escapeMarkdown(channel) : '未经渠道活码'}`,
        `> 添加天数：${days === null ? '未知' : `<font color="warning">${days}</font> 天`}`,
      ];
      if (last.length > 0) {
        lines.push('> 最近消息：');
        for (const msg of last) {
          const who =
            msg.direction === 'customer_to_rep' ? '客户' : msg.direction === 'rep_to_customer' ? '员工' : '其他';
          lines.push(`> ${who}：${escapeMarkdown(excerpt(msg.recalled ? '[已撤回]' : msg.text, 40))}`);
        }
      } else if (rule.config.lastMessages > 0) lines.push('> 最近消息：无聊天记录');
      const targets = await targetsOf(ctx, corpId, e.userId, rule.recipients);
      await db.tx(async (tx) => {
        const queued = await deliver(
          ctx,
          tx,
          {
            corpId,
            key: `loss:event:${eventId}`,
            kind: 'loss',
            ruleId: rule.id,
            userId: e.userId,
            externalUserId: e.externalUserId,
          },
          targets,
          {
            robot: robotMarkdown(lines.join('\n')),
            app: textCard(
              `客户流失：${name}`,
              [`客户删除了员工 ${repName}`, `来源：${channel ?? '未经渠道活码'}，添加 ${days ?? '?'} 天`],
              ctx.links.console(e.externalUserId),
              '查看客户',
            ),
          },
        );
        await repo.addRun(tx, {
          corpId,
          ruleId: rule.id,
          period: null,
          at: ctx.now(),
          outcome: queued > 0 ? 'fired' : 'nothing',
          count: queued,
          detail:
            queued > 0
              ? `客户 ${name} 删除了员工 ${repName}，已通知`
              : `客户 ${name} 删除了员工 ${repName}，没有可通知的对象（未配置机器人）`,
        });
      });
    },

    /** New keyword alerts (敏感词, recorded by the conversations module) → the robot and/or managers, at once. */
    async keywordAlerts(corpId: string, rules: Rules): Promise<number> {
      const rule = rules.keyword;
      const cursor = await ctx.cursors.get(db, corpId, KEYWORD_FEED);
      if (cursor === null || !rule.enabled) {
        // Switched off (or never read): alerts of that time are not delivered later in a flood.
        await ctx.cursors.set(db, corpId, KEYWORD_FEED, await repo.lastKeywordAlertId(db));
        return 0;
      }
      const cutoff = (await ctx.cursors.databaseNow(db)) - FEED_SETTLE_MS;
      const rows = await repo.keywordAlertsAfter(db, corpId, cursor, 200);
      const names = await repo.customerNames(
        db,
        corpId,
        rows.flatMap((r) => (r.externalUserId ? [r.externalUserId] : [])),
      );
      const repNames = new Map((await repo.reps(db, corpId)).map((r) => [r.userId, r.name]));
      let fired = 0;
      for (const alert of rows) {
        if (alert.deliveredAt !== null) continue;
        const customer = alert.externalUserId ? (names.get(alert.externalUserId) ?? '客户') : '（群聊）';
        const repName = alert.userId ? (repNames.get(alert.userId) ?? alert.userId) : '—';
        const targets = await targetsOf(ctx, corpId, alert.userId, rule.recipients);
        const lines = [
          `**敏感词提醒：<font color="warning">${escapeMarkdown(alert.matched)}</font>**`,
          `> 规则：${escapeMarkdown(alert.ruleName ?? '敏感词')}`,
          `> ${DIRECTION_NAMES[alert.direction] ?? alert.direction}${alert.roomId ? '（群聊）' : ''}：“${escapeMarkdown(excerpt(alert.text ?? '', 80))}”`,
          `> 客户：${escapeMarkdown(customer)}`,
          `> 员工：${escapeMarkdown(repName)}${alert.userId ? ` ${mention(alert.userId)}` : ''}`,
        ];
        await db.tx(async (tx) => {
          const queued = await deliver(
            ctx,
            tx,
            {
              corpId,
              key: `keyword:alert:${alert.id}`,
              kind: 'keyword',
              ruleId: rule.id,
              userId: alert.userId,
              externalUserId: alert.externalUserId,
            },
            targets,
            {
              robot: robotMarkdown(lines.join('\n')),
              app: textCard(
                `敏感词提醒：${alert.matched}`,
                [`${repName} 与 ${customer} 的聊天`, `“${excerpt(alert.text ?? '', 80)}”`],
                alert.externalUserId ? ctx.links.console(alert.externalUserId) : ctx.links.console(''),
                '查看详情',
              ),
            },
          );
          if (queued > 0) fired += 1;
          await repo.markAlertsDelivered(tx, [alert.id], ctx.now());
        });
      }
      const k = db.t.keywordAlerts;
      const settled = await ctx.cursors.settledMax(db, k, { id: k.id, createdAt: k.createdAt }, cursor, cutoff);
      const last = rows[rows.length - 1]?.id ?? cursor;
      await ctx.cursors.set(db, corpId, KEYWORD_FEED, rows.length === 200 ? Math.min(settled, last) : settled);
      if (fired > 0) {
        await repo.addRun(db, {
          corpId,
          ruleId: rule.id,
          period: null,
          at: ctx.now(),
          outcome: 'fired',
          count: fired,
          detail: `发送敏感词提醒 ${fired} 条`,
        });
      }
      return fired;
    },

    /** Notes whose reminder time came (跟进提醒) → an app message to their author. */
    async notesDue(corpId: string, rules: Rules): Promise<number> {
      const rule = rules.note_due;
      const now = ctx.now();
      const cursor = await ctx.cursors.get(db, corpId, NOTES_FEED);
      if (!rule.enabled) {
        await ctx.cursors.set(db, corpId, NOTES_FEED, now);
        return 0;
      }
      const after = Math.max(cursor ?? now - 60_000, now - NOTE_LOOKBACK_MS);
      const rows = await repo.notesDue(db, corpId, after, now, 500);
      const names = await repo.customerNames(
        db,
        corpId,
        rows.map((r) => r.externalUserId),
      );
      let fired = 0;
      for (const note of rows) {
        if (!note.userId || note.dueAt === null) continue;
        const name = names.get(note.externalUserId) ?? '客户';
        const targets = await targetsOf(ctx, corpId, note.userId, rule.recipients, {
          managers: false,
          departmentRobot: false,
        });
        await db.tx(async (tx) => {
          const queued = await deliver(
            ctx,
            tx,
            {
              corpId,
              key: `note_due:${note.id}:${note.dueAt}`,
              kind: 'note_due',
              ruleId: rule.id,
              userId: note.userId,
              externalUserId: note.externalUserId,
            },
            targets,
            {
              app: textCard(
                `跟进提醒：${name}`,
                ['你设置的跟进时间到了', `“${excerpt(note.content, 80)}”`],
                ctx.links.sidebar(note.externalUserId),
                '去跟进',
              ),
            },
          );
          if (queued > 0) fired += 1;
        });
      }
      // A full page means more are due at the same moment: the next tick goes on from the last one read.
      const next = rows.length === 500 ? (rows[rows.length - 1]!.dueAt ?? now) - 1 : now;
      await ctx.cursors.set(db, corpId, NOTES_FEED, next);
      if (fired > 0) {
        await repo.addRun(db, {
          corpId,
          ruleId: rule.id,
          period: null,
          at: now,
          outcome: 'fired',
          count: fired,
          detail: `发送跟进提醒 ${fired} 条`,
        });
      }
      return fired;
    },
  };
}
