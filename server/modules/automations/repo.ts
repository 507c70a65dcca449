import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { alias, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Database, Executor } from '../../db/database.js';
import type { RuleRecipients } from '../../db/schema/automations.js';
import { notIndexed } from '../feed-cursors.js';

export type RuleRow = Database['t']['automationRules']['$inferSelect'];
export type RunRow = Database['t']['automationRuns']['$inferSelect'];
export type TurnRow = Database['t']['replyTurns']['$inferSelect'];
type TurnPatch = Partial<Omit<TurnRow, 'id' | 'corpId'>>;
export type NewTurn = Database['t']['replyTurns']['$inferInsert'];

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A value per turn in one UPDATE: `CASE id WHEN … THEN … END`. The values are cast to BIGINT (both dialects read it),
 * or PostgreSQL would type parameters that only meet each other as text.
 */
function byTurn<T extends { id: number }>(id: SQLiteColumn, rows: T[], value: (row: T) => number | null): SQL {
  const whens = rows.map((row) => sql`WHEN ${row.id} THEN CAST(${value(row)} AS BIGINT)`);
  return sql`(CASE ${id} ${sql.join(whens, sql` `)} END)`;
}

/** A chat message as the feed reads it (the conversations module writes them). */
export interface FeedMessage {
  id: number;
  conversationId: number | null;
  userId: string | null;
  externalUserId: string | null;
  roomId: string | null;
  direction: string;
  action: string;
  recalled: boolean;
  type: string;
  text: string;
  sentAt: number;
}

/** Rules, runs, reply turns, and the reads of other modules' tables that the rules need (drizzle only). */
export function createAutomationRepo(db: Database) {
  const t = db.t;
  const { automationRules: rules, automationRuns: runs, replyTurns: turns } = t;

  return {
    // ---- rules
    async ensureRules(
      ex: Executor,
      corpId: string,
      rows: Array<{ kind: string; recipients: RuleRecipients; config: Record<string, unknown> }>,
      at: number,
    ) {
      await ex
        .insert(rules)
        .values(rows.map((r) => ({ corpId, ...r, enabled: false, createdAt: at, updatedAt: at })))
        .onConflictDoNothing();
    },
    async rules(ex: Executor, corpId: string): Promise<RuleRow[]> {
      return ex.select().from(rules).where(eq(rules.corpId, corpId)).orderBy(asc(rules.id));
    },
    async updateRule(
      ex: Executor,
      corpId: string,
      kind: string,
      patch: Partial<RuleRow>,
    ): Promise<RuleRow | undefined> {
      const [row] = await ex
        .update(rules)
        .set(patch)
        .where(and(eq(rules.corpId, corpId), eq(rules.kind, kind)))
        .returning();
      return row;
    },

    // ---- runs
    /** Records a run; for a period, false when that period ran before (nothing recorded). */
    async addRun(
      ex: Executor,
      r: {
        corpId: string;
        ruleId: number;
        period: string | null;
        at: number;
        outcome: string;
        count: number;
        detail: string;
      },
    ): Promise<boolean> {
      const rows = await ex.insert(runs).values(r).onConflictDoNothing().returning({ id: runs.id });
      if (rows.length === 1) await ex.update(rules).set({ lastRunAt: r.at }).where(eq(rules.id, r.ruleId));
      return rows.length === 1;
    },
    async periodRan(ex: Executor, ruleId: number, period: string): Promise<boolean> {
      const [row] = await ex
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.ruleId, ruleId), eq(runs.period, period)))
        .limit(1);
      return Boolean(row);
    },
    async lastPeriod(ex: Executor, corpId: string, ruleId: number): Promise<string | null> {
      const [row] = await ex
        .select({ period: runs.period })
        .from(runs)
        .where(and(eq(runs.corpId, corpId), eq(runs.ruleId, ruleId), isNotNull(runs.period)))
        .orderBy(desc(runs.at))
        .limit(1);
      return row?.period ?? null;
    },
    async runs(ex: Executor, corpId: string, ruleId: number, limit: number): Promise<RunRow[]> {
      return ex
        .select()
        .from(runs)
        .where(and(eq(runs.corpId, corpId), eq(runs.ruleId, ruleId)))
        .orderBy(desc(runs.at), desc(runs.id))
        .limit(limit);
    },
    async deleteRunsBefore(ex: Executor, before: number, limit: number): Promise<number> {
      const batch = ex.select({ id: runs.id }).from(runs).where(lt(runs.at, before)).limit(limit);
      const rows = await ex.delete(runs).where(inArray(runs.id, batch)).returning({ id: runs.id });
      return rows.length;
    },

    // ---- the messages feed
    async messagesAfter(ex: Executor, corpId: string, afterId: number, limit: number): Promise<FeedMessage[]> {
      const m = t.messages;
      return ex
        .select({
          id: m.id,
          conversationId: m.conversationId,
          userId: m.userId,
          externalUserId: m.externalUserId,
          roomId: m.roomId,
          direction: m.direction,
          action: m.action,
          recalled: m.recalled,
          type: m.type,
          text: m.text,
          sentAt: m.sentAt,
        })
        .from(m)
        .where(and(gt(m.id, afterId), sql`${notIndexed(m.corpId)} = ${corpId}`))
        .orderBy(asc(m.id))
        .limit(limit);
    },
    async lastMessageId(ex: Executor): Promise<number> {
      const [row] = await ex.select({ id: sql<number>`max(${t.messages.id})` }).from(t.messages);
      return Number(row?.id ?? 0);
    },
    /** The text of these messages, by id (a primary-key lookup each, in one statement). */
    async messageTexts(ex: Executor, ids: number[]): Promise<Map<number, string>> {
      const m = t.messages;
      const out = new Map<number, string>();
      for (const batch of chunks([...new Set(ids)], 500)) {
        const rows = await ex.select({ id: m.id, text: m.text }).from(m).where(inArray(m.id, batch));
        for (const r of rows) out.set(Number(r.id), r.text);
      }
      return out;
    },
    /**
     * For each of these customer messages, the rep's first message in the chat after it (the answer, when the feed
     * reads it late), by the message's id. One statement: per message, a range of the chat's time index from the
     * message on, until the first reply.
     */
    async firstRepliesAfter(ex: Executor, messageIds: number[]): Promise<Map<number, { id: number; sentAt: number }>> {
      const m = t.messages;
      // `q` is the customer's message, `r` the chat's later messages, both named in full (drizzle leaves a column of
      // a one-table select unqualified). sqlite-core's alias is the same proxy as pg-core's: it renames the table.
      const q = alias(m, 'q');
      const r = (column: { name: string }) => sql`r.${sql.identifier(column.name)}`;
      const outer = (column: { name: string }) => sql`q.${sql.identifier(column.name)}`;
      const reply = (select: SQL) =>
        sql`(SELECT ${select} FROM ${m} r WHERE ${r(m.conversationId)} = ${outer(m.conversationId)}
          AND ${r(m.sentAt)} >= ${outer(m.sentAt)} AND (${r(m.sentAt)} > ${outer(m.sentAt)} OR ${r(m.id)} > ${outer(m.id)})
          AND ${r(m.direction)} = 'rep_to_customer' AND NOT ${r(m.recalled)}
          ORDER BY ${r(m.sentAt)}, ${r(m.id)} LIMIT 1)`;
      const out = new Map<number, { id: number; sentAt: number }>();
      for (const batch of chunks([...new Set(messageIds)], 500)) {
        const rows = await ex
          .select({ id: q.id, replyId: reply(r(m.id)), replySentAt: reply(r(m.sentAt)) })
          .from(q)
          .where(inArray(q.id, batch));
        for (const row of rows) {
          if (row.replyId !== null && row.replyId !== undefined)
            out.set(Number(row.id), { id: Number(row.replyId), sentAt: Number(row.replySentAt) });
        }
      }
      return out;
    },
    /** The last messages of a rep's chat with a customer, oldest first. */
    async lastMessages(ex: Executor, corpId: string, userId: string, externalUserId: string, limit: number) {
      if (limit <= 0) return [];
      const c = t.conversations;
      const [conversation] = await ex
        .select({ id: c.id })
        .from(c)
        .where(and(eq(c.corpId, corpId), eq(c.key, `single:${userId}:${externalUserId}`)))
        .limit(1);
      if (!conversation) return [];
      const m = t.messages;
      const rows = await ex
        .select({ direction: m.direction, text: m.text, sentAt: m.sentAt, recalled: m.recalled })
        .from(m)
        .where(eq(m.conversationId, conversation.id))
        .orderBy(desc(m.sentAt), desc(m.id))
        .limit(limit);
      return rows.reverse();
    },

    // ---- reply turns
    /** The open turn of each of these conversations (at most one each: reply_turns_open). */
    async openTurns(ex: Executor, corpId: string, conversationIds: number[]) {
      const out: Array<{ id: number; conversationId: number; startedAt: number }> = [];
      for (const batch of chunks([...new Set(conversationIds)], 500)) {
        out.push(
          ...(await ex
            .select({ id: turns.id, conversationId: turns.conversationId, startedAt: turns.startedAt })
            .from(turns)
            .where(and(eq(turns.corpId, corpId), inArray(turns.conversationId, batch), eq(turns.status, 'open')))),
        );
      }
      return out;
    },
    /** Which of these messages started a turn already (the feed reads a message again until it settles). */
    async turnStarters(ex: Executor, corpId: string, messageIds: number[]): Promise<Set<number>> {
      const out = new Set<number>();
      for (const batch of chunks([...new Set(messageIds)], 500)) {
        const rows = await ex
          .select({ id: turns.startMessageId })
          .from(turns)
          .where(and(eq(turns.corpId, corpId), inArray(turns.startMessageId, batch)));
        for (const r of rows) out.add(Number(r.id));
      }
      return out;
    },
    /**
     * New turns, several rows a statement; a row whose message started a turn before, or whose conversation has an
     * open one, is left out. Returns the rows written.
     */
    async insertTurns(ex: Executor, rows: NewTurn[]): Promise<Array<{ id: number; startMessageId: number }>> {
      const out: Array<{ id: number; startMessageId: number }> = [];
      for (const batch of chunks(rows, 200)) {
        out.push(
          ...(await ex
            .insert(turns)
            .values(batch)
            .onConflictDoNothing()
            .returning({ id: turns.id, startMessageId: turns.startMessageId })),
        );
      }
      return out;
    },
    /** Turns answered: each its own reply, in one statement; only turns still open change. */
    async closeTurns(
      ex: Executor,
      closes: Array<{ id: number; repliedAt: number; replyMessageId: number; replyWorkingMs: number }>,
      at: number,
    ): Promise<void> {
      for (const batch of chunks(closes, 300)) {
        await ex
          .update(turns)
          .set({
            status: 'replied',
            repliedAt: byTurn(turns.id, batch, (c) => c.repliedAt),
            replyMessageId: byTurn(turns.id, batch, (c) => c.replyMessageId),
            replyWorkingMs: byTurn(turns.id, batch, (c) => c.replyWorkingMs),
            nextDueAt: null,
            updatedAt: at,
          })
          .where(
            and(
              inArray(
                turns.id,
                batch.map((c) => c.id),
              ),
              eq(turns.status, 'open'),
            ),
          );
      }
    },
    /**
     * Moves turns on, each its own next moment, in one statement, if `onlyIf` still holds for it (another
     * instance's pass may have moved it on). Returns the ids that moved.
     */
    async moveTurns(
      ex: Executor,
      moves: Array<{ id: number; nextDueAt: number | null }>,
      patch: TurnPatch,
      onlyIf?: SQL,
    ): Promise<number[]> {
      const out: number[] = [];
      for (const batch of chunks(moves, 300)) {
        const ids = inArray(
          turns.id,
          batch.map((x) => x.id),
        );
        const rows = await ex
          .update(turns)
          .set({ ...patch, nextDueAt: byTurn(turns.id, batch, (x) => x.nextDueAt) })
          .where(onlyIf ? and(ids, onlyIf) : ids)
          .returning({ id: turns.id });
        out.push(...rows.map((r) => Number(r.id)));
      }
      return out;
    },
    /** Open turns whose next reminder is due: an index range (reply_turns_due), never a scan of the chats. */
    async dueTurns(ex: Executor, corpId: string, now: number, limit: number): Promise<TurnRow[]> {
      return ex
        .select()
        .from(turns)
        .where(and(eq(turns.corpId, corpId), isNotNull(turns.nextDueAt), lte(turns.nextDueAt, now)))
        .orderBy(asc(turns.nextDueAt))
        .limit(limit);
    },
    /** Turns of these reps started in [from, to): the digest's reply figures. */
    async turnsStarted(ex: Executor, corpId: string, userIds: string[], from: number, to: number) {
      if (userIds.length === 0) return [];
      return ex
        .select({
          userId: turns.userId,
          status: turns.status,
          repliedAt: turns.repliedAt,
          replyWorkingMs: turns.replyWorkingMs,
        })
        .from(turns)
        .where(
          and(
            eq(turns.corpId, corpId),
            inArray(turns.userId, userIds),
            gte(turns.startedAt, from),
            lt(turns.startedAt, to),
          ),
        );
    },
    /** Open turns of these reps already past their reminder. */
    async overdueOpenTurns(ex: Executor, corpId: string, userIds: string[]): Promise<number> {
      if (userIds.length === 0) return 0;
      const [row] = await ex
        .select({ n: sql<number>`count(*)` })
        .from(turns)
        .where(
          and(
            eq(turns.corpId, corpId),
            inArray(turns.userId, userIds),
            eq(turns.status, 'open'),
            isNotNull(turns.nudgedAt),
          ),
        );
      return Number(row?.n ?? 0);
    },

    // ---- keyword alerts (the conversations module records them; delivering them is ours)
    async keywordAlertsAfter(ex: Executor, corpId: string, afterId: number, limit: number) {
      const a = t.keywordAlerts;
      const r = t.keywordRules;
      const m = t.messages;
      return ex
        .select({
          id: a.id,
          ruleName: r.name,
          matched: a.matched,
          userId: a.userId,
          externalUserId: a.externalUserId,
          direction: a.direction,
          sentAt: a.sentAt,
          deliveredAt: a.deliveredAt,
          createdAt: a.createdAt,
          text: m.text,
          roomId: m.roomId,
        })
        .from(a)
        .leftJoin(r, eq(r.id, a.ruleId))
        .leftJoin(m, eq(m.id, a.messageId))
        .where(and(gt(a.id, afterId), sql`${notIndexed(a.corpId)} = ${corpId}`))
        .orderBy(asc(a.id))
        .limit(limit);
    },
    async lastKeywordAlertId(ex: Executor): Promise<number> {
      const [row] = await ex.select({ id: sql<number>`max(${t.keywordAlerts.id})` }).from(t.keywordAlerts);
      return Number(row?.id ?? 0);
    },
    async markAlertsDelivered(ex: Executor, ids: number[], at: number): Promise<void> {
      if (ids.length === 0) return;
      const a = t.keywordAlerts;
      await ex
        .update(a)
        .set({ deliveredAt: at })
        .where(and(inArray(a.id, ids), isNull(a.deliveredAt)));
    },
    async keywordAlertCount(
      ex: Executor,
      corpId: string,
      userIds: string[],
      from: number,
      to: number,
    ): Promise<number> {
      if (userIds.length === 0) return 0;
      const a = t.keywordAlerts;
      const [row] = await ex
        .select({ n: sql<number>`count(*)` })
        .from(a)
        .where(and(eq(a.corpId, corpId), inArray(a.userId, userIds), gte(a.sentAt, from), lt(a.sentAt, to)));
      return Number(row?.n ?? 0);
    },

    // ---- notes with a reminder time
    async notesDue(ex: Executor, corpId: string, after: number, upTo: number, limit: number) {
      const ti = t.timelineItems;
      return ex
        .select({
          id: ti.id,
          userId: ti.userId,
          externalUserId: ti.externalUserId,
          content: ti.content,
          dueAt: ti.dueAt,
        })
        .from(ti)
        .where(and(eq(ti.corpId, corpId), gt(ti.dueAt, after), lte(ti.dueAt, upTo), eq(ti.kind, 'note')))
        .orderBy(asc(ti.dueAt), asc(ti.id))
        .limit(limit);
    },

    // ---- people and customers
    async reps(ex: Executor, corpId: string) {
      return ex
        .select({
          userId: t.reps.userId,
          name: t.reps.name,
          departmentIds: t.reps.departmentIds,
          status: t.reps.status,
        })
        .from(t.reps)
        .where(eq(t.reps.corpId, corpId));
    },
    async departments(ex: Executor, corpId: string) {
      return ex
        .select({ id: t.departments.departmentId, name: t.departments.name, parentId: t.departments.parentId })
        .from(t.departments)
        .where(eq(t.departments.corpId, corpId));
    },
    async customerNames(ex: Executor, corpId: string, ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await ex
        .select({ id: t.contacts.externalUserId, name: t.contacts.name })
        .from(t.contacts)
        .where(and(eq(t.contacts.corpId, corpId), inArray(t.contacts.externalUserId, [...new Set(ids)])));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    async follow(ex: Executor, corpId: string, userId: string, externalUserId: string) {
      const f = t.follows;
      const [row] = await ex
        .select()
        .from(f)
        .where(and(eq(f.corpId, corpId), eq(f.userId, userId), eq(f.externalUserId, externalUserId)))
        .limit(1);
      return row;
    },
    async activeFollowsOf(ex: Executor, corpId: string, externalUserIds: string[]) {
      if (externalUserIds.length === 0) return [];
      const f = t.follows;
      return ex
        .select({ userId: f.userId, externalUserId: f.externalUserId, remark: f.remark })
        .from(f)
        .where(and(eq(f.corpId, corpId), inArray(f.externalUserId, externalUserIds), eq(f.status, 'active')));
    },
    /** A rep's active customers added in [from, to) (index follows_user). */
    async followsAdded(ex: Executor, corpId: string, userId: string, from: number, to: number) {
      const f = t.follows;
      return ex
        .select({
          id: f.id,
          externalUserId: f.externalUserId,
          remark: f.remark,
          addedAt: f.addedAt,
          channelId: f.channelId,
        })
        .from(f)
        .where(
          and(
            eq(f.corpId, corpId),
            eq(f.userId, userId),
            eq(f.status, 'active'),
            gte(f.addedAt, from),
            lt(f.addedAt, to),
          ),
        );
    },
    /** Digest: a rep's customers added in [from, to) whatever became of them, and those lost in it. */
    async followMovements(ex: Executor, corpId: string, userId: string, from: number, to: number) {
      const f = t.follows;
      return ex
        .select({ addedAt: f.addedAt, lostAt: f.lostAt, lostReason: f.lostReason, channelId: f.channelId })
        .from(f)
        .where(
          and(
            eq(f.corpId, corpId),
            eq(f.userId, userId),
            or(and(gte(f.addedAt, from), lt(f.addedAt, to)), and(gte(f.lostAt, from), lt(f.lostAt, to))),
          ),
        );
    },
    async channelNames(ex: Executor, corpId: string, ids: number[]): Promise<Map<number, string>> {
      if (ids.length === 0) return new Map();
      const rows = await ex
        .select({ id: t.channels.id, name: t.channels.name })
        .from(t.channels)
        .where(and(eq(t.channels.corpId, corpId), inArray(t.channels.id, ids)));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    /** A rep's 1:1 chats whose last message (either way) was in [from, to), with the customer still theirs. */
    async chatsSilentSince(ex: Executor, corpId: string, userId: string, from: number, to: number) {
      const c = t.conversations;
      const f = t.follows;
      return ex
        .select({ id: c.id, externalUserId: c.externalUserId, lastMessageAt: c.lastMessageAt, remark: f.remark })
        .from(c)
        .innerJoin(
          f,
          and(
            eq(f.corpId, c.corpId),
            eq(f.userId, c.userId),
            eq(f.externalUserId, c.externalUserId),
            eq(f.status, 'active'),
          ),
        )
        .where(
          and(
            eq(c.corpId, corpId),
            eq(c.userId, userId),
            gte(c.lastMessageAt, from),
            lt(c.lastMessageAt, to),
            eq(c.kind, 'single'),
          ),
        );
    },

    async hasFollowTag(ex: Executor, corpId: string, userId: string, externalUserId: string, tagId: string) {
      const ft = t.followTags;
      const [row] = await ex
        .select({ tagId: ft.tagId })
        .from(ft)
        .where(
          and(eq(ft.corpId, corpId), eq(ft.userId, userId), eq(ft.externalUserId, externalUserId), eq(ft.tagId, tagId)),
        )
        .limit(1);
      return Boolean(row);
    },

    // ---- birthdays
    async birthday(ex: Executor, corpId: string, externalUserId: string) {
      const b = t.customerBirthdays;
      const [row] = await ex
        .select()
        .from(b)
        .where(and(eq(b.corpId, corpId), eq(b.externalUserId, externalUserId)))
        .limit(1);
      return row;
    },
    async setBirthday(
      ex: Executor,
      corpId: string,
      externalUserId: string,
      v: { month: number; day: number; year: number | null; source: string; at: number },
    ): Promise<void> {
      const b = t.customerBirthdays;
      await ex
        .insert(b)
        .values({ corpId, externalUserId, month: v.month, day: v.day, year: v.year, source: v.source, updatedAt: v.at })
        .onConflictDoUpdate({
          target: [b.corpId, b.externalUserId],
          set: { month: v.month, day: v.day, year: v.year, source: v.source, updatedAt: v.at },
        });
    },
    async deleteBirthday(ex: Executor, corpId: string, externalUserId: string): Promise<void> {
      const b = t.customerBirthdays;
      await ex.delete(b).where(and(eq(b.corpId, corpId), eq(b.externalUserId, externalUserId)));
    },
    /** Birthdays on these (month, day) pairs (index customer_birthdays_day). */
    async birthdaysOn(ex: Executor, corpId: string, days: Array<{ month: number; day: number }>) {
      if (days.length === 0) return [];
      const b = t.customerBirthdays;
      return ex
        .select({ externalUserId: b.externalUserId, month: b.month, day: b.day, year: b.year })
        .from(b)
        .where(and(eq(b.corpId, corpId), or(...days.map((d) => and(eq(b.month, d.month), eq(b.day, d.day))))));
    },
  };
}
export type AutomationRepo = ReturnType<typeof createAutomationRepo>;
