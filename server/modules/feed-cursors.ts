import { and, eq, gt, lt, max, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Database, Executor } from '../db/database.js';
import { sqlNow } from '../db/sql-now.js';

/**
 * How far a module has read a feed (new messages, keyword alerts, timeline items, due notes), per corp: a number
 * (a row id or a moment) that only moves forward, whichever instance moves it.
 */
export function createFeedCursors(db: Database) {
  const { feedCursors } = db.t;
  return {
    async get(ex: Executor, corpId: string, feed: string): Promise<number | null> {
      const [row] = await ex
        .select({ position: feedCursors.position })
        .from(feedCursors)
        .where(and(eq(feedCursors.corpId, corpId), eq(feedCursors.feed, feed)))
        .limit(1);
      return row ? Number(row.position) : null;
    },
    async set(ex: Executor, corpId: string, feed: string, position: number): Promise<void> {
      await ex
        .insert(feedCursors)
        .values({ corpId, feed, position })
        .onConflictDoUpdate({
          target: [feedCursors.corpId, feedCursors.feed],
          set: { position, updatedAt: sqlNow(db) },
          setWhere: sql`${feedCursors.position} < ${position}`,
        });
    },
    /**
     * The cursor, with its row locked until the transaction ends (PostgreSQL; SQLite transactions run one at a time):
     * another instance reading the same feed waits, then starts where this one left off.
     */
    async lock(ex: Executor, corpId: string, feed: string): Promise<number> {
      await ex.insert(feedCursors).values({ corpId, feed, position: 0 }).onConflictDoNothing();
      const [row] = await ex
        .update(feedCursors)
        .set({ position: sql`${feedCursors.position}` })
        .where(and(eq(feedCursors.corpId, corpId), eq(feedCursors.feed, feed)))
        .returning({ position: feedCursors.position });
      return Number(row?.position ?? 0);
    },
    /**
     * The highest id after `afterId` among rows older than `cutoff` (database clock), of any corp: how far a cursor
     * may move. Reads the rows since the cursor by primary key, so it costs what arrived since the last move.
     */
    async settledMax(
      ex: Executor,
      table: SQLiteTable,
      columns: { id: SQLiteColumn; createdAt: SQLiteColumn },
      afterId: number,
      cutoff: number,
    ): Promise<number> {
      const [row] = await ex
        .select({ id: max(columns.id) })
        .from(table)
        .where(and(gt(columns.id, afterId), lt(columns.createdAt, cutoff)));
      return row?.id == null ? afterId : Number(row.id);
    },
    /** The database's clock (the `created_at` defaults of rows come from it, not from the app's clock). */
    async databaseNow(ex: Executor): Promise<number> {
      const [row] = await db.rows<{ now: number }>(ex, sql`SELECT ${sqlNow(db)} AS now`);
      return Number(row?.now ?? 0);
    },
  };
}
export type FeedCursors = ReturnType<typeof createFeedCursors>;

/**
 * Rows of a feed are read by id; on PostgreSQL ids are handed out before commit, so a row may become visible after a
 * higher id did. The cursor therefore only passes rows older than this (by the database's clock); rows after it are
 * read again next time and their consumers are idempotent (keyed inserts).
 */
export const FEED_SETTLE_MS = 60_000;

/**
 * A corp filter the planner cannot serve from an index: feeds read by primary key range (`id > cursor`), and an
 * index that starts with corp_id would make the database walk every row of the corp instead.
 */
export const notIndexed = (column: SQLiteColumn) => sql`(${column} || '')`;
