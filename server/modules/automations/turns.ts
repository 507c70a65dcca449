import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/database.js';
import { FEED_SETTLE_MS } from '../feed-cursors.js';
import { escapeMarkdown, mention, robotMarkdown, textCard } from '../notify/messages.js';
import { addWorkingMs, isWorkingTime, workingMsBetween, type Calendar } from '../work-calendar/calendar.js';
import {
  deliver,
  excerpt,
  minutesLabel,
  targetsOf,
  type AutomationContext,
  type Rules,
  type Targets,
} from './context.js';
import { compileIgnoreWords } from './ignorable.js';
import type { FeedMessage, TurnRow } from './repo.js';
import { inChat, planBatch, startsClock, type BatchFacts, type ChatMessage } from './turn-batch.js';

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

  /**
   * One batch of the feed, set-based: the chats' open turns, the messages that started turns before and the answers
   * already stored, read in a few statements; decided in message order in memory; written in a few statements.
   */
  async function readBatch(
    tx: Executor,
    corpId: string,
    rows: FeedMessage[],
    rules: Rules,
    cal: Calendar,
    ignorable: (type: string, text: string) => boolean,
  ): Promise<void> {
    const chat = rows.filter(inChat);
    if (chat.length === 0) return;
    const starters = chat.filter((m) => startsClock(m, ignorable)).map((m) => m.id);
    const open = await repo.openTurns(
      tx,
      corpId,
      chat.map((m) => m.conversationId),
    );
    const facts: BatchFacts = {
      open: new Map(open.map((t) => [t.conversationId, { id: t.id, startedAt: t.startedAt }])),
      started: await repo.turnStarters(tx, corpId, starters),
      replies: await repo.firstRepliesAfter(tx, starters),
    };
    const { nudgeAfterMinutes, escalateAfterMinutes } = rules.unreplied.config;
    const now = ctx.now();
    const plan = planBatch(
      corpId,
      chat,
      facts,
      {
        cal,
        nudgeMs: nudgeAfterMinutes * 60_000,
        escalateMs: escalateAfterMinutes * 60_000,
        remind: rules.unreplied.enabled,
        now,
      },
      ignorable,
    );
    // Answers first: a conversation's new open turn would collide with the open one it replaces.
    await repo.closeTurns(tx, plan.closes, now);
    const inserted = await repo.insertTurns(tx, plan.inserts);
    if (plan.offHours.length === 0 || !rules.off_hours.enabled || !rules.off_hours.recipients.rep) return;
    const turnOf = new Map(inserted.map((t) => [Number(t.startMessageId), Number(t.id)]));
    const opened = plan.offHours.filter((m) => turnOf.has(m.id));
    await suggestReplies(
      tx,
      corpId,
      opened.map((m) => ({ m, turnId: turnOf.get(m.id)! })),
      rules,
    );
  }

  /** Messages outside working hours: the rep gets a reply to send (the app cannot answer in the rep's chat). */
  async function suggestReplies(
    tx: Executor,
    corpId: string,
    opened: Array<{ m: ChatMessage; turnId: number }>,
    rules: Rules,
  ): Promise<void> {
    if (opened.length === 0) return;
    const names = await repo.customerNames(
      tx,
      corpId,
      opened.map(({ m }) => m.externalUserId),
    );
    for (const { m, turnId } of opened) {
      const queued = await deliver(
        ctx,
        tx,
        {
          corpId,
          key: `off_hours:turn:${turnId}`,
          kind: 'off_hours',
          ruleId: rules.off_hours.id,
          userId: m.userId,
          externalUserId: m.externalUserId,
        },
        { userIds: [m.userId], robotIds: [] },
        {
          app: textCard(
            `非工作时间消息：${names.get(m.externalUserId) ?? '客户'}`,
            [`客户在非工作时间发来：“${excerpt(m.text)}”`, `建议回复：${rules.off_hours.config.script}`],
            ctx.links.sidebar(m.externalUserId),
            '去回复',
          ),
        },
      );
      if (queued === 0) continue;
      await repo.addRun(tx, {
        corpId,
        ruleId: rules.off_hours.id,
        period: null,
        at: ctx.now(),
        outcome: 'fired',
        count: 1,
        detail: `非工作时间消息，已向员工 ${m.userId} 发送回复建议`,
      });
    }
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
            await readBatch(tx, corpId, rows, rules, cal, ignorable);
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
     * time (the server was down) is skipped, not sent. Set-based: the due turns are moved on and claimed a few
     * statements at a time; each notification is its own keyed row.
     */
    async remind(corpId: string, rules: Rules, cal: Calendar): Promise<void> {
      const rule = rules.unreplied;
      const now = ctx.now();
      const due = await repo.dueTurns(db, corpId, now, 500);
      if (due.length === 0) return;
      if (!rule.enabled) {
        await repo.moveTurns(
          db,
          due.map((t) => ({ id: t.id, nextDueAt: null })),
          { updatedAt: now },
        );
        return;
      }
      if (!isWorkingTime(cal, now)) return; // they wait for the next working moment
      const { fire, moves } = planReminders(due, rule.config, cal, now);
      await repo.moveTurns(db, moves, { updatedAt: now });
      if (fire.length === 0) return;
      const counts = await sendReminders(corpId, rule, fire, cal, now);
      if (counts.nudged + counts.escalated + counts.skipped === 0) return;
      await repo.addRun(db, {
        corpId,
        ruleId: rule.id,
        period: null,
        at: now,
        outcome: counts.nudged + counts.escalated > 0 ? 'fired' : 'skipped',
        count: counts.nudged + counts.escalated,
        detail: `提醒员工 ${counts.nudged} 次，上报 ${counts.escalated} 次${counts.skipped > 0 ? `，${counts.skipped} 条已过时未发送` : ''}`,
      });
    },
  };

  /** Claims the reminders in one transaction and queues a notification for each one claimed. */
  async function sendReminders(corpId: string, rule: Rules['unreplied'], fire: Reminder[], cal: Calendar, now: number) {
    const names = await repo.customerNames(
      db,
      corpId,
      fire.map((f) => f.turn.externalUserId),
    );
    const repNames = new Map((await repo.reps(db, corpId)).map((r) => [r.userId, r.name]));
    const texts = await repo.messageTexts(
      db,
      fire.map((f) => f.turn.startMessageId),
    );
    const targets = await reminderTargets(corpId, rule, fire);
    const counts = { nudged: 0, escalated: 0, skipped: 0 };
    await db.tx(async (tx) => {
      const claimed = await claimReminders(tx, rule, fire, cal, now);
      for (const f of fire) {
        if (!claimed.has(f.turn.id)) continue;
        if (f.late) {
          counts.skipped += 1;
          continue;
        }
        const { turn, stage, elapsed } = f;
        const name = names.get(turn.externalUserId) ?? '客户';
        const text = texts.get(turn.startMessageId) ?? '';
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
          targets.get(`${stage}:${turn.userId}`) ?? { userIds: [], robotIds: [] },
          content,
        );
        if (queued > 0) counts[stage === 'nudge' ? 'nudged' : 'escalated'] += 1;
      }
    });
    return counts;
  }

  /** Marks the reminders sent (another instance's pass may have): the ids this pass claimed. */
  async function claimReminders(tx: Executor, rule: Rules['unreplied'], fire: Reminder[], cal: Calendar, now: number) {
    const t = ctx.db.t.replyTurns;
    const untilEscalation = (rule.config.nudgeAfterMinutes + rule.config.escalateAfterMinutes) * 60_000;
    const nudged = await repo.moveTurns(
      tx,
      fire
        .filter((f) => f.stage === 'nudge')
        .map((f) => ({ id: f.turn.id, nextDueAt: addWorkingMs(cal, f.turn.startedAt, untilEscalation) })),
      { nudgedAt: now, updatedAt: now },
      and(isNull(t.nudgedAt), eq(t.status, 'open')),
    );
    const escalated = await repo.moveTurns(
      tx,
      fire.filter((f) => f.stage === 'escalate').map((f) => ({ id: f.turn.id, nextDueAt: null })),
      { escalatedAt: now, updatedAt: now },
      and(isNull(t.escalatedAt), eq(t.status, 'open')),
    );
    return new Set([...nudged, ...escalated]);
  }

  /** Who hears about each rep's reminders, per stage: resolved once per rep and stage in a pass (outside the tx). */
  async function reminderTargets(corpId: string, rule: Rules['unreplied'], fire: Reminder[]) {
    const out = new Map<string, Targets>();
    for (const { turn, stage, late } of fire) {
      const key = `${stage}:${turn.userId}`;
      if (late || out.has(key)) continue;
      const parts = stage === 'nudge' ? { managers: false, departmentRobot: false, extra: false } : { rep: false };
      out.set(key, await targetsOf(ctx, corpId, turn.userId, rule.recipients, parts));
    }
    return out;
  }

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

interface Reminder {
  turn: TurnRow;
  stage: 'nudge' | 'escalate';
  /** Working time since the customer's message. */
  elapsed: number;
  /** Later than `staleAfterMinutes` past its moment: claimed, not sent. */
  late: boolean;
}

/** Which due turns remind now, and the others' next moment (none left, or later after a settings change). */
function planReminders(
  due: TurnRow[],
  config: Rules['unreplied']['config'],
  cal: Calendar,
  now: number,
): { fire: Reminder[]; moves: Array<{ id: number; nextDueAt: number | null }> } {
  const n = config.nudgeAfterMinutes * 60_000;
  const m = config.escalateAfterMinutes * 60_000;
  const stale = config.staleAfterMinutes * 60_000;
  const fire: Reminder[] = [];
  const moves: Array<{ id: number; nextDueAt: number | null }> = [];
  for (const turn of due) {
    const stage = turn.nudgedAt === null ? 'nudge' : turn.escalatedAt === null ? 'escalate' : null;
    if (stage === null) {
      moves.push({ id: turn.id, nextDueAt: null });
      continue;
    }
    const elapsed = workingMsBetween(cal, turn.startedAt, now);
    const needed = stage === 'nudge' ? n : n + m;
    // The settings or the calendar changed since the turn opened: its moment is later.
    if (elapsed < needed) moves.push({ id: turn.id, nextDueAt: addWorkingMs(cal, turn.startedAt, needed) });
    else fire.push({ turn, stage, elapsed, late: elapsed - needed > stale });
  }
  return { fire, moves };
}
