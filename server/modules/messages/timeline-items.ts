import { and, eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { NewMessage } from './normalize.js';
import { chunks } from './repo.js';

/**
 * The sidebar's timeline shows a customer's messages among events and notes: each message of a rep ↔ customer chat
 * is also a `message` timeline item of that rep (source key `message:<id>`, so storing it again adds nothing). They
 * are written here in bulk, in the transaction that stores the messages (the timeline repo adds one item at a time),
 * and the timeline shows a rep only their own message items (timeline repo, `viewerUserId`).
 */
export function createTimelineWriter(db: Database) {
  const { timelineItems } = db.t;

  const payloadOf = (id: number, m: Pick<NewMessage, 'type' | 'direction' | 'source'>, recalled: boolean) => ({
    messageId: id,
    msgtype: m.type,
    direction: m.direction,
    source: m.source,
    recalled,
  });

  return {
    async addMessages(ex: Executor, corpId: string, items: Array<{ id: number; message: NewMessage }>): Promise<void> {
      const rows = items.map(({ id, message: m }) => ({
        corpId,
        externalUserId: m.externalUserId!,
        userId: m.userId,
        kind: 'message',
        content: m.text,
        payload: payloadOf(id, m, false),
        sourceKey: `message:${id}`,
        occurredAt: m.sentAt,
        createdAt: m.sentAt,
        updatedAt: m.sentAt,
      }));
      for (const part of chunks(rows, 500)) await ex.insert(timelineItems).values(part).onConflictDoNothing();
    },

    async markRecalled(ex: Executor, corpId: string, messageId: number, at: number): Promise<void> {
      const sourceKey = `message:${messageId}`;
      const [item] = await ex
        .select({ id: timelineItems.id, payload: timelineItems.payload })
        .from(timelineItems)
        .where(and(eq(timelineItems.corpId, corpId), eq(timelineItems.sourceKey, sourceKey)))
        .limit(1);
      if (!item) return;
      await ex
        .update(timelineItems)
        .set({ payload: { ...item.payload, recalled: true }, updatedAt: at })
        .where(eq(timelineItems.id, item.id));
    },
  };
}
export type TimelineWriter = ReturnType<typeof createTimelineWriter>;
