import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { KeysetCursor } from '../keyset-cursor.js';
import { contains } from '../like-pattern.js';

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || Number(v) === 1;
const list = (values: readonly (string | number)[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** The relationship filter in SQL terms: every field already checked against the caller's scope by the service. */
export interface FollowFilter {
  /** Reps whose relationships may be listed; null: every rep. */
  userIds: readonly string[] | null;
  q?: string;
  tagIds?: readonly string[];
  tagMatch: 'any' | 'all';
  /** Stage ids to match; `includeUnset`: a contact without a stage is in the corp's first stage. */
  stage?: { stageId: number; includeUnset: boolean };
  channelId?: number;
  status: 'active' | 'lost' | 'all';
  added?: { fromMs?: number; toMs?: number };
  lastContact?: { fromMs?: number; toMs?: number };
}

export interface FollowListRow {
  followId: number;
  userId: string;
  externalUserId: string;
  name: string;
  avatar: string;
  corpName: string;
  stageId: number | null;
  repName: string;
  remark: string;
  description: string;
  status: 'active' | 'lost';
  addedAt: number;
  lostAt: number | null;
  lostReason: string | null;
  channelId: number | null;
  channelName: string | null;
  lastContactAt: number | null;
}

export interface ConversationRow {
  id: number;
  userId: string;
  externalUserId: string;
  repName: string;
  messageCount: number;
  lastMessageAt: number | null;
  lastMessageId: number | null;
  lastCustomerMessageAt: number | null;
  lastCustomerMessageId: number | null;
}

export interface MessageRow {
  id: number;
  sentAt: number;
  direction: 'customer_to_rep' | 'rep_to_customer' | 'internal';
  sender: string;
  type: string;
  text: string;
  recalled: boolean;
}

export interface FollowKey {
  userId: string;
  externalUserId: string;
}

export interface TagBatchRow {
  id: number;
  corpId: string;
  actorId: string | null;
  actorName: string;
  add: string[];
  remove: string[];
  total: number;
  done: number;
  failed: number;
  createdAt: number;
  finishedAt: number | null;
}

/**
 * The console's customer reads (relationships with their customer, rep, channel and chat) and its bulk tagging
 * batches, over both backends. `walkRows`: how many relationships a page tests one by one before it leaves the
 * search to the planner (`follows`).
 */
export function createConsoleCustomerRepo(db: Database, opts: { walkRows?: number } = {}) {
  const walkRows = opts.walkRows ?? 4000;
  const { follows, contacts, reps, channels, conversations, followTags, tags, tagGroups, messages } = db.t;
  const { tagBatches, jobs } = db.t;

  const FOLLOW_COLUMNS = sql`SELECT f.id AS follow_id, f.user_id, f.external_user_id, f.remark, f.description, f.status,
      f.added_at, f.lost_at, f.lost_reason, f.channel_id, ch.name AS channel_name,
      c.name AS name, c.avatar AS avatar, c.corp_name AS corp_name, c.stage_id AS stage_id,
      r.name AS rep_name, conv.last_message_at AS last_contact_at`;
  const CONTACT_JOIN = sql`LEFT JOIN ${contacts} c ON c.corp_id = f.corp_id AND c.external_user_id = f.external_user_id`;
  const CONVERSATION_JOIN = sql`LEFT JOIN ${conversations} conv ON conv.corp_id = f.corp_id AND conv.kind = 'single'
      AND conv.user_id = f.user_id AND conv.external_user_id = f.external_user_id`;
  const FOLLOW_JOINS = sql`${CONTACT_JOIN}
    LEFT JOIN ${reps} r ON r.corp_id = f.corp_id AND r.user_id = f.user_id
    LEFT JOIN ${channels} ch ON ch.corp_id = f.corp_id AND ch.id = f.channel_id
    ${CONVERSATION_JOIN}`;
  const FOLLOW_SELECT = sql`${FOLLOW_COLUMNS} FROM ${follows} f ${FOLLOW_JOINS}`;

  function followRow(r: Record<string, unknown>): FollowListRow {
    return {
      followId: num(r.follow_id),
      userId: str(r.user_id),
      externalUserId: str(r.external_user_id),
      name: str(r.name),
      avatar: str(r.avatar),
      corpName: str(r.corp_name),
      stageId: numOrNull(r.stage_id),
      repName: str(r.rep_name) || str(r.user_id),
      remark: str(r.remark),
      description: str(r.description),
      status: r.status === 'lost' ? 'lost' : 'active',
      addedAt: num(r.added_at),
      lostAt: numOrNull(r.lost_at),
      lostReason: strOrNull(r.lost_reason),
      channelId: numOrNull(r.channel_id),
      channelName: strOrNull(r.channel_name),
      lastContactAt: numOrNull(r.last_contact_at),
    };
  }

  /**
   * The filter's tests of other tables (tags, last contact), each an EXISTS on the relationship's (rep, customer).
   * `walk`: run once per relationship the page walks, in `follows_corp_added` order — `OFFSET 0` keeps PostgreSQL
   * from turning it into a join, which it estimates as if rep and customer were independent (at 1 M relationships
   * ~500 times too few rows) and then hashes all of the corp's relationships and sorts them for a page of 50
   * (~250 ms). Otherwise the planner chooses, which is right when few relationships match.
   */
  function related(f: FollowFilter, walk: boolean): SQL[] {
    const exists = (body: SQL) =>
      walk ? sql`EXISTS (SELECT 1 ${body} LIMIT 1 OFFSET 0)` : sql`EXISTS (SELECT 1 ${body})`;
    const out: SQL[] = [];
    const contact = f.lastContact ?? {};
    if (contact.fromMs !== undefined || contact.toMs !== undefined) {
      const bounds: SQL[] = [];
      if (contact.fromMs !== undefined) bounds.push(sql` AND lc.last_message_at >= ${contact.fromMs}`);
      if (contact.toMs !== undefined) bounds.push(sql` AND lc.last_message_at < ${contact.toMs}`);
      out.push(
        exists(sql`FROM ${conversations} lc WHERE lc.corp_id = f.corp_id AND lc.kind = 'single'
          AND lc.user_id = f.user_id AND lc.external_user_id = f.external_user_id${sql.join(bounds, sql``)}`),
      );
    }
    const tagged = (ids: readonly string[]) =>
      exists(sql`FROM ${followTags} ft WHERE ft.corp_id = f.corp_id AND ft.user_id = f.user_id
        AND ft.external_user_id = f.external_user_id AND ft.tag_id IN (${list(ids)})`);
    if (f.tagIds && f.tagIds.length > 0) {
      if (f.tagMatch === 'all') for (const id of new Set(f.tagIds)) out.push(tagged([id]));
      else out.push(tagged(f.tagIds));
    }
    return out;
  }

  /** The filter's tests of the relationship itself and its customer (`c`). */
  function own(corpId: string, f: FollowFilter): SQL[] {
    const where: SQL[] = [sql`f.corp_id = ${corpId}`];
    if (f.userIds !== null) where.push(f.userIds.length > 0 ? sql`f.user_id IN (${list(f.userIds)})` : sql`1 = 0`);
    if (f.status !== 'all') where.push(sql`f.status = ${f.status}`);
    if (f.q) where.push(sql`(${contains(sql`c.name`, f.q)} OR ${contains(sql`f.remark`, f.q)})`);
    if (f.channelId !== undefined) where.push(sql`f.channel_id = ${f.channelId}`);
    if (f.stage)
      where.push(
        f.stage.includeUnset
          ? sql`(c.stage_id = ${f.stage.stageId} OR c.stage_id IS NULL)`
          : sql`c.stage_id = ${f.stage.stageId}`,
      );
    if (f.added?.fromMs !== undefined) where.push(sql`f.added_at >= ${f.added.fromMs}`);
    if (f.added?.toMs !== undefined) where.push(sql`f.added_at < ${f.added.toMs}`);
    return where;
  }

  const conditions = (corpId: string, f: FollowFilter) => [...own(corpId, f), ...related(f, false)];
  const allOf = (where: SQL[]) => sql.join(where, sql` AND `);

  return {
    /**
     * Relationships matching the filter, newest added first; `after` is the last row of the previous page. The page's
     * ids are found first, joining only the customer and only when the filter names it, so that a filter on the
     * relationship alone (a department's reps, a status, added between) is answered from `follows_corp_added`
     * without reading the rows it skips — on PostgreSQL an index-only scan, where a plain index scan tests the rep
     * only after fetching each row (a department's export read all of the corp's relationships) — and only the
     * page's rows are joined. With tests of other tables, the newest `walkRows` relationships are tested one by one
     * first (a page of a common tag is found there at once); when they hold less than a page, the planner's join
     * answers.
     */
    async follows(
      ex: Executor,
      corpId: string,
      filter: FollowFilter,
      opts: { limit: number; after?: KeysetCursor },
    ): Promise<FollowListRow[]> {
      const mine = own(corpId, filter);
      if (opts.after) mine.push(sql`(f.added_at, f.id) < (${opts.after.time}, ${opts.after.id})`);
      const from = sql`FROM ${follows} f ${filter.q || filter.stage ? CONTACT_JOIN : sql``}`;
      const order = sql`ORDER BY f.added_at DESC, f.id DESC`;
      const page = async (ids: SQL) =>
        (
          await db.rows<Record<string, unknown>>(
            ex,
            sql`${FOLLOW_COLUMNS} FROM (${ids}) page JOIN ${follows} f ON f.id = page.id ${FOLLOW_JOINS} ${order}`,
          )
        ).map(followRow);
      const tests = related(filter, true);
      if (tests.length === 0) return page(sql`SELECT f.id ${from} WHERE ${allOf(mine)} ${order} LIMIT ${opts.limit}`);
      const walked = await page(
        sql`SELECT f.id FROM (SELECT f.id, f.corp_id, f.user_id, f.external_user_id, f.added_at ${from}
            WHERE ${allOf(mine)} ${order} LIMIT ${walkRows}) f
          WHERE ${allOf(tests)} ${order} LIMIT ${opts.limit}`,
      );
      if (walked.length === opts.limit) return walked;
      return page(
        sql`SELECT f.id ${from} WHERE ${allOf([...mine, ...related(filter, false)])} ${order} LIMIT ${opts.limit}`,
      );
    },

    /** How many relationships match (bulk actions check their size before they start). */
    async countFollows(ex: Executor, corpId: string, filter: FollowFilter): Promise<number> {
      const [row] = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT count(*) AS n FROM ${follows} f ${CONTACT_JOIN}
          WHERE ${allOf(conditions(corpId, filter))}`,
      );
      return num(row?.n ?? 0);
    },

    /** The keys of the relationships matching the filter, oldest first, at most `limit` (bulk tagging). */
    async followKeys(ex: Executor, corpId: string, filter: FollowFilter, limit: number): Promise<FollowKey[]> {
      const rows = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT f.user_id, f.external_user_id FROM ${follows} f ${CONTACT_JOIN}
          WHERE ${allOf(conditions(corpId, filter))} ORDER BY f.id LIMIT ${limit}`,
      );
      return rows.map((r) => ({ userId: str(r.user_id), externalUserId: str(r.external_user_id) }));
    },

    /** The status of each given relationship that exists, keyed `userId\u0000externalUserId`. */
    async followStatuses(
      ex: Executor,
      corpId: string,
      keys: readonly FollowKey[],
    ): Promise<Map<string, 'active' | 'lost'>> {
      const found = new Map<string, 'active' | 'lost'>();
      if (keys.length === 0) return found;
      const wanted = new Set(keys.map((k) => `${k.userId}\u0000${k.externalUserId}`));
      const rows = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT user_id, external_user_id, status FROM ${follows}
          WHERE corp_id = ${corpId} AND external_user_id IN (${list([...new Set(keys.map((k) => k.externalUserId))])})`,
      );
      for (const r of rows) {
        const key = `${str(r.user_id)}\u0000${str(r.external_user_id)}`;
        if (wanted.has(key)) found.set(key, r.status === 'lost' ? 'lost' : 'active');
      }
      return found;
    },

    /** Corp tags of the mirror by id, with their group's name; deleted ones included (flagged). */
    async tagRefs(
      ex: Executor,
      corpId: string,
      tagIds: readonly string[],
    ): Promise<Map<string, { tagId: string; name: string; groupName: string; deleted: boolean }>> {
      const found = new Map<string, { tagId: string; name: string; groupName: string; deleted: boolean }>();
      if (tagIds.length === 0) return found;
      const rows = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT t.tag_id, t.name, t.deleted, g.name AS group_name FROM ${tags} t
          LEFT JOIN ${tagGroups} g ON g.corp_id = t.corp_id AND g.group_id = t.group_id
          WHERE t.corp_id = ${corpId} AND t.tag_id IN (${list([...new Set(tagIds)])})`,
      );
      for (const r of rows) {
        found.set(str(r.tag_id), {
          tagId: str(r.tag_id),
          name: str(r.name),
          groupName: str(r.group_name),
          deleted: bool(r.deleted),
        });
      }
      return found;
    },

    async insertBatch(ex: Executor, row: Omit<TagBatchRow, 'id' | 'done' | 'failed' | 'finishedAt'>): Promise<number> {
      const [inserted] = await ex.insert(tagBatches).values(row).returning({ id: tagBatches.id });
      return inserted!.id;
    },

    async batch(ex: Executor, corpId: string, id: number): Promise<TagBatchRow | undefined> {
      const [row] = await ex
        .select()
        .from(tagBatches)
        .where(and(eq(tagBatches.corpId, corpId), eq(tagBatches.id, id)));
      return row;
    },

    /**
     * A batch's relationship jobs (`relKind`) still waiting or running, failed for good, and in all (done ones may
     * have been pruned since); and its chunk jobs (`chunkKind`) not done yet, each with its status.
     */
    async batchProgress(ex: Executor, corpId: string, keyPrefix: string, relKind: string, chunkKind: string) {
      const [row] = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT
            coalesce(sum(CASE WHEN status IN ('pending', 'running') THEN 1 ELSE 0 END), 0) AS pending,
            coalesce(sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed,
            count(*) AS enqueued,
            max(done_at) AS finished_at
          FROM ${jobs} WHERE corp_id = ${corpId} AND kind = ${relKind} AND dedupe_key LIKE ${`${keyPrefix}%`}`,
      );
      const chunks = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT dedupe_key, status FROM ${jobs}
          WHERE corp_id = ${corpId} AND kind = ${chunkKind} AND dedupe_key LIKE ${`${keyPrefix}%`}
            AND status IN ('pending', 'running', 'failed')`,
      );
      return {
        pending: num(row?.pending ?? 0),
        failed: num(row?.failed ?? 0),
        enqueued: num(row?.enqueued ?? 0),
        finishedAt: numOrNull(row?.finished_at),
        openChunks: chunks.map((c) => ({ dedupeKey: str(c.dedupe_key), failed: c.status === 'failed' })),
      };
    },

    /** Keeps a finished batch's tally (once: a batch already settled is left as it is). */
    async settleBatch(
      ex: Executor,
      corpId: string,
      id: number,
      tally: { done: number; failed: number; finishedAt: number },
    ): Promise<void> {
      await ex
        .update(tagBatches)
        .set(tally)
        .where(and(eq(tagBatches.corpId, corpId), eq(tagBatches.id, id), isNull(tagBatches.finishedAt)));
    },

    /** Every relationship of one customer (every rep, now or before), first added first. */
    async followsOf(ex: Executor, corpId: string, externalUserId: string): Promise<FollowListRow[]> {
      const rows = await db.rows<Record<string, unknown>>(
        ex,
        sql`${FOLLOW_SELECT} WHERE f.corp_id = ${corpId} AND f.external_user_id = ${externalUserId}`,
      );
      // Sorted here, not by ORDER BY: with it, SQLite (no statistics) walked follows_corp_added in order over all of
      // the corp's relationships instead of the customer's few through follows_corp_contact (71 ms at 100 k).
      return rows.map(followRow).sort((a, b) => a.addedAt - b.addedAt || a.followId - b.followId);
    },

    async contact(ex: Executor, corpId: string, externalUserId: string) {
      const [row] = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT name, avatar, type, gender, corp_name, position, stage_id FROM ${contacts}
          WHERE corp_id = ${corpId} AND external_user_id = ${externalUserId}`,
      );
      if (!row) return undefined;
      return {
        name: str(row.name),
        avatar: str(row.avatar),
        type: num(row.type),
        gender: num(row.gender),
        corpName: str(row.corp_name),
        position: str(row.position),
        stageId: numOrNull(row.stage_id),
      };
    },

    /** Corp tags on the given customers' relationships, keyed `userId\u0000externalUserId`. */
    async followTags(
      ex: Executor,
      corpId: string,
      externalUserIds: readonly string[],
    ): Promise<Map<string, { tagId: string; name: string; groupName: string }[]>> {
      const found = new Map<string, { tagId: string; name: string; groupName: string }[]>();
      if (externalUserIds.length === 0) return found;
      const rows = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT ft.user_id, ft.external_user_id, ft.tag_id, t.name AS tag_name, g.name AS group_name
          FROM ${followTags} ft
          JOIN ${tags} t ON t.corp_id = ft.corp_id AND t.tag_id = ft.tag_id
          LEFT JOIN ${tagGroups} g ON g.corp_id = t.corp_id AND g.group_id = t.group_id
          WHERE ft.corp_id = ${corpId} AND ft.external_user_id IN (${list(externalUserIds)})
          ORDER BY g."order", t."order", ft.tag_id`,
      );
      for (const r of rows) {
        const key = `${str(r.user_id)}\u0000${str(r.external_user_id)}`;
        const tagsOf = found.get(key) ?? [];
        tagsOf.push({ tagId: str(r.tag_id), name: str(r.tag_name), groupName: str(r.group_name) });
        found.set(key, tagsOf);
      }
      return found;
    },

    /** The customer's 1:1 chats with reps, most recent first. */
    async conversationsOf(ex: Executor, corpId: string, externalUserId: string): Promise<ConversationRow[]> {
      const rows = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT conv.id, conv.user_id, conv.external_user_id, r.name AS rep_name, conv.message_count,
            conv.last_message_at, conv.last_message_id, conv.last_customer_message_at, conv.last_customer_message_id
          FROM ${conversations} conv
          LEFT JOIN ${reps} r ON r.corp_id = conv.corp_id AND r.user_id = conv.user_id
          WHERE conv.corp_id = ${corpId} AND conv.kind = 'single' AND conv.external_user_id = ${externalUserId}
          ORDER BY CASE WHEN conv.last_message_at IS NULL THEN 1 ELSE 0 END, conv.last_message_at DESC, conv.id DESC`,
      );
      return rows.map(conversationRow);
    },

    /** A 1:1 chat with a customer by id (group and internal chats are not the console's to read here). */
    async conversation(ex: Executor, corpId: string, id: number): Promise<ConversationRow | undefined> {
      const [row] = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT conv.id, conv.user_id, conv.external_user_id, r.name AS rep_name, conv.message_count,
            conv.last_message_at, conv.last_message_id, conv.last_customer_message_at, conv.last_customer_message_id
          FROM ${conversations} conv
          LEFT JOIN ${reps} r ON r.corp_id = conv.corp_id AND r.user_id = conv.user_id
          WHERE conv.corp_id = ${corpId} AND conv.id = ${id} AND conv.kind = 'single'`,
      );
      return row ? conversationRow(row) : undefined;
    },

    /** A chat's messages, newest first; `before` is the last row of the previous page. */
    async messages(
      ex: Executor,
      corpId: string,
      conversationId: number,
      opts: { limit: number; before?: KeysetCursor },
    ): Promise<MessageRow[]> {
      const where = [sql`corp_id = ${corpId}`, sql`conversation_id = ${conversationId}`];
      if (opts.before) where.push(sql`(sent_at, id) < (${opts.before.time}, ${opts.before.id})`);
      const rows = await db.rows<Record<string, unknown>>(
        ex,
        sql`SELECT id, sent_at, direction, sender, type, text, recalled FROM ${messages}
          WHERE ${sql.join(where, sql` AND `)} ORDER BY sent_at DESC, id DESC LIMIT ${opts.limit}`,
      );
      return rows.map((r) => ({
        id: num(r.id),
        sentAt: num(r.sent_at),
        direction: str(r.direction) as MessageRow['direction'],
        sender: str(r.sender),
        type: str(r.type),
        text: str(r.text),
        recalled: bool(r.recalled),
      }));
    },
  };

  function conversationRow(r: Record<string, unknown>): ConversationRow {
    return {
      id: num(r.id),
      userId: str(r.user_id),
      externalUserId: str(r.external_user_id),
      repName: str(r.rep_name) || str(r.user_id),
      messageCount: num(r.message_count),
      lastMessageAt: numOrNull(r.last_message_at),
      lastMessageId: numOrNull(r.last_message_id),
      lastCustomerMessageAt: numOrNull(r.last_customer_message_at),
      lastCustomerMessageId: numOrNull(r.last_customer_message_id),
    };
  }
}
export type ConsoleCustomerRepo = ReturnType<typeof createConsoleCustomerRepo>;
