import { and, asc, desc, eq, gt, inArray, lt, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { chunks } from '../messages/repo.js';
import { createEraser } from './erase.js';

/**
 * Everything stored about a customer, across every table that holds their id: read for an export, deleted for an
 * erasure (PIPL). This repo reaches into other domains' tables on purpose: an erasure that missed one would leave
 * the customer behind, so the list of tables lives in one place (test/integration/privacy-tables seeds a customer
 * into every table with an external_user_id column, found from the catalogue, and searches every column of every
 * table afterwards).
 *
 * At erasure, per table:
 * - deleted: contacts, follows, follow_tags, archive_consents, conversations, messages (the customer's 1:1 chats and
 *   what they said in groups), message_media and media_objects/files no other message uses, keyword_alerts, alerts,
 *   timeline_items (but the counted kinds below), tasks, customer_birthdays, orders, notifications about them (by
 *   column, key or body; sent or not), webhook_deliveries whose payload names them (delivered or not), learned_pairs
 *   (suggest.forgetCustomer, which also resyncs every instance's engine), finished events of their lane and finished
 *   jobs whose payload, key or result names them;
 * - anonymised (one `erased:<random>` pseudonym per erasure, so rows of one customer still pair up in joins), because
 *   dashboards and statistics count them: channel_movements and customer_movements (id and source key), script_sends,
 *   suggestion_feedback (also without the message), timeline notes and welcome outcomes (emptied, no due time),
 *   reply_turns (closed), automation_runs details that name them (the name replaced), audit_log entries that mention
 *   them (kept: who did what), group messages of others listing them among the receivers;
 * - kept: events and jobs still pending or running (they must run), the erasures record, the rollups (movement_daily,
 *   active_daily, rep_daily, behavior_daily, department_daily and the monthly sums movement_monthly, rep_monthly:
 *   reps, departments and days only).
 */
export function createPrivacyRepo(db: Database) {
  const t = db.t;
  const ofCustomer = <T extends { corpId: unknown; externalUserId: unknown }>(table: T, corpId: string, id: string) =>
    and(eq(table.corpId as never, corpId), eq(table.externalUserId as never, id)) as SQL;
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
     * Removes the customer from every table, in `ex` (one transaction). Rows that only describe the customer go;
     * rows that dashboards and statistics count are kept without anything that says who it was (the same pseudonym,
     * `erased:<random>`, for all of one erasure, so joins between them still pair up): channel and customer movements,
     * script sends, suggestion feedback, notes and welcome outcomes on the timeline, reply turns. The stored rollups
     * (the daily, department and monthly ones) name reps, departments and days only and are not touched, so past
     * figures stay; a later recount of a day from the sources keeps the anonymised rows. Messages and conversations
     * are deleted (a chat's content cannot be anonymised), so a recount of a day within the nightly window counts
     * without the erased customer's chats. Queue items still to be handled (events, jobs) stay, as they must run.
     * Returns what went and what was anonymised, per kind, and the media files no message refers to any more (the
     * caller deletes them once the transaction commits).
     */
    erase: createEraser(db, dropOrphanMedia),

    /** The customer's tasks, birthday, orders and the notifications about them (the export). */
    async tasks(ex: Executor, corpId: string, id: string) {
      return ex
        .select()
        .from(t.tasks)
        .where(ofCustomer(t.tasks, corpId, id))
        .orderBy(asc(t.tasks.id));
    },
    async birthday(ex: Executor, corpId: string, id: string) {
      const [row] = await ex
        .select()
        .from(t.customerBirthdays)
        .where(ofCustomer(t.customerBirthdays, corpId, id))
        .limit(1);
      return row;
    },
    async orders(ex: Executor, corpId: string, id: string) {
      return ex
        .select()
        .from(t.orders)
        .where(ofCustomer(t.orders, corpId, id))
        .orderBy(asc(t.orders.orderedAt), asc(t.orders.id));
    },
    async notifications(ex: Executor, corpId: string, id: string) {
      return ex
        .select({
          id: t.notifications.id,
          kind: t.notifications.kind,
          channel: t.notifications.channel,
          userId: t.notifications.userId,
          toUserIds: t.notifications.toUserIds,
          parts: t.notifications.parts,
          status: t.notifications.status,
          sentAt: t.notifications.sentAt,
          createdAt: t.notifications.createdAt,
        })
        .from(t.notifications)
        .where(ofCustomer(t.notifications, corpId, id))
        .orderBy(asc(t.notifications.id));
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
