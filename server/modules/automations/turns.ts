import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/database.js';
import { FEED_SETTLE_MS } from '../feed-cursors.js';
import { escapeMarkdown, mention, robotMarkdown, textCard } from '../notify/messages.js';
import { addWorkingMs, isWorkingTime, workingMsBetween, type Calendar } from '../work-calendar/calendar.js';
import { deliver, excerpt, minutesLabel, targetsOf, type AutomationContext, type Rules } from './context.js';
import { compileIgnoreWords } from './ignorable.js';
import type { FeedMessage, TurnRow } from './repo.js';

const FEED = 'automations:messages';
const BATCH = 500;

/**
 * Customer turns awaiting a reply (未回复提醒, 非工作时间回复建议), from the chat messages the conversations module
 * stores. The feed reads new messages by id after its cursor, in a transaction that first locks the cursor row, so
 * two instances never read the same batch at once; reading a message twice changes nothing (a message starts at most
 * one turn; a reply closes only a turn started before it).
 */
export function createTurnTracker(ctx: AutomationContext) {
  const { db, repo } = ctx;

  async function onMessage(
    tx: Executor,
    corpId: string,
    m: FeedMessage,
    rules: Rules,
    cal: Calendar,
    ignorable: (type: string, text: string) => boolean,
  ): Promise<number> {
    if (m.roomId !== null || m.conversationId === null || !m.userId || !m.externalUserId || m.action !== 'send')
      return 0;
    const conversationId = m.conversationId;
    if (m.direction === 'rep_to_customer') {
      const open = await repo.openTurn(tx, corpId, conversationId);
      if (!open || open.startedAt > m.sentAt) return 0;
      await repo.updateTurn(
        tx,
        open.id,
        {
          status: 'replied',
          repliedAt: m.sentAt,
          replyMessageId: m.id,
          replyWorkingMs: workingMsBetween(cal, open.startedAt, m.sentAt),
          nextDueAt: null,
          updatedAt: ctx.now(),
        },
        and(eq(ctx.db.t.replyTurns.status, 'open')),
      );
      return 0;
    }
    if (m.direction !== 'customer_to_rep' || m.recalled || ignorable(m.type, m.text)) return 0;
    if (await repo.openTurn(tx, corpId, conversationId)) return 0;

    const { nudgeAfterMinutes, escalateAfterMinutes } = rules.unreplied.config;
    const nudgeAt = addWorkingMs(cal, m.sentAt, nudgeAfterMinutes * 60_000);
    const escalateAt = addWorkingMs(cal, m.sentAt, (nudgeAfterMinutes + escalateAfterMinutes) * 60_000);
    const offHours = !isWorkingTime(cal, m.sentAt);
    const now = ctx.now();
    // Read late (the archive arrived in one batch, or the feed read it again): the rep answered already. The turn is
    // recorded as answered, for the reply figures, and reminds nobody.
    const reply = await repo.firstReplyAfter(tx, conversationId, m.sentAt, m.id);
    const turn = await repo.insertTurn(tx, {
      corpId,
      conversationId,
      userId: m.userId,
      externalUserId: m.externalUserId,
      startedAt: m.sentAt,
      startMessageId: m.id,
      offHours,
      nudgeAt,
      escalateAt,
      ...(reply
        ? {
            status: 'replied' as const,
            repliedAt: reply.sentAt,
            replyMessageId: reply.id,
            replyWorkingMs: workingMsBetween(cal, m.sentAt, reply.sentAt),
            nextDueAt: null,
          }
        : { nextDueAt: rules.unreplied.enabled ? nudgeAt : null }),
      createdAt: now,
      updatedAt: now,
    });
    if (!turn || reply || !offHours || !rules.off_hours.enabled || !rules.off_hours.recipients.rep) return 0;
    // A message outside working hours: the rep gets a reply to send (the app cannot answer in the rep's chat).
    const name = (await repo.customerNames(tx, corpId, [m.externalUserId])).get(m.externalUserId) ?? '客户';
    const queued = await deliver(
      ctx,
      tx,
      {
        corpId,
        key: `off_hours:turn:${turn.id}`,
        kind: 'off_hours',
        ruleId: rules.off_hours.id,
        userId: m.userId,
        externalUserId: m.externalUserId,
      },
      { userIds: [m.userId], robotIds: [] },
      {
        app: textCard(
          `非工作时间消息：${name}`,
          [`客户在非工作时间发来：“${excerpt(m.text)}”`, `建议回复：${rules.off_hours.config.script}`],
          ctx.links.sidebar(m.externalUserId),
          '去回复',
        ),
      },
    );
    if (queued > 0) {
      await repo.addRun(tx, {
        corpId,
        ruleId: rules.off_hours.id,
        period: null,
        at: now,
        outcome: 'fired',
        count: 1,
        detail: `非工作时间消息，已向员工 ${m.userId} 发送回复建议`,
      });
    }
    return queued;
  }

  return {
    /** Reads the new chat messages into turns. Returns how many messages it read. */
    async readMessages(corpId: string, rules: Rules, cal: Calendar): Promise<number> {
      const start = await ctx.cursors.get(db, corpId, FEED);
      if (start === null) {
        // The first read starts at the end: history is nobody's unanswered message now.
        await ctx.cursors.set(db, corpId, FEED, await repo.lastMessageId(db));
        return 0;
      }
      const ignorable = compileIgnoreWords(rules.unreplied.config.ignoreWords);
      const cutoff = (await ctx.cursors.databaseNow(db)) - FEED_SETTLE_MS;
      const m = db.t.messages;
      let read = 0;
      for (let batch = 0; batch < 20; batch++) {
        const more = await db.tx(
          async (tx) => {
            // The cursor row, locked for this transaction: another instance's read waits, then starts after ours.
            const cursor = await ctx.cursors.lock(tx, corpId, FEED);
            const rows = await repo.messagesAfter(tx, corpId, cursor, BATCH);
            for (const row of rows) await onMessage(tx, corpId, row, rules, cal, ignorable);
            read += rows.length;
            const settled = await ctx.cursors.settledMax(tx, m, { id: m.id, createdAt: m.createdAt }, cursor, cutoff);
            const last = rows[rows.length - 1]?.id ?? cursor;
            await ctx.cursors.set(tx, corpId, FEED, rows.length === BATCH ? Math.min(settled, last) : settled);
            return rows.length === BATCH;
          },
          { isolation: 'read committed' },
        );
        if (!more) break;
      }
      return read;
    },

    /**
     * Reminders that fell due: the rep first (an app message), then, M working minutes later, the managers and/or the
     * department robot. Sent only in working time; one that is late by more than `staleAfterMinutes` of working
     * time (the server was down) is skipped, not sent.
     */
    async remind(corpId: string, rules: Rules, cal: Calendar): Promise<void> {
      const rule = rules.unreplied;
      const now = ctx.now();
      const due = await repo.dueTurns(db, corpId, now, 500);
      if (due.length === 0) return;
      if (!rule.enabled) {
        for (const t of due) await repo.updateTurn(db, t.id, { nextDueAt: null, updatedAt: now });
        return;
      }
      if (!isWorkingTime(cal, now)) return; // they wait for the next working moment
      const n = rule.config.nudgeAfterMinutes * 60_000;
      const m = rule.config.escalateAfterMinutes * 60_000;
      const stale = rule.config.staleAfterMinutes * 60_000;
      const counts = { nudged: 0, escalated: 0, skipped: 0 };
      const names = await repo.customerNames(
        db,
        corpId,
        due.map((t) => t.externalUserId),
      );
      const repNames = new Map((await repo.reps(db, corpId)).map((r) => [r.userId, r.name]));

      for (const turn of due) {
        const elapsed = workingMsBetween(cal, turn.startedAt, now);
        const stage = turn.nudgedAt === null ? 'nudge' : turn.escalatedAt === null ? 'escalate' : null;
        if (stage === null) {
          await repo.updateTurn(db, turn.id, { nextDueAt: null, updatedAt: now });
          continue;
        }
        const needed = stage === 'nudge' ? n : n + m;
        if (elapsed < needed) {
          // The settings or the calendar changed since the turn opened: its moment is later.
          await repo.updateTurn(db, turn.id, { nextDueAt: addWorkingMs(cal, turn.startedAt, needed), updatedAt: now });
          continue;
        }
        const late = elapsed - needed > stale;
        const name = names.get(turn.externalUserId) ?? '客户';
        const text = (await repo.messageText(db, turn.startMessageId)) ?? '';
        const targets = late
          ? { userIds: [], robotIds: [] }
          : stage === 'nudge'
            ? await targetsOf(ctx, corpId, turn.userId, rule.recipients, {
                managers: false,
                departmentRobot: false,
                extra: false,
              })
            : await targetsOf(ctx, corpId, turn.userId, rule.recipients, { rep: false });
        await db.tx(async (tx) => {
          const t = ctx.db.t.replyTurns;
          const claimed =
            stage === 'nudge'
              ? await repo.updateTurn(
                  tx,
                  turn.id,
                  { nudgedAt: now, nextDueAt: addWorkingMs(cal, turn.startedAt, n + m), updatedAt: now },
                  and(isNull(t.nudgedAt), eq(t.status, 'open')),
                )
              : await repo.updateTurn(
                  tx,
                  turn.id,
                  { escalatedAt: now, nextDueAt: null, updatedAt: now },
                  and(isNull(t.escalatedAt), eq(t.status, 'open')),
                );
          if (!claimed) return;
          if (late) {
            counts.skipped += 1;
            return;
          }
          const content =
            stage === 'nudge'
              ? nudgeContent(turn, name, text, elapsed)
              : escalationContent(turn, name, repNames.get(turn.userId) ?? turn.userId, text, elapsed);
          const queued = await deliver(
            ctx,
            tx,
            {
              corpId,
              key: `unreplied:turn:${turn.id}:${stage}`,
              kind: stage === 'nudge' ? 'unreplied_nudge' : 'unreplied_escalation',
              ruleId: rule.id,
              userId: turn.userId,
              externalUserId: turn.externalUserId,
            },
            targets,
            content,
          );
          if (queued > 0) counts[stage === 'nudge' ? 'nudged' : 'escalated'] += 1;
        });
      }
      if (counts.nudged + counts.escalated + counts.skipped > 0) {
        await repo.addRun(db, {
          corpId,
          ruleId: rule.id,
          period: null,
          at: now,
          outcome: counts.nudged + counts.escalated > 0 ? 'fired' : 'skipped',
          count: counts.nudged + counts.escalated,
          detail: `提醒员工 ${counts.nudged} 次，上报 ${counts.escalated} 次${counts.skipped > 0 ? `，${counts.skipped} 条已过时未发送` : ''}`,
        });
      }
    },
  };

  function nudgeContent(turn: TurnRow, name: string, text: string, elapsed: number) {
    return {
      app: textCard(
        `客户消息待回复：${name}`,
        [`已等待 ${minutesLabel(elapsed)}（工作时间）`, `“${excerpt(text)}”`, '请尽快回复客户'],
        ctx.links.sidebar(turn.externalUserId),
        '去回复',
      ),
    };
  }

  function escalationContent(turn: TurnRow, name: string, repName: string, text: string, elapsed: number) {
    const body = [
      '**客户消息超时未回复**',
      `> 客户：${escapeMarkdown(name)}`,
      `> 跟进员工：${escapeMarkdown(repName)} ${mention(turn.userId)}`,
      `> 已等待：<font color="warning">${minutesLabel(elapsed)}</font>（工作时间）`,
      `> 客户消息：“${escapeMarkdown(excerpt(text))}”`,
    ].join('\n');
    return {
      robot: robotMarkdown(body),
      app: textCard(
        `客户消息超时未回复：${name}`,
        [`员工 ${repName} 已 ${minutesLabel(elapsed)} 未回复（工作时间）`, `“${excerpt(text)}”`],
        ctx.links.console(turn.externalUserId),
        '查看客户',
      ),
    };
  }
}
