import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNotNull, lt, notInArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { chunks } from '../messages/repo.js';

/** Timeline kinds the dashboards count (notes written; welcome sent or missed): anonymised at erasure, not deleted. */
const COUNTED_TIMELINE_KINDS = ['note', 'welcome_sent', 'welcome_skipped'];

/** `text` for a LIKE pattern with `ESCAPE '\'`: its wildcards match themselves only. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

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
 *   active_daily, rep_daily, behavior_daily: reps and days only).
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
  /** A column as text (JSON columns are jsonb on PostgreSQL). */
  const asText = (column: SQL | AnyColumn) => (db.backend === 'postgres' ? sql`${column}::text` : sql`${column}`);

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
     * (movement_daily, active_daily, rep_daily, behavior_daily) name reps and days only and are not touched, so past
     * figures stay; a later recount of a day from the sources keeps the anonymised rows. Messages and conversations
     * are deleted (a chat's content cannot be anonymised), so a recount of a day within the nightly window counts
     * without the erased customer's chats. Queue items still to be handled (events, jobs) stay, as they must run.
     * Returns what went and what was anonymised, per kind, and the media files no message refers to any more (the
     * caller deletes them once the transaction commits).
     */
    async erase(
      ex: Executor,
      corpId: string,
      id: string,
    ): Promise<{ deleted: Record<string, number>; anonymised: Record<string, number>; files: string[] }> {
      const deleted: Record<string, number> = {};
      const anonymised: Record<string, number> = {};
      const pseudonym = `erased:${randomBytes(12).toString('hex')}`;
      const like = `%${id}%`;
      // External ids are 32 random characters: a substring match does not catch anyone else.
      const mentions = (column: SQL | AnyColumn) => sql`${asText(column)} LIKE ${like}`;
      const rewrite = (column: AnyColumn) => sql`replace(${column}, ${id}, ${pseudonym})`;
      const rewriteJson = (column: AnyColumn) =>
        db.backend === 'postgres'
          ? sql`replace(${column}::text, ${id}, ${pseudonym})::jsonb`
          : sql`replace(${column}, ${id}, ${pseudonym})`;

      // What later steps need to find the customer's mentions by name (run logs) before the rows naming them go.
      const [contact] = await ex
        .select({ name: t.contacts.name })
        .from(t.contacts)
        .where(ofCustomer(t.contacts, corpId, id))
        .limit(1);
      const follows = await ex
        .select({ userId: t.follows.userId, remark: t.follows.remark, lostAt: t.follows.lostAt })
        .from(t.follows)
        .where(ofCustomer(t.follows, corpId, id));
      const orderIds = (
        await ex
          .select({ orderId: t.orders.orderId })
          .from(t.orders)
          .where(ofCustomer(t.orders, corpId, id))
      ).map((o) => o.orderId);

      const hashes = await ex
        .selectDistinct({ hash: t.messageMedia.hash })
        .from(t.messageMedia)
        .where(and(inArray(t.messageMedia.messageId, customerMessages(corpId, id)), isNotNull(t.messageMedia.hash)));
      deleted.keywordAlerts = count(
        await ex
          .delete(t.keywordAlerts)
          .where(
            sql`${inArray(t.keywordAlerts.messageId, customerMessages(corpId, id))} OR (${ofCustomer(t.keywordAlerts, corpId, id)})`,
          )
          .returning({ id: t.keywordAlerts.id }),
      );
      deleted.mediaReferences = count(
        await ex
          .delete(t.messageMedia)
          .where(inArray(t.messageMedia.messageId, customerMessages(corpId, id)))
          .returning({ id: t.messageMedia.id }),
      );
      deleted.messages = count(
        await ex
          .delete(t.messages)
          .where(and(eq(t.messages.corpId, corpId), eq(t.messages.externalUserId, id)))
          .returning({ id: t.messages.id }),
      );
      // Group messages of others list every member as a receiver, the customer too: the list keeps its length.
      // (A scan of the corp's group messages: erasure is rare, and the list is not indexed.)
      anonymised.groupMessageReceivers = count(
        await ex
          .update(t.messages)
          .set({ receivers: rewriteJson(t.messages.receivers) as never })
          .where(and(eq(t.messages.corpId, corpId), isNotNull(t.messages.roomId), mentions(t.messages.receivers)))
          .returning({ id: t.messages.id }),
      );
      deleted.conversations = count(
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
      deleted.mediaFiles = files.length;

      // The timeline: notes (notes written per rep) and welcome outcomes (welcome rates, joined on their event) are
      // counted, so they stay as empty items of the pseudonym; everything else about the customer goes.
      anonymised.timelineItems = count(
        await ex
          .update(t.timelineItems)
          .set({
            externalUserId: pseudonym,
            content: '',
            payload: {},
            dueAt: null,
            sourceKey: rewrite(t.timelineItems.sourceKey) as never,
          })
          .where(and(ofCustomer(t.timelineItems, corpId, id), inArray(t.timelineItems.kind, COUNTED_TIMELINE_KINDS)))
          .returning({ id: t.timelineItems.id }),
      );
      deleted.timelineItems = count(
        await ex
          .delete(t.timelineItems)
          .where(ofCustomer(t.timelineItems, corpId, id))
          .returning({ id: t.timelineItems.id }),
      );
      deleted.tags = count(
        await ex
          .delete(t.followTags)
          .where(ofCustomer(t.followTags, corpId, id))
          .returning({ tag: t.followTags.tagId }),
      );
      deleted.follows = count(
        await ex
          .delete(t.follows)
          .where(ofCustomer(t.follows, corpId, id))
          .returning({ id: t.follows.id }),
      );
      deleted.profile = count(
        await ex
          .delete(t.contacts)
          .where(ofCustomer(t.contacts, corpId, id))
          .returning({ id: t.contacts.externalUserId }),
      );
      deleted.consents = count(
        await ex
          .delete(t.archiveConsents)
          .where(ofCustomer(t.archiveConsents, corpId, id))
          .returning({ id: t.archiveConsents.userId }),
      );
      deleted.alerts = count(
        await ex
          .delete(t.alerts)
          .where(ofCustomer(t.alerts, corpId, id))
          .returning({ id: t.alerts.id }),
      );
      // Scripts sent per rep (dashboards) count these rows.
      anonymised.scriptSends = count(
        await ex
          .update(t.scriptSends)
          .set({ externalUserId: pseudonym })
          .where(ofCustomer(t.scriptSends, corpId, id))
          .returning({ id: t.scriptSends.id }),
      );
      // Channel statistics and the dashboards' adds, losses and retention count movements: the rows stay, no longer
      // saying who it was (one pseudonym for all, so a loss still pairs with its add). Their keys may hold the id.
      anonymised.channelMovements = count(
        await ex
          .update(t.channelMovements)
          .set({ externalUserId: pseudonym, sourceKey: rewrite(t.channelMovements.sourceKey) as never })
          .where(ofCustomer(t.channelMovements, corpId, id))
          .returning({ id: t.channelMovements.id }),
      );
      anonymised.customerMovements = count(
        await ex
          .update(t.customerMovements)
          .set({ externalUserId: pseudonym, sourceKey: rewrite(t.customerMovements.sourceKey) as never })
          .where(ofCustomer(t.customerMovements, corpId, id))
          .returning({ id: t.customerMovements.id }),
      );
      // Reply turns are reply-rate history: kept, closed (no reminder about someone erased), without the customer.
      anonymised.replyTurns = count(
        await ex
          .update(t.replyTurns)
          .set({
            externalUserId: pseudonym,
            status:
              sql`CASE WHEN ${t.replyTurns.status} = 'open' THEN 'closed' ELSE ${t.replyTurns.status} END` as never,
            nextDueAt: null,
          })
          .where(ofCustomer(t.replyTurns, corpId, id))
          .returning({ id: t.replyTurns.id }),
      );
      // Suggestion adoption per rep counts feedback rows: kept without the customer or their message. The suggest
      // module then forgets what the customer's messages taught (the caller runs it in this transaction).
      anonymised.suggestionFeedback = count(
        await ex
          .update(t.suggestionFeedback)
          .set({
            externalUserId: pseudonym,
            messageKey: sql`'erased:' || CAST(${t.suggestionFeedback.id} AS TEXT)` as never,
            messageId: null,
            message: '',
          })
          .where(ofCustomer(t.suggestionFeedback, corpId, id))
          .returning({ id: t.suggestionFeedback.id }),
      );

      // Automations: the rep's tasks about the customer, their birthday, orders pushed by integrations, notifications
      // about them (sent or not: one still waiting must not name them; its send job finds it gone), webhook
      // deliveries whose payload names them (likewise).
      deleted.tasks = count(
        await ex
          .delete(t.tasks)
          .where(ofCustomer(t.tasks, corpId, id))
          .returning({ id: t.tasks.id }),
      );
      deleted.birthday = count(
        await ex
          .delete(t.customerBirthdays)
          .where(ofCustomer(t.customerBirthdays, corpId, id))
          .returning({ id: t.customerBirthdays.externalUserId }),
      );
      deleted.orders = count(
        await ex
          .delete(t.orders)
          .where(ofCustomer(t.orders, corpId, id))
          .returning({ id: t.orders.id }),
      );
      deleted.notifications = count(
        await ex
          .delete(t.notifications)
          .where(
            and(
              eq(t.notifications.corpId, corpId),
              sql`(${eq(t.notifications.externalUserId, id)} OR ${mentions(t.notifications.key)} OR ${mentions(t.notifications.parts)})`,
            ),
          )
          .returning({ id: t.notifications.id }),
      );
      deleted.webhookDeliveries = count(
        await ex
          .delete(t.webhookDeliveries)
          .where(
            and(
              eq(t.webhookDeliveries.corpId, corpId),
              sql`(${mentions(t.webhookDeliveries.payload)} OR ${mentions(t.webhookDeliveries.eventId)})`,
            ),
          )
          .returning({ id: t.webhookDeliveries.id }),
      );
      // Rule run logs name the customer in words (客户 王芳 删除了员工 李娜; 客户 王芳 复购（订单 A1）): the runs stay
      // (they are counted), the name goes. Matched narrowly: the order ids, or a loss of one of their reps since then.
      const names = [...new Set([contact?.name, ...follows.map((f) => f.remark)].filter((n): n is string => !!n))];
      const repNames = new Map(
        (
          await ex.select({ userId: t.reps.userId, name: t.reps.name }).from(t.reps).where(eq(t.reps.corpId, corpId))
        ).map((r) => [r.userId, r.name]),
      );
      const runPatterns: SQL[] = [];
      for (const name of names) {
        for (const orderId of orderIds) {
          runPatterns.push(
            sql`${t.automationRuns.detail} LIKE ${`客户 ${escapeLike(name)} 复购（订单 ${escapeLike(orderId)}）%`} ESCAPE '\\'`,
          );
        }
        for (const f of follows) {
          if (f.lostAt === null) continue;
          const rep = escapeLike(repNames.get(f.userId) ?? f.userId);
          runPatterns.push(
            sql`(${t.automationRuns.at} >= ${f.lostAt} AND ${t.automationRuns.detail} LIKE ${`客户 ${escapeLike(name)} 删除了员工 ${rep}，%`} ESCAPE '\\')`,
          );
        }
      }
      anonymised.automationRuns = 0;
      for (const part of chunks(runPatterns, 200)) {
        let detail: SQL = sql`${t.automationRuns.detail}`;
        for (const name of names) detail = sql`replace(${detail}, ${`客户 ${name} `}, '客户（已删除） ')`;
        anonymised.automationRuns += count(
          await ex
            .update(t.automationRuns)
            .set({ detail: detail as never })
            .where(and(eq(t.automationRuns.corpId, corpId), sql`(${sql.join(part, sql` OR `)})`))
            .returning({ id: t.automationRuns.id }),
        );
      }
      // The audit log is kept (who did what), with the customer's id replaced wherever an entry mentions it.
      anonymised.auditEntries = count(
        await ex
          .update(t.auditLog)
          .set({
            targetId: rewrite(t.auditLog.targetId) as never,
            summary: rewrite(t.auditLog.summary) as never,
            detail: rewriteJson(t.auditLog.detail) as never,
          })
          .where(
            and(
              eq(t.auditLog.corpId, corpId),
              sql`(${eq(t.auditLog.targetId, id)} OR ${mentions(t.auditLog.summary)} OR ${mentions(t.auditLog.detail)})`,
            ),
          )
          .returning({ id: t.auditLog.id }),
      );

      // WeCom's callbacks about the customer (their raw XML names them); ones still to be handled stay.
      deleted.events = count(
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
      deleted.jobs = count(
        await ex
          .delete(t.jobs)
          .where(
            and(
              eq(t.jobs.corpId, corpId),
              notInArray(t.jobs.status, ['pending', 'running']),
              sql`(${mentions(t.jobs.payload)} OR ${mentions(t.jobs.dedupeKey)} OR ${mentions(t.jobs.result)})`,
            ),
          )
          .returning({ id: t.jobs.id }),
      );
      return { deleted, anonymised, files };
    },

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
