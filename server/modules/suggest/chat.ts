import { and, desc, eq, gte, inArray, lt, lte, or } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';

/** A customer's message as suggestions and learning use it. */
export interface ChatMessage {
  id: number;
  text: string;
  sentAt: number;
}

/** A message of the chat tables, as archive learning reads it. */
export interface StoredChatMessage extends ChatMessage {
  conversationId: number | null;
  direction: string;
  type: string;
  source: string;
  recalled: boolean;
  userId: string | null;
  externalUserId: string | null;
}

/**
 * What the suggestions read of the chat tables (server/db/schema/messages.ts, written by the messages and archive
 * modules): a rep's 1:1 chat with a customer is the conversation `single:<userId>:<externalUserId>`. Read only.
 */
export interface ChatReader {
  /** The customer's latest text messages in the rep's chat, newest first, none after `before` or before `since`. */
  customerMessages(
    ex: Executor,
    corpId: string,
    userId: string,
    externalUserId: string,
    options: { limit: number; before?: number; since?: number },
  ): Promise<ChatMessage[]>;
  /** One of the customer's messages in the rep's chat, if it is one. */
  customerMessage(
    ex: Executor,
    corpId: string,
    userId: string,
    externalUserId: string,
    id: number,
  ): Promise<ChatMessage | undefined>;
  /** Messages by id (archive learning). */
  byIds(ex: Executor, corpId: string, ids: number[]): Promise<StoredChatMessage[]>;
  /** The customer's latest text message in a conversation at or before `at` and not before `since`. */
  /**
   * The customer's last text message before the message `before` (its time, and its id for messages of the same
   * time: the archive stores a batch in seq order), no older than `since`.
   */
  customerMessageBefore(
    ex: Executor,
    conversationId: number,
    before: { at: number; id: number },
    since: number,
  ): Promise<ChatMessage | undefined>;
}

export function createChatReader(db: Database): ChatReader {
  const { conversations, messages } = db.t;
  const conversationKey = (userId: string, externalUserId: string) => `single:${userId}:${externalUserId}`;
  const fromCustomer = and(
    eq(messages.direction, 'customer_to_rep'),
    eq(messages.type, 'text'),
    eq(messages.recalled, false),
  );
  const columns = { id: messages.id, text: messages.text, sentAt: messages.sentAt };

  async function conversationId(ex: Executor, corpId: string, userId: string, externalUserId: string) {
    const [row] = await ex
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.corpId, corpId), eq(conversations.key, conversationKey(userId, externalUserId))))
      .limit(1);
    return row?.id;
  }

  return {
    async customerMessages(ex, corpId, userId, externalUserId, options) {
      const id = await conversationId(ex, corpId, userId, externalUserId);
      if (id === undefined) return [];
      return ex
        .select(columns)
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, id),
            fromCustomer,
            options.before !== undefined ? lte(messages.sentAt, options.before) : undefined,
            options.since !== undefined ? gte(messages.sentAt, options.since) : undefined,
          ),
        )
        .orderBy(desc(messages.sentAt), desc(messages.id))
        .limit(options.limit);
    },

    async customerMessage(ex, corpId, userId, externalUserId, id) {
      const conversation = await conversationId(ex, corpId, userId, externalUserId);
      if (conversation === undefined) return undefined;
      const [row] = await ex
        .select(columns)
        .from(messages)
        .where(and(eq(messages.id, id), eq(messages.conversationId, conversation), fromCustomer))
        .limit(1);
      return row;
    },

    async byIds(ex, corpId, ids) {
      if (ids.length === 0) return [];
      // By primary key only, the corp checked on the rows: with `corp_id = ?` in the statement SQLite walked the
      // corp's every message through `messages_time` (230 ms a batch at 2 M messages) instead of the ids.
      const rows = await ex
        .select({
          corpId: messages.corpId,
          ...columns,
          conversationId: messages.conversationId,
          direction: messages.direction,
          type: messages.type,
          source: messages.source,
          recalled: messages.recalled,
          userId: messages.userId,
          externalUserId: messages.externalUserId,
        })
        .from(messages)
        .where(inArray(messages.id, ids));
      return rows.flatMap(({ corpId: corp, ...row }) => (corp === corpId ? [row] : []));
    },

    async customerMessageBefore(ex, conversation, before, since) {
      const [row] = await ex
        .select(columns)
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, conversation),
            fromCustomer,
            or(lt(messages.sentAt, before.at), and(eq(messages.sentAt, before.at), lt(messages.id, before.id))),
            gte(messages.sentAt, since),
          ),
        )
        .orderBy(desc(messages.sentAt), desc(messages.id))
        .limit(1);
      return row;
    },
  };
}
