import { and, asc, desc, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { MediaStatus } from '../../db/schema/messages.js';

export type MessageRow = Database['t']['messages']['$inferSelect'];
export type MessageInsert = Database['t']['messages']['$inferInsert'];
export type ConversationRow = Database['t']['conversations']['$inferSelect'];
export type MessageMediaRow = Database['t']['messageMedia']['$inferSelect'];

/** Keyset position in a history: (sent_at, id) of the oldest message of the previous page. */
export interface HistoryCursor {
  time: number;
  id: number;
}

/** IN lists and multi-row inserts go in chunks: SQLite binds at most 32,766 values per statement. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Messages, conversations and the media files of messages (drizzle only; the rules live in store.ts). */
export function createMessageRepo(db: Database) {
  const { messages, conversations, messageMedia, mediaObjects, reps, contacts, archiveConsents } = db.t;

  return {
    async existingMsgids(ex: Executor, corpId: string, msgids: string[]): Promise<Set<string>> {
      const found = new Set<string>();
      for (const part of chunks(msgids, 500)) {
        const rows = await ex
          .select({ msgid: messages.msgid })
          .from(messages)
          .where(and(eq(messages.corpId, corpId), inArray(messages.msgid, part)));
        for (const r of rows) found.add(r.msgid);
      }
      return found;
    },

    async byMsgids(ex: Executor, corpId: string, msgids: string[]): Promise<MessageRow[]> {
      const out: MessageRow[] = [];
      for (const part of chunks(msgids, 500)) {
        out.push(
          ...(await ex
            .select()
            .from(messages)
            .where(and(eq(messages.corpId, corpId), inArray(messages.msgid, part)))),
        );
      }
      return out;
    },

    async byIds(ex: Executor, ids: number[]): Promise<MessageRow[]> {
      const out: MessageRow[] = [];
      for (const part of chunks(ids, 500))
        out.push(...(await ex.select().from(messages).where(inArray(messages.id, part))));
      return out;
    },

    async find(ex: Executor, corpId: string, id: number): Promise<MessageRow | undefined> {
      const [row] = await ex
        .select()
        .from(messages)
        .where(and(eq(messages.corpId, corpId), eq(messages.id, id)))
        .limit(1);
      return row;
    },

    async conversationsByKeys(ex: Executor, corpId: string, keys: string[]): Promise<ConversationRow[]> {
      const out: ConversationRow[] = [];
      for (const part of chunks(keys, 500)) {
        out.push(
          ...(await ex
            .select()
            .from(conversations)
            .where(and(eq(conversations.corpId, corpId), inArray(conversations.key, part)))),
        );
      }
      return out;
    },

    async insertConversations(ex: Executor, rows: Database['t']['conversations']['$inferInsert'][]): Promise<void> {
      for (const part of chunks(rows, 500)) await ex.insert(conversations).values(part).onConflictDoNothing();
    },

    async conversation(ex: Executor, corpId: string, key: string): Promise<ConversationRow | undefined> {
      const [row] = await ex
        .select()
        .from(conversations)
        .where(and(eq(conversations.corpId, corpId), eq(conversations.key, key)))
        .limit(1);
      return row;
    },

    async conversationById(ex: Executor, id: number): Promise<ConversationRow | undefined> {
      const [row] = await ex.select().from(conversations).where(eq(conversations.id, id)).limit(1);
      return row;
    },

    /** The versions of conversations (what live streams poll). */
    async versions(ex: Executor, ids: number[]): Promise<Map<number, number>> {
      const out = new Map<number, number>();
      for (const part of chunks(ids, 500)) {
        const rows = await ex
          .select({ id: conversations.id, version: conversations.version })
          .from(conversations)
          .where(inArray(conversations.id, part));
        for (const r of rows) out.set(r.id, r.version);
      }
      return out;
    },

    async updateConversation(
      ex: Executor,
      id: number,
      set: Partial<Database['t']['conversations']['$inferInsert']>,
    ): Promise<void> {
      await ex.update(conversations).set(set).where(eq(conversations.id, id));
    },

    async insertMessages(ex: Executor, rows: MessageInsert[]): Promise<Array<{ id: number; msgid: string }>> {
      const out: Array<{ id: number; msgid: string }> = [];
      // 22 columns a row: 400 rows stay under SQLite's limit of bound values.
      for (const part of chunks(rows, 400)) {
        out.push(
          ...(await ex
            .insert(messages)
            .values(part)
            .onConflictDoNothing()
            .returning({ id: messages.id, msgid: messages.msgid })),
        );
      }
      return out;
    },

    async updateMessage(ex: Executor, id: number, set: Partial<MessageInsert>): Promise<void> {
      await ex.update(messages).set(set).where(eq(messages.id, id));
    },

    /** Sidebar sends of these conversations in a time window that no archived copy has claimed yet. */
    async unarchivedSidebarSends(
      ex: Executor,
      conversationIds: number[],
      from: number,
      to: number,
    ): Promise<MessageRow[]> {
      if (conversationIds.length === 0) return [];
      return ex
        .select()
        .from(messages)
        .where(
          and(
            inArray(messages.conversationId, conversationIds),
            sql`${messages.sentAt} BETWEEN ${from} AND ${to}`,
            isNull(messages.seq),
            eq(messages.source, 'sidebar'),
          ),
        )
        .orderBy(asc(messages.sentAt), asc(messages.id));
    },

    /** Archived messages a rep sent in a conversation in a time window that no sidebar send has claimed. */
    async unclaimedArchivedSends(
      ex: Executor,
      conversationId: number,
      sender: string,
      from: number,
      to: number,
    ): Promise<MessageRow[]> {
      return ex
        .select()
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, conversationId),
            sql`${messages.sentAt} BETWEEN ${from} AND ${to}`,
            eq(messages.source, 'archive'),
            eq(messages.sender, sender),
          ),
        )
        .orderBy(asc(messages.sentAt), asc(messages.id));
    },

    /** A conversation's history, newest first (the service reverses each page). */
    async history(
      ex: Executor,
      conversationId: number,
      opts: { limit: number; before?: HistoryCursor; match?: SQL },
    ): Promise<MessageRow[]> {
      const conditions: SQL[] = [eq(messages.conversationId, conversationId), sql`${messages.type} <> 'revoke'`];
      if (opts.before)
        conditions.push(sql`(${messages.sentAt}, ${messages.id}) < (${opts.before.time}, ${opts.before.id})`);
      if (opts.match) conditions.push(opts.match);
      return ex
        .select()
        .from(messages)
        .where(and(...conditions))
        .orderBy(desc(messages.sentAt), desc(messages.id))
        .limit(opts.limit);
    },

    /** Messages of a conversation changed after version `rev`, in the order they changed. */
    async changedSince(ex: Executor, conversationId: number, rev: number, limit: number): Promise<MessageRow[]> {
      return ex
        .select()
        .from(messages)
        .where(and(eq(messages.conversationId, conversationId), gt(messages.rev, rev)))
        .orderBy(asc(messages.rev), asc(messages.id))
        .limit(limit);
    },

    async insertMedia(
      ex: Executor,
      rows: Database['t']['messageMedia']['$inferInsert'][],
    ): Promise<Array<{ id: number; messageId: number }>> {
      const out: Array<{ id: number; messageId: number }> = [];
      for (const part of chunks(rows, 500)) {
        out.push(
          ...(await ex
            .insert(messageMedia)
            .values(part)
            .onConflictDoNothing()
            .returning({ id: messageMedia.id, messageId: messageMedia.messageId })),
        );
      }
      return out;
    },

    async mediaOf(ex: Executor, messageIds: number[]): Promise<MessageMediaRow[]> {
      const out: MessageMediaRow[] = [];
      for (const part of chunks(messageIds, 500)) {
        out.push(
          ...(await ex
            .select()
            .from(messageMedia)
            .where(inArray(messageMedia.messageId, part))
            .orderBy(asc(messageMedia.messageId), asc(messageMedia.position))),
        );
      }
      return out;
    },

    async mediaRef(ex: Executor, id: number): Promise<MessageMediaRow | undefined> {
      const [row] = await ex.select().from(messageMedia).where(eq(messageMedia.id, id)).limit(1);
      return row;
    },

    async setMediaStatus(
      ex: Executor,
      id: number,
      status: MediaStatus,
      patch: { hash?: string | null; error?: string | null },
      at: number,
    ): Promise<void> {
      await ex
        .update(messageMedia)
        .set({ status, ...patch, updatedAt: at })
        .where(eq(messageMedia.id, id));
    },

    async mediaObject(ex: Executor, corpId: string, hash: string) {
      const [row] = await ex
        .select()
        .from(mediaObjects)
        .where(and(eq(mediaObjects.corpId, corpId), eq(mediaObjects.hash, hash)))
        .limit(1);
      return row;
    },

    async putMediaObject(
      ex: Executor,
      row: { corpId: string; hash: string; size: number; mime: string; md5: string; createdAt: number },
    ): Promise<void> {
      await ex.insert(mediaObjects).values(row).onConflictDoNothing();
    },

    /** Messages referring to a media file, with their conversation (who may download it). */
    async messagesWithMedia(ex: Executor, corpId: string, hash: string, limit: number) {
      return ex
        .select({
          messageId: messages.id,
          userId: messages.userId,
          externalUserId: messages.externalUserId,
          conversationId: messages.conversationId,
          name: messageMedia.name,
          kind: messageMedia.kind,
        })
        .from(messageMedia)
        .innerJoin(messages, eq(messages.id, messageMedia.messageId))
        .where(and(eq(messageMedia.corpId, corpId), eq(messageMedia.hash, hash)))
        .limit(limit);
    },

    async repNames(ex: Executor, corpId: string, userIds: string[]): Promise<Map<string, string>> {
      if (userIds.length === 0) return new Map();
      const rows = await ex
        .select({ id: reps.userId, name: reps.name })
        .from(reps)
        .where(and(eq(reps.corpId, corpId), inArray(reps.userId, userIds)));
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async contactNames(ex: Executor, corpId: string, ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await ex
        .select({ id: contacts.externalUserId, name: contacts.name })
        .from(contacts)
        .where(and(eq(contacts.corpId, corpId), inArray(contacts.externalUserId, ids)));
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async consent(ex: Executor, corpId: string, userId: string, externalUserId: string) {
      const [row] = await ex
        .select({ status: archiveConsents.status, changedAt: archiveConsents.changedAt })
        .from(archiveConsents)
        .where(
          and(
            eq(archiveConsents.corpId, corpId),
            eq(archiveConsents.userId, userId),
            eq(archiveConsents.externalUserId, externalUserId),
          ),
        )
        .limit(1);
      return row;
    },

    async memberIds(ex: Executor, corpId: string): Promise<Set<string>> {
      const rows = await ex.select({ id: reps.userId }).from(reps).where(eq(reps.corpId, corpId));
      return new Set(rows.map((r) => r.id));
    },
  };
}
export type MessageRepo = ReturnType<typeof createMessageRepo>;
