import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { queryWords } from './segment.js';

/**
 * Full-text search over `messages.search_terms` (words segmented by jieba, segment.ts), one query per backend:
 * - SQLite: the FTS5 table `messages_fts` (contentless, rowid = message id), kept by triggers on `messages`
 *   (migrations/sqlite, the messages migration). Matches are read newest first straight from the index
 *   (`ORDER BY rowid DESC`), so a common word over millions of messages stops after a page.
 * - PostgreSQL: a GIN index over `to_tsvector('simple', search_terms)` (migrations/postgres); the 'simple'
 *   configuration only lower-cases, so the words are exactly the ones jieba produced.
 * Every word of the query must occur; both backends return the same messages.
 */

export interface SearchFilters {
  userId?: string;
  externalUserId?: string;
  roomId?: string;
  type?: string;
  /** sent_at ≥ from */
  from?: number;
  /** sent_at < to */
  to?: number;
}

/** The words of a query as an FTS5 expression: each quoted (letters and digits only), all required. */
function ftsExpression(words: string[]): string {
  return words.map((w) => `"${w}"`).join(' ');
}

export function createMessageSearch(db: Database) {
  const { messages } = db.t;

  function filterConditions(corpId: string, f: SearchFilters): SQL[] {
    const c: SQL[] = [eq(messages.corpId, corpId)];
    if (f.userId) c.push(eq(messages.userId, f.userId));
    if (f.externalUserId) c.push(eq(messages.externalUserId, f.externalUserId));
    if (f.roomId) c.push(eq(messages.roomId, f.roomId));
    if (f.type) c.push(eq(messages.type, f.type));
    if (f.from !== undefined) c.push(gte(messages.sentAt, f.from));
    if (f.to !== undefined) c.push(lt(messages.sentAt, f.to));
    return c;
  }

  /** A condition on `messages` true when the message has every word (for a query within one conversation). */
  function hasWords(words: string[]): SQL {
    if (db.backend === 'postgres')
      return sql`to_tsvector('simple', ${messages.searchTerms}) @@ plainto_tsquery('simple', ${words.join(' ')})`;
    return sql`${messages.id} IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${ftsExpression(words)})`;
  }

  return {
    /** The query's words; empty when it has no letters or digits. */
    words: (q: string) => queryWords(q),

    hasWords,

    /**
     * Ids of matching messages, newest stored first (by id), `limit` of them after `before` (an id). With words,
     * SQLite walks the FTS index backwards and checks the filters on each hit; without, the filters' indexes.
     */
    async ids(
      ex: Executor,
      corpId: string,
      query: SearchFilters & { words: string[]; before?: number; limit: number },
    ): Promise<number[]> {
      const conditions = filterConditions(corpId, query);
      if (query.before !== undefined) conditions.push(lt(messages.id, query.before));
      if (query.words.length > 0 && db.backend === 'sqlite') {
        const rows = await db.rows<{ id: number }>(
          ex,
          sql`SELECT messages_fts.rowid AS id FROM messages_fts
              JOIN ${messages} ON ${messages.id} = messages_fts.rowid
              WHERE messages_fts MATCH ${ftsExpression(query.words)} AND ${and(...conditions)}
              ORDER BY messages_fts.rowid DESC LIMIT ${query.limit}`,
        );
        return rows.map((r) => Number(r.id));
      }
      if (query.words.length > 0) conditions.push(hasWords(query.words));
      const rows = await ex
        .select({ id: messages.id })
        .from(messages)
        .where(and(...conditions))
        .orderBy(desc(messages.id))
        .limit(query.limit);
      return rows.map((r) => r.id);
    },

    /** Rows of the given ids, in that order. */
    async rows(ex: Executor, ids: number[]) {
      if (ids.length === 0) return [];
      const rows = await ex.select().from(messages).where(inArray(messages.id, ids));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    },
  };
}
export type MessageSearch = ReturnType<typeof createMessageSearch>;
