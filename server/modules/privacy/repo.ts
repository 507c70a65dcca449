import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNotNull, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { chunks } from '../messages/repo.js';

/**
 * Everything stored about a customer, across every table that holds their id: read for an export, deleted for an
 * erasure (PIPL). This repo reaches into other domains' tables on purpose: an erasure that missed one would leave
 * the customer behind, so the list of tables lives in one place (and test/integration/privacy checks it).
 */
export function createPrivacyRepo(db: Database) {
  const t = db.t;
  const ofCustomer = <T extends { corpId: unknown; externalUserId: unknown }>(table: T, corpId: string, id: string) =>
    and(eq(table.corpId as never, corpId), eq(table.externalUserId as never, id)) as SQL;
  const customerMessages = (corpId: string, id: string) =>
    db
      .select({ id: t.messages.id })
      .from(t.messages)
      .where(and(eq(t.messages.corpId, corpId), eq(t.messages.externalUserId, id)));

  /** Media objects of `hashes` that no message refers to any more: their rows go, their files are returned. */
  async function dropOrphanMedia(ex: Executor, corpId: string, hashes: string[]): Promise<string[]> {
    const orphans: string[] = [];
    for (const part of chunks([...new Set(hashes)], 500)) {
      const still = await ex
        .selectDistinct({ hash: t.messageMedia.hash })
        .from(t.messageMedia)
        .where(and(eq(t.messageMedia.corpId, corpId), inArray(t.messageMedia.hash, part)));
      const used = new Set(still.map((r) => r.hash));
      const gone = part.filter((h) => !used.has(h));
      if (gone.length === 0) continue;
      const deleted = await ex
        .delete(t.mediaObjects)
        .where(and(eq(t.mediaObjects.corpId, corpId), inArray(t.mediaObjects.hash, gone)))
        .returning({ hash: t.mediaObjects.hash });
      orphans.push(...deleted.map((r) => r.hash));
    }
    return orphans;
  }

  const count = (rows: unknown[]) => rows.length;

  return {
    dropOrphanMedia,

    async contact(ex: Executor, corpId: string, id: string) {
      const [row] = await ex
        .select()
        .from(t.contacts)
        .where(ofCustomer(t.contacts, corpId, id))
        .limit(1);
      return row;
    },
    async follows(ex: Executor, corpId: string, id: string) {
      return ex
        .select()
        .from(t.follows)
        .where(ofCustomer(t.follows, corpId, id))
        .orderBy(asc(t.follows.id));
    },
    async followTags(ex: Executor, corpId: string, id: string) {
      return ex
        .select({
          userId: t.followTags.userId,
          tagId: t.followTags.tagId,
          name: t.tags.name,
          createdAt: t.followTags.createdAt,
        })
        .from(t.followTags)
        .leftJoin(t.tags, and(eq(t.tags.corpId, t.followTags.corpId), eq(t.tags.tagId, t.followTags.tagId)))
        .where(ofCustomer(t.followTags, corpId, id));
    },
    async consents(ex: Executor, corpId: string, id: string) {
      return ex
        .select()
        .from(t.archiveConsents)
        .where(ofCustomer(t.archiveConsents, corpId, id));
    },
    async timelinePage(ex: Executor, corpId: string, id: string, afterId: number, limit: number) {
      return ex
        .select()
        .from(t.timelineItems)
        .where(and(ofCustomer(t.timelineItems, corpId, id), gt(t.timelineItems.id, afterId)))
        .orderBy(asc(t.timelineItems.id))
        .limit(limit);
    },
    async messagePage(ex: Executor, corpId: string, id: string, afterId: number, limit: number) {
      return ex
        .select()
        .from(t.messages)
        .where(and(eq(t.messages.corpId, corpId), eq(t.messages.externalUserId, id), gt(t.messages.id, afterId)))
        .orderBy(asc(t.messages.id))
        .limit(limit);
    },
    /** The stored media files of the customer's messages. */
    async mediaOf(ex: Executor, corpId: string, id: string) {
      return ex
        .selectDistinct({ hash: t.mediaObjects.hash, mime: t.mediaObjects.mime, size: t.mediaObjects.size })
        .from(t.messageMedia)
        .innerJoin(t.messages, eq(t.messages.id, t.messageMedia.messageId))
        .innerJoin(
          t.mediaObjects,
          and(eq(t.mediaObjects.corpId, t.messageMedia.corpId), eq(t.mediaObjects.hash, t.messageMedia.hash)),
        )
        .where(and(eq(t.messages.corpId, corpId), eq(t.messages.externalUserId, id)));
    },

    /**
     * Deletes the customer's rows everywhere, in `ex` (one transaction); returns what went, per kind, and the media
     * files no message refers to any more (the caller deletes them once the transaction commits).
     */
    async erase(
      ex: Executor,
      corpId: string,
      id: string,
    ): Promise<{ counts: Record<string, number>; files: string[] }> {
      const counts: Record<string, number> = {};
      const hashes = await ex
        .selectDistinct({ hash: t.messageMedia.hash })
        .from(t.messageMedia)
        .where(and(inArray(t.messageMedia.messageId, customerMessages(corpId, id)), isNotNull(t.messageMedia.hash)));
      counts.keywordAlerts = count(
        await ex
          .delete(t.keywordAlerts)
          .where(
            sql`${inArray(t.keywordAlerts.messageId, customerMessages(corpId, id))} OR (${ofCustomer(t.keywordAlerts, corpId, id)})`,
          )
          .returning({ id: t.keywordAlerts.id }),
      );
      counts.mediaReferences = count(
        await ex
          .delete(t.messageMedia)
          .where(inArray(t.messageMedia.messageId, customerMessages(corpId, id)))
          .returning({ id: t.messageMedia.id }),
      );
      counts.messages = count(
        await ex
          .delete(t.messages)
          .where(and(eq(t.messages.corpId, corpId), eq(t.messages.externalUserId, id)))
          .returning({ id: t.messages.id }),
      );
      counts.conversations = count(
        await ex
          .delete(t.conversations)
          .where(ofCustomer(t.conversations, corpId, id))
          .returning({ id: t.conversations.id }),
      );
      const files = await dropOrphanMedia(
        ex,
        corpId,
        hashes.flatMap((h) => (h.hash ? [h.hash] : [])),
      );
      counts.mediaFiles = files.length;
      counts.timelineItems = count(
        await ex
          .delete(t.timelineItems)
          .where(ofCustomer(t.timelineItems, corpId, id))
          .returning({ id: t.timelineItems.id }),
      );
      counts.tags = count(
        await ex
          .delete(t.followTags)
          .where(ofCustomer(t.followTags, corpId, id))
          .returning({ tag: t.followTags.tagId }),
      );
      counts.follows = count(
        await ex
          .delete(t.follows)
          .where(ofCustomer(t.follows, corpId, id))
          .returning({ id: t.follows.id }),
      );
      counts.profile = count(
        await ex
          .delete(t.contacts)
          .where(ofCustomer(t.contacts, corpId, id))
          .returning({ id: t.contacts.externalUserId }),
      );
      counts.consents = count(
        await ex
          .delete(t.archiveConsents)
          .where(ofCustomer(t.archiveConsents, corpId, id))
          .returning({ id: t.archiveConsents.userId }),
      );
      counts.alerts = count(
        await ex
          .delete(t.alerts)
          .where(ofCustomer(t.alerts, corpId, id))
          .returning({ id: t.alerts.id }),
      );
      counts.scriptSends = count(
        await ex
          .delete(t.scriptSends)
          .where(ofCustomer(t.scriptSends, corpId, id))
          .returning({ id: t.scriptSends.id }),
      );
      // Channel statistics keep their counts; the row no longer says who it was.
      counts.channelMovements = count(
        await ex
          .update(t.channelMovements)
          .set({ externalUserId: `erased:${randomBytes(12).toString('hex')}` })
          .where(ofCustomer(t.channelMovements, corpId, id))
          .returning({ id: t.channelMovements.id }),
      );
      // WeCom's callbacks about the customer (their raw XML names them); ones still to be handled stay.
      counts.events = count(
        await ex
          .delete(t.events)
          .where(
            and(
              eq(t.events.corpId, corpId),
              eq(t.events.lane, `${corpId}|${id}`),
              notInArray(t.events.status, ['pending', 'running']),
            ),
          )
          .returning({ id: t.events.id }),
      );
      const payloadText = db.backend === 'postgres' ? sql`${t.jobs.payload}::text` : sql`${t.jobs.payload}`;
      counts.jobs = count(
        await ex
          .delete(t.jobs)
          .where(
            and(
              eq(t.jobs.corpId, corpId),
              notInArray(t.jobs.status, ['pending', 'running']),
              // External ids are 32 random characters: a substring match does not catch anyone else.
              sql`(${payloadText} LIKE ${`%${id}%`} OR ${t.jobs.dedupeKey} LIKE ${`%${id}%`})`,
            ),
          )
          .returning({ id: t.jobs.id }),
      );
      return { counts, files };
    },

    async addErasure(ex: Executor, row: Database['t']['erasures']['$inferInsert']) {
      const [created] = await ex.insert(t.erasures).values(row).returning();
      return created!;
    },
    async erasures(ex: Executor, corpId: string, limit: number) {
      return ex
        .select()
        .from(t.erasures)
        .where(eq(t.erasures.corpId, corpId))
        .orderBy(desc(t.erasures.erasedAt), desc(t.erasures.id))
        .limit(limit);
    },

    /** Deletes up to `limit` messages sent before `before`, with what hangs on them; returns them and orphaned files. */
    async expire(ex: Executor, corpId: string, before: number, limit: number) {
      const batch = await ex
        .select({ id: t.messages.id })
        .from(t.messages)
        .where(and(eq(t.messages.corpId, corpId), lt(t.messages.sentAt, before)))
        .limit(limit);
      const ids = batch.map((r) => r.id);
      if (ids.length === 0) return { messages: 0, files: [] as string[] };
      await ex.delete(t.keywordAlerts).where(inArray(t.keywordAlerts.messageId, ids));
      const media = await ex
        .delete(t.messageMedia)
        .where(inArray(t.messageMedia.messageId, ids))
        .returning({ hash: t.messageMedia.hash });
      await ex.delete(t.timelineItems).where(
        and(
          eq(t.timelineItems.corpId, corpId),
          inArray(
            t.timelineItems.sourceKey,
            ids.map((id) => `message:${id}`),
          ),
        ),
      );
      await ex.delete(t.messages).where(inArray(t.messages.id, ids));
      const files = await dropOrphanMedia(
        ex,
        corpId,
        media.flatMap((m) => (m.hash ? [m.hash] : [])),
      );
      return { messages: ids.length, files };
    },
  };
}
export type PrivacyRepo = ReturnType<typeof createPrivacyRepo>;
