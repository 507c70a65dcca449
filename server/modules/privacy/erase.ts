import { randomBytes } from 'node:crypto';
import { and, eq, inArray, isNotNull, notInArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { chunks } from '../messages/repo.js';

/** Timeline kinds the dashboards count (notes written; welcome sent or missed): anonymised at erasure, not deleted. */
const COUNTED_TIMELINE_KINDS = ['note', 'welcome_sent', 'welcome_skipped'];

/** `text` for a LIKE pattern with `ESCAPE '\'`: its wildcards match themselves only. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface ErasureCounts {
  deleted: Record<string, number>;
  anonymised: Record<string, number>;
  /** Media files no message refers to any more (the caller deletes them once the transaction commits). */
  files: string[];
}

type Table = Parameters<Executor['delete']>[0];

/**
 * The erasure of one customer (PIPL), table by table, in the caller's transaction: see createPrivacyRepo for what is
 * deleted, what is anonymised and what is kept. Every step counts its rows under the name the erasure record shows.
 */
export function createEraser(
  db: Database,
  dropOrphanMedia: (ex: Executor, corpId: string, hashes: string[]) => Promise<string[]>,
) {
  const t = db.t;
  const ofCustomer = <T extends { corpId: unknown; externalUserId: unknown }>(table: T, corpId: string, id: string) =>
    and(eq(table.corpId as never, corpId), eq(table.externalUserId as never, id)) as SQL;
  /** A column as text (JSON columns are jsonb on PostgreSQL). */
  const asText = (column: SQL | AnyColumn) => (db.backend === 'postgres' ? sql`${column}::text` : sql`${column}`);

  /** Rows that only describe the customer, deleted by their customer columns (in this order). */
  const OWN_ROWS: Array<[name: string, table: Table & { corpId: AnyColumn; externalUserId: AnyColumn }]> = [
    ['tags', t.followTags],
    ['follows', t.follows],
    ['profile', t.contacts],
    ['consents', t.archiveConsents],
    ['alerts', t.alerts],
    ['tasks', t.tasks],
    ['birthday', t.customerBirthdays],
    ['orders', t.orders],
  ];

  /** One erasure's state: the transaction, whom, the pseudonym, the counts so far and the statements it runs. */
  function begin(ex: Executor, corpId: string, id: string) {
    const deleted: Record<string, number> = {};
    const anonymised: Record<string, number> = {};
    const pseudonym = `erased:${randomBytes(12).toString('hex')}`;
    return {
      ex,
      corpId,
      id,
      pseudonym,
      deleted,
      anonymised,
      of: <T extends { corpId: unknown; externalUserId: unknown }>(table: T) => ofCustomer(table, corpId, id),
      // External ids are 32 random characters: a substring match does not catch anyone else.
      mentions: (column: SQL | AnyColumn) => sql`${asText(column)} LIKE ${`%${id}%`}`,
      rewrite: (column: AnyColumn) => sql`replace(${column}, ${id}, ${pseudonym})`,
      rewriteJson: (column: AnyColumn) =>
        db.backend === 'postgres'
          ? sql`replace(${column}::text, ${id}, ${pseudonym})::jsonb`
          : sql`replace(${column}, ${id}, ${pseudonym})`,
      async remove(name: string, table: Table, where: SQL | undefined) {
        deleted[name] = (
          await ex
            .delete(table)
            .where(where)
            .returning({ one: sql`1` })
        ).length;
      },
      async anonymise(name: string, table: Table, set: Record<string, unknown>, where: SQL | undefined) {
        anonymised[name] = (
          await ex
            .update(table)
            .set(set)
            .where(where)
            .returning({ one: sql`1` })
        ).length;
      },
    };
  }
  type Erasure = ReturnType<typeof begin>;

  return async function erase(ex: Executor, corpId: string, id: string): Promise<ErasureCounts> {
    const e = begin(ex, corpId, id);
    const about = await whoTheyAre(e);
    const files = await eraseChats(e);
    e.deleted.mediaFiles = files.length;
    await eraseTimeline(e);
    for (const [name, table] of OWN_ROWS) await e.remove(name, table, e.of(table));
    await anonymiseCounted(e);
    await eraseNotices(e);
    e.anonymised.automationRuns = await anonymiseRunLogs(e, about);
    // The audit log is kept (who did what), with the customer's id replaced wherever an entry mentions it.
    const audit = t.auditLog;
    await e.anonymise(
      'auditEntries',
      audit,
      { targetId: e.rewrite(audit.targetId), summary: e.rewrite(audit.summary), detail: e.rewriteJson(audit.detail) },
      and(
        eq(audit.corpId, corpId),
        sql`(${eq(audit.targetId, id)} OR ${e.mentions(audit.summary)} OR ${e.mentions(audit.detail)})`,
      ),
    );
    await eraseFinishedQueueItems(e);
    return { deleted: e.deleted, anonymised: e.anonymised, files };
  };

  /** What later steps need (run logs name the customer in words), read before the rows that hold it go. */
  async function whoTheyAre(e: Erasure) {
    const [contact] = await e.ex.select({ name: t.contacts.name }).from(t.contacts).where(e.of(t.contacts)).limit(1);
    const follows = await e.ex
      .select({ userId: t.follows.userId, remark: t.follows.remark, lostAt: t.follows.lostAt })
      .from(t.follows)
      .where(e.of(t.follows));
    const orders = await e.ex.select({ orderId: t.orders.orderId }).from(t.orders).where(e.of(t.orders));
    return {
      names: [...new Set([contact?.name, ...follows.map((f) => f.remark)].filter((x): x is string => !!x))],
      orderIds: orders.map((o) => o.orderId),
      losses: follows.flatMap((f) => (f.lostAt === null ? [] : [{ userId: f.userId, lostAt: f.lostAt }])),
    };
  }

  /**
   * The customer's chats: their keyword alerts, media references, messages and conversations go; group messages of
   * others keep the customer among their receivers under the pseudonym (the list keeps its length). Returns the
   * media files no message uses any more.
   */
  async function eraseChats(e: Erasure): Promise<string[]> {
    const m = t.messages;
    const theirs = and(eq(m.corpId, e.corpId), eq(m.externalUserId, e.id));
    const theirMessages = db.select({ id: m.id }).from(m).where(theirs);
    const hashes = await e.ex
      .selectDistinct({ hash: t.messageMedia.hash })
      .from(t.messageMedia)
      .where(and(inArray(t.messageMedia.messageId, theirMessages), isNotNull(t.messageMedia.hash)));
    const alerts = t.keywordAlerts;
    await e.remove('keywordAlerts', alerts, sql`${inArray(alerts.messageId, theirMessages)} OR (${e.of(alerts)})`);
    await e.remove('mediaReferences', t.messageMedia, inArray(t.messageMedia.messageId, theirMessages));
    await e.remove('messages', m, theirs);
    // A scan of the corp's group messages: erasure is rare, and the receivers list is not indexed.
    await e.anonymise(
      'groupMessageReceivers',
      m,
      { receivers: e.rewriteJson(m.receivers) },
      and(eq(m.corpId, e.corpId), isNotNull(m.roomId), e.mentions(m.receivers)),
    );
    await e.remove('conversations', t.conversations, e.of(t.conversations));
    return dropOrphanMedia(
      e.ex,
      e.corpId,
      hashes.flatMap((h) => (h.hash ? [h.hash] : [])),
    );
  }

  /**
   * The timeline: notes (written per rep) and welcome outcomes (welcome rates) are counted, so they stay as empty
   * items of the pseudonym; everything else about the customer goes.
   */
  async function eraseTimeline(e: Erasure): Promise<void> {
    const items = t.timelineItems;
    await e.anonymise(
      'timelineItems',
      items,
      { externalUserId: e.pseudonym, content: '', payload: {}, dueAt: null, sourceKey: e.rewrite(items.sourceKey) },
      and(e.of(items), inArray(items.kind, COUNTED_TIMELINE_KINDS)),
    );
    await e.remove('timelineItems', items, e.of(items));
  }

  /**
   * Rows the dashboards and statistics count stay, no longer saying who it was (one pseudonym for all, so a loss
   * still pairs with its add; their keys may hold the id): script sends, channel and customer movements, reply turns
   * (closed: no reminder about someone erased) and suggestion feedback (without the message; the suggest module then
   * forgets what the customer's messages taught, run by the caller in this transaction).
   */
  async function anonymiseCounted(e: Erasure): Promise<void> {
    await e.anonymise('scriptSends', t.scriptSends, { externalUserId: e.pseudonym }, e.of(t.scriptSends));
    for (const [name, table] of [
      ['channelMovements', t.channelMovements],
      ['customerMovements', t.customerMovements],
    ] as const) {
      await e.anonymise(
        name,
        table,
        { externalUserId: e.pseudonym, sourceKey: e.rewrite(table.sourceKey) },
        e.of(table),
      );
    }
    const turns = t.replyTurns;
    await e.anonymise(
      'replyTurns',
      turns,
      {
        externalUserId: e.pseudonym,
        status: sql`CASE WHEN ${turns.status} = 'open' THEN 'closed' ELSE ${turns.status} END`,
        nextDueAt: null,
      },
      e.of(turns),
    );
    const feedback = t.suggestionFeedback;
    await e.anonymise(
      'suggestionFeedback',
      feedback,
      {
        externalUserId: e.pseudonym,
        messageKey: sql`'erased:' || CAST(${feedback.id} AS TEXT)`,
        messageId: null,
        message: '',
      },
      e.of(feedback),
    );
  }

  /**
   * Notifications about them (sent or not: one still waiting must not name them; its send job finds it gone) and
   * webhook deliveries whose payload names them (likewise).
   */
  async function eraseNotices(e: Erasure): Promise<void> {
    const n = t.notifications;
    await e.remove(
      'notifications',
      n,
      and(
        eq(n.corpId, e.corpId),
        sql`(${eq(n.externalUserId, e.id)} OR ${e.mentions(n.key)} OR ${e.mentions(n.parts)})`,
      ),
    );
    const w = t.webhookDeliveries;
    await e.remove(
      'webhookDeliveries',
      w,
      and(eq(w.corpId, e.corpId), sql`(${e.mentions(w.payload)} OR ${e.mentions(w.eventId)})`),
    );
  }

  /**
   * Rule run logs name the customer in words (客户 王芳 删除了员工 李娜; 客户 王芳 复购（订单 A1）): the runs stay
   * (they are counted), the name goes. Matched narrowly: their order ids, or a loss of one of their reps since then.
   */
  async function anonymiseRunLogs(
    e: Erasure,
    about: { names: string[]; orderIds: string[]; losses: Array<{ userId: string; lostAt: number }> },
  ): Promise<number> {
    const runs = t.automationRuns;
    const reps = await e.ex
      .select({ userId: t.reps.userId, name: t.reps.name })
      .from(t.reps)
      .where(eq(t.reps.corpId, e.corpId));
    const repNames = new Map(reps.map((r) => [r.userId, r.name]));
    const patterns: SQL[] = [];
    for (const name of about.names) {
      for (const orderId of about.orderIds) {
        patterns.push(
          sql`${runs.detail} LIKE ${`客户 ${escapeLike(name)} 复购（订单 ${escapeLike(orderId)}）%`} ESCAPE '\\'`,
        );
      }
      for (const loss of about.losses) {
        const rep = escapeLike(repNames.get(loss.userId) ?? loss.userId);
        patterns.push(
          sql`(${runs.at} >= ${loss.lostAt} AND ${runs.detail} LIKE ${`客户 ${escapeLike(name)} 删除了员工 ${rep}，%`} ESCAPE '\\')`,
        );
      }
    }
    let total = 0;
    for (const part of chunks(patterns, 200)) {
      let detail: SQL = sql`${runs.detail}`;
      for (const name of about.names) detail = sql`replace(${detail}, ${`客户 ${name} `}, '客户（已删除） ')`;
      const changed = await e.ex
        .update(runs)
        .set({ detail: detail as never })
        .where(and(eq(runs.corpId, e.corpId), sql`(${sql.join(part, sql` OR `)})`))
        .returning({ one: sql`1` });
      total += changed.length;
    }
    return total;
  }

  /** WeCom's callbacks about the customer (their raw XML names them) and finished jobs that name them. */
  async function eraseFinishedQueueItems(e: Erasure): Promise<void> {
    // Queue items still to be handled stay: they must run.
    const finished = (status: AnyColumn) => notInArray(status, ['pending', 'running']);
    await e.remove(
      'events',
      t.events,
      and(eq(t.events.corpId, e.corpId), eq(t.events.lane, `${e.corpId}|${e.id}`), finished(t.events.status)),
    );
    const jobs = t.jobs;
    await e.remove(
      'jobs',
      jobs,
      and(
        eq(jobs.corpId, e.corpId),
        finished(jobs.status),
        sql`(${e.mentions(jobs.payload)} OR ${e.mentions(jobs.dedupeKey)} OR ${e.mentions(jobs.result)})`,
      ),
    );
  }
}
