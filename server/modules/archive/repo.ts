import { and, asc, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import type { ArchiveErrorKind, ConsentStatus, StoredChatItem } from '../../db/schema/messages.js';

export interface NewArchiveError {
  corpId: string;
  seq: number;
  msgid: string | null;
  kind: ArchiveErrorKind;
  code: number | null;
  publickeyVer: number | null;
  detail: string;
  item: StoredChatItem | null;
  createdAt: number;
}

/** The archive's cursor, its errors, and customers' consent. */
export function createArchiveRepo(db: Database) {
  const { archiveCursors, archiveErrors, archiveConsents, messageMedia } = db.t;
  return {
    /** The corp's cursor (created at 0 on first use). */
    async cursor(ex: Executor, corpId: string) {
      await ex.insert(archiveCursors).values({ corpId, lastSeq: 0 }).onConflictDoNothing();
      const [row] = await ex.select().from(archiveCursors).where(eq(archiveCursors.corpId, corpId)).limit(1);
      return row!;
    },

    /**
     * Moves the cursor from `from` to `to`, in the transaction that stored the batch; false when it is no longer at
     * `from` (another puller stored this batch: the caller rolls back).
     */
    async advance(
      ex: Executor,
      corpId: string,
      from: number,
      to: number,
      stored: number,
      at: number,
      caughtUp: boolean,
    ) {
      const moved = await ex
        .update(archiveCursors)
        .set({
          lastSeq: to,
          messagesStored: sql`${archiveCursors.messagesStored} + ${stored}`,
          updatedAt: at,
          ...(caughtUp ? { caughtUpAt: at } : {}),
        })
        .where(and(eq(archiveCursors.corpId, corpId), eq(archiveCursors.lastSeq, from)))
        .returning({ corpId: archiveCursors.corpId });
      return moved.length === 1;
    },

    async markCaughtUp(ex: Executor, corpId: string, at: number): Promise<void> {
      await ex.update(archiveCursors).set({ caughtUpAt: at, updatedAt: at }).where(eq(archiveCursors.corpId, corpId));
    },

    /** One error per item (a replay adds nothing); pull errors (no msgid) each. */
    async addErrors(ex: Executor, rows: NewArchiveError[]): Promise<void> {
      if (rows.length === 0) return;
      await ex.insert(archiveErrors).values(rows).onConflictDoNothing();
    },

    async errors(ex: Executor, corpId: string, before: number | undefined, limit: number) {
      return ex
        .select()
        .from(archiveErrors)
        .where(and(eq(archiveErrors.corpId, corpId), before ? lt(archiveErrors.id, before) : undefined))
        .orderBy(desc(archiveErrors.id))
        .limit(limit);
    },

    /** Items kept encrypted (no key, or the key rejected) that are not decrypted yet, oldest first. */
    async undecrypted(ex: Executor, corpId: string, afterId: number, limit: number) {
      return ex
        .select()
        .from(archiveErrors)
        .where(
          and(
            eq(archiveErrors.corpId, corpId),
            inArray(archiveErrors.kind, ['no_key', 'key_rejected']),
            isNull(archiveErrors.resolvedAt),
            sql`${archiveErrors.id} > ${afterId}`,
          ),
        )
        .orderBy(asc(archiveErrors.id))
        .limit(limit);
    },

    async resolveErrors(ex: Executor, ids: number[], at: number): Promise<void> {
      if (ids.length === 0) return;
      await ex.update(archiveErrors).set({ resolvedAt: at }).where(inArray(archiveErrors.id, ids));
    },

    async unresolvedErrorCount(ex: Executor, corpId: string): Promise<number> {
      const [row] = await ex
        .select({ n: count() })
        .from(archiveErrors)
        .where(and(eq(archiveErrors.corpId, corpId), isNull(archiveErrors.resolvedAt)));
      return Number(row?.n ?? 0);
    },

    async pendingMediaCount(ex: Executor, corpId: string): Promise<number> {
      const [row] = await ex
        .select({ n: count() })
        .from(messageMedia)
        .where(and(eq(messageMedia.corpId, corpId), eq(messageMedia.status, 'pending')));
      return Number(row?.n ?? 0);
    },

    /** Pairs seen for the first time get `unknown` (to be checked); known pairs are left alone. */
    async notePairs(
      ex: Executor,
      corpId: string,
      pairs: Array<{ userId: string; externalUserId: string }>,
      at: number,
    ) {
      if (pairs.length === 0) return 0;
      const added = await ex
        .insert(archiveConsents)
        .values(pairs.map((p) => ({ corpId, ...p, status: 'unknown' as const, source: 'seen', updatedAt: at })))
        .onConflictDoNothing()
        .returning({ userId: archiveConsents.userId });
      return added.length;
    },

    /** Records a consent state; an older answer never overwrites a newer one. */
    async setConsent(
      ex: Executor,
      c: {
        corpId: string;
        userId: string;
        externalUserId: string;
        status: ConsentStatus;
        changedAt: number | null;
        checkedAt: number | null;
        source: string;
        at: number;
      },
    ): Promise<void> {
      const values = {
        corpId: c.corpId,
        userId: c.userId,
        externalUserId: c.externalUserId,
        status: c.status,
        changedAt: c.changedAt,
        checkedAt: c.checkedAt,
        source: c.source,
        updatedAt: c.at,
      };
      await ex
        .insert(archiveConsents)
        .values(values)
        .onConflictDoUpdate({
          target: [archiveConsents.corpId, archiveConsents.userId, archiveConsents.externalUserId],
          set: {
            status: c.status,
            changedAt: c.changedAt,
            source: c.source,
            updatedAt: c.at,
            ...(c.checkedAt !== null ? { checkedAt: c.checkedAt } : {}),
          },
          // A change WeCom dates before the one we hold is stale (an old event replayed).
          setWhere: or(
            isNull(archiveConsents.changedAt),
            sql`${c.changedAt ?? Number.MAX_SAFE_INTEGER} >= ${archiveConsents.changedAt}`,
          ),
        });
    },

    /** Pairs whose consent nobody has asked WeCom about yet (or not since `before`). */
    async pairsToCheck(ex: Executor, corpId: string, before: number, limit: number) {
      return ex
        .select({ userId: archiveConsents.userId, externalUserId: archiveConsents.externalUserId })
        .from(archiveConsents)
        .where(
          and(
            eq(archiveConsents.corpId, corpId),
            eq(archiveConsents.status, 'unknown'),
            or(isNull(archiveConsents.checkedAt), lt(archiveConsents.checkedAt, before)),
          ),
        )
        .limit(limit);
    },

    async consentsOf(ex: Executor, corpId: string, externalUserId: string) {
      return ex
        .select()
        .from(archiveConsents)
        .where(and(eq(archiveConsents.corpId, corpId), eq(archiveConsents.externalUserId, externalUserId)));
    },
  };
}
export type ArchiveRepo = ReturnType<typeof createArchiveRepo>;
