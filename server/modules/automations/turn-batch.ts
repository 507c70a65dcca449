import { addWorkingMs, isWorkingTime, workingMsBetween, type Calendar } from '../work-calendar/calendar.js';
import type { FeedMessage, NewTurn } from './repo.js';

/** A message of a rep's 1:1 chat with a customer: the only messages turns follow. */
export type ChatMessage = FeedMessage & { conversationId: number; userId: string; externalUserId: string };

export function inChat(m: FeedMessage): m is ChatMessage {
  return m.roomId === null && m.conversationId !== null && !!m.userId && !!m.externalUserId && m.action === 'send';
}

/** A customer's message that starts the clock when nothing is waiting: not recalled, not an ignore-word. */
export function startsClock(m: ChatMessage, ignorable: (type: string, text: string) => boolean): boolean {
  return m.direction === 'customer_to_rep' && !m.recalled && !ignorable(m.type, m.text);
}

/** What the database knows about a batch's chats, read in a few statements before the batch is decided. */
export interface BatchFacts {
  /** The open turn of each conversation, by conversation id. */
  open: Map<number, { id: number; startedAt: number }>;
  /** Messages of the batch that started a turn already (read before). */
  started: Set<number>;
  /** The rep's first answer after each customer message of the batch, by the customer message's id. */
  replies: Map<number, { id: number; sentAt: number }>;
}

export interface TurnClose {
  id: number;
  repliedAt: number;
  replyMessageId: number;
  replyWorkingMs: number;
}

export interface BatchPlan {
  /** Open turns (from before the batch) that a rep's message of the batch answered; written first. */
  closes: TurnClose[];
  /** New turns, in message order. */
  inserts: NewTurn[];
  /** Customer messages whose turn opened unanswered outside working hours (a reply suggestion for the rep). */
  offHours: ChatMessage[];
}

/**
 * Decides a batch of the feed in message order, as reading it one message at a time would: a rep's message answers
 * the conversation's open turn if it started before it; a customer's message starts a turn when none is open (and
 * it did not start one before) — answered at once when the rep's answer is already stored (the feed read it late).
 */
export function planBatch(
  corpId: string,
  messages: ChatMessage[],
  facts: BatchFacts,
  s: { cal: Calendar; nudgeMs: number; escalateMs: number; remind: boolean; now: number },
  ignorable: (type: string, text: string) => boolean,
): BatchPlan {
  const plan: BatchPlan = { closes: [], inserts: [], offHours: [] };
  // Per conversation, the open turn: one from before the batch (id) or one this batch opens (its row).
  const open = new Map<number, { startedAt: number; id?: number; row?: NewTurn }>(facts.open);
  for (const m of messages) {
    const waiting = open.get(m.conversationId);
    if (m.direction === 'rep_to_customer') {
      if (!waiting || waiting.startedAt > m.sentAt) continue;
      const answer = { repliedAt: m.sentAt, replyMessageId: m.id, replyWorkingMs: 0 };
      answer.replyWorkingMs = workingMsBetween(s.cal, waiting.startedAt, m.sentAt);
      if (waiting.row) Object.assign(waiting.row, { status: 'replied', ...answer, nextDueAt: null });
      else plan.closes.push({ id: waiting.id!, ...answer });
      open.delete(m.conversationId);
      continue;
    }
    if (!startsClock(m, ignorable) || waiting || facts.started.has(m.id)) continue;
    const row = newTurn(corpId, m, facts.replies.get(m.id), s);
    plan.inserts.push(row);
    if (row.status === 'replied') continue;
    open.set(m.conversationId, { startedAt: m.sentAt, row });
    if (row.offHours) plan.offHours.push(m);
  }
  return plan;
}

function newTurn(
  corpId: string,
  m: ChatMessage,
  reply: { id: number; sentAt: number } | undefined,
  s: { cal: Calendar; nudgeMs: number; escalateMs: number; remind: boolean; now: number },
): NewTurn {
  const nudgeAt = addWorkingMs(s.cal, m.sentAt, s.nudgeMs);
  return {
    corpId,
    conversationId: m.conversationId,
    userId: m.userId,
    externalUserId: m.externalUserId,
    startedAt: m.sentAt,
    startMessageId: m.id,
    offHours: !isWorkingTime(s.cal, m.sentAt),
    nudgeAt,
    escalateAt: addWorkingMs(s.cal, m.sentAt, s.nudgeMs + s.escalateMs),
    // Read late (the archive arrived in one batch, or the feed read it again): the rep answered already. The turn is
    // recorded as answered, for the reply figures, and reminds nobody.
    ...(reply
      ? {
          status: 'replied' as const,
          repliedAt: reply.sentAt,
          replyMessageId: reply.id,
          replyWorkingMs: workingMsBetween(s.cal, m.sentAt, reply.sentAt),
          nextDueAt: null,
        }
      : { status: 'open' as const, nextDueAt: s.remind ? nudgeAt : null }),
    createdAt: s.now,
    updatedAt: s.now,
  };
}
