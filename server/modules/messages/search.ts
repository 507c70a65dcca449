import { and, desc, eq, gte, inArray, lt, lte, max, min, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { queryWords } from './segment.js';

/**
 * Full-text search over `messages.search_terms` (words segmented by jieba, segment.ts), one query per backend.
 * Each backend's index holds, besides the words, a message's scope: its conversation, rep, customer, room and type
 * (any but `text`; `sqliteScopeTokens`, `postgresScopeLexemes`). A search within one conversation, or a manager's
 * search for one rep or customer, puts those in the index query, so the index intersects the word's messages with
 * the scope's instead of reading every message that has the word (which grew with the whole archive: 56 ms and
 * 356 ms p95 at 2 M messages).
 * - SQLite: the FTS5 table `messages_fts(terms, scope)` (contentless, rowid = message id), kept by triggers on
 *   `messages` (migrations/sqlite, messages_search_scope). Scope tokens are a letter and the value in hex, so any
 *   id is one token. Matches are read newest first straight from the index (`ORDER BY rowid DESC`).
 * - PostgreSQL: a GIN index over `to_tsvector('simple', search_terms)` plus the scope as verbatim lexemes
 *   (`array_to_tsvector`, `c:<id>`, `u:<userId>` …; a word lexeme is letters and digits only, never with a colon).
 *   'simple' only lower-cases, so the words are exactly the ones jieba produced.
 * The scope in the index only narrows: the filters are still checked on the rows. Every word of the query must
 * occur; both backends return the same messages.
 *
 * A search runs in phases (`ids`, `match`), the same on both backends. The managers' search first walks the
 * newest messages of its rep, customer or corp (`walkFirst` of them): a common word fills the page there. Then the
 * index gives at most K + 1 matches of the words and scope, unordered (`DenseAfter`): when there are at most K,
 * they are all the matches, and the page is read from them by id (a word the rep never used, a rare word: no
 * walk). Only when more than K match, the messages are walked newest first and each row is checked, and the page
 * is full after few rows. On SQLite the phases cost an FTS lookup more than its walk alone would. PostgreSQL
 * needs this: GIN gives no order, so one statement either fetched every match from the heap and sorted them (2.5–6 s
 * for a common word at 2 M messages) or walked newest first computing `to_tsvector` per row until the page was full
 * (4–14 s when nothing matched), and the planner, guessing the matches' number, picked the wrong one of the two.
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

/** Most messages' type: not in the index's scope (a filter by it would narrow nothing and cost a long list). */
const TEXT = 'text';

const DAY_MS = 86_400_000;

/** The ids a date range's messages have, at most: from the lowest to the highest id of its UTC days. */
interface IdSpan {
  lo: number;
  hi: number;
}

/** What a search is narrowed to in the index: a conversation (one customer's chat), or a manager's filters. */
export interface SearchScope {
  conversationId?: number;
  userId?: string;
  externalUserId?: string;
  roomId?: string;
  type?: string;
}

/**
 * The scope tokens a message is indexed with, as the SQLite triggers write them: `c` and the conversation id, then
 * `u`, `e`, `r`, `t` and the UTF-8 hex of the rep, customer, room and type (hex: an id with `-` or `@` stays one
 * token; FTS5 folds the triggers' upper-case hex to this lower case).
 */
export function sqliteScopeTokens(scope: SearchScope): string[] {
  const hex = (letter: string, value: string | undefined) =>
    value ? [letter + Buffer.from(value, 'utf8').toString('hex')] : [];
  return [
    ...(scope.conversationId !== undefined ? [`c${scope.conversationId}`] : []),
    ...hex('u', scope.userId),
    ...hex('e', scope.externalUserId),
    ...hex('r', scope.roomId),
    ...(scope.type !== TEXT ? hex('t', scope.type) : []),
  ];
}

/** The scope lexemes of a message on PostgreSQL, as the index expression (`DOCUMENT`) makes them. */
export function postgresScopeLexemes(scope: SearchScope): string[] {
  return [
    ...(scope.conversationId !== undefined ? [`c:${scope.conversationId}`] : []),
    ...(scope.userId ? [`u:${scope.userId}`] : []),
    ...(scope.externalUserId ? [`e:${scope.externalUserId}`] : []),
    ...(scope.roomId ? [`r:${scope.roomId}`] : []),
    ...(scope.type && scope.type !== TEXT ? [`t:${scope.type}`] : []),
  ];
}

/**
 * The words (and scope) of a query as an FTS5 expression: each quoted (words are letters and digits only, scope
 * tokens a letter and hex), all required, words only in `terms` and scope tokens only in `scope`.
 */
export function ftsExpression(words: string[], scope: SearchScope = {}): string {
  const quoted = (tokens: string[]) => tokens.map((t) => `"${t}"`).join(' ');
  const tokens = sqliteScopeTokens(scope);
  const terms = `{terms} : (${quoted(words)})`;
  return tokens.length > 0 ? `{scope} : (${quoted(tokens)}) AND ${terms}` : terms;
}

/** A tsquery of verbatim lexemes, all required, in tsquery's input syntax (quoted; quotes doubled, backslashes escaped). */
export function tsqueryOfLexemes(lexemes: string[]): string {
  return lexemes.map((l) => `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' & ');
}

/**
 * K of the first phase: up to K matches in the index are read and sorted by id; more, and the search walks the
 * messages newest first. A message's heap read costs about what checking 10–20 rows of a walk costs on PostgreSQL
 * (`to_tsvector` per row), so K is where reading every match starts to cost more than the walk to a page: within a
 * conversation (a page of 30 out of up to ~10,000 messages) lower than across the corp (20 out of millions).
 */
export interface DenseAfter {
  /** One customer's search (a conversation). */
  conversation: number;
  /** The managers' search. */
  corp: number;
  /** The managers' search first walks this many of the newest messages in its rep's, customer's or corp's. */
  walkFirst: number;
}

export const DENSE_AFTER: DenseAfter = { conversation: 300, corp: 2000, walkFirst: 1000 };

export function createMessageSearch(db: Database, options: { denseAfter?: DenseAfter } = {}) {
  const { messages, messageDays } = db.t;
  const denseAfter = options.denseAfter ?? DENSE_AFTER;

  /**
   * PostgreSQL: what the GIN index `messages_search` holds for a message. The same expression as in the migration
   * (migrations/postgres, messages_search_scope), or the planner does not use the index.
   */
  const document = sql`(to_tsvector('simple', ${messages.searchTerms}) || array_to_tsvector(array_remove(ARRAY['c:' || ${messages.conversationId}::text, 'u:' || ${messages.userId}, 'e:' || ${messages.externalUserId}, 'r:' || ${messages.roomId}, CASE WHEN ${messages.type} <> 'text' THEN 't:' || ${messages.type} END], NULL)))`;

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

  /**
   * A condition on `messages` true when the message has every word, for the walk newest first (the caller checks
   * the scope's columns itself). SQLite: the FTS index narrowed by the scope, read backwards. PostgreSQL: the words
   * checked on each row — deliberately not the indexed expression, so the planner walks an ordered index instead
   * of fetching every match through the GIN bitmap (the first phase has done that when it was cheap). A word lexeme
   * never has a colon, so the words alone match what the index's document matches.
   */
  function hasWords(words: string[], scope: SearchScope = {}): SQL {
    if (db.backend === 'postgres')
      // In a CASE, which the planner estimates true for half the rows (the walk runs when many match): as a bare
      // `@@` of two words it guessed one row in a chat and read all 10,000 rows, then sorted (65 ms, not 1).
      return sql`(CASE WHEN to_tsvector('simple', ${messages.searchTerms}) @@ plainto_tsquery('simple', ${words.join(' ')}) THEN true ELSE false END)`;
    return sql`${messages.id} IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${ftsExpression(words, scope)})`;
  }

  /**
   * A date range's id span (`message_days`, kept by triggers on `messages`): undefined without a range, null when
   * no message was ever sent in it. The walks stay inside it: without it, a word common in the archive but rare in
   * a past range was walked through every newer match.
   */
  async function idSpan(ex: Executor, corpId: string, f: SearchFilters): Promise<IdSpan | null | undefined> {
    if (f.from === undefined && f.to === undefined) return undefined;
    const c: SQL[] = [eq(messageDays.corpId, corpId)];
    if (f.from !== undefined) c.push(gte(messageDays.day, Math.floor(f.from / DAY_MS)));
    if (f.to !== undefined) c.push(lte(messageDays.day, Math.floor((f.to - 1) / DAY_MS)));
    const [row] = await ex
      .select({ lo: min(messageDays.minId), hi: max(messageDays.maxId) })
      .from(messageDays)
      .where(and(...c));
    if (row?.lo == null || row.hi == null) return null;
    return { lo: Number(row.lo), hi: Number(row.hi) };
  }

  /**
   * The first phase: ids of at most `cap` messages with every word in the scope, straight from the index, in no
   * order (no row is checked: the filters are applied after). On SQLite within `span` (FTS5 seeks a rowid range);
   * PostgreSQL's GIN bitmap has no order to seek, so its span is applied by the caller.
   */
  async function indexMatches(
    ex: Executor,
    words: string[],
    scope: SearchScope,
    cap: number,
    span?: IdSpan,
  ): Promise<number[]> {
    if (db.backend === 'postgres') {
      const lexemes = postgresScopeLexemes(scope);
      const inScope = lexemes.length > 0 ? sql` AND ${document} @@ ${tsqueryOfLexemes(lexemes)}::tsquery` : sql``;
      const rows = await db.rows<{ id: number }>(
        ex,
        sql`SELECT ${messages.id} AS id FROM ${messages}
            WHERE ${document} @@ plainto_tsquery('simple', ${words.join(' ')})${inScope} LIMIT ${cap}`,
      );
      return rows.map((r) => Number(r.id));
    }
    const within = span ? sql` AND rowid BETWEEN ${span.lo} AND ${span.hi}` : sql``;
    const rows = await db.rows<{ id: number }>(
      ex,
      sql`SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ${ftsExpression(words, scope)}${within} LIMIT ${cap}`,
    );
    return rows.map((r) => Number(r.id));
  }

  /**
   * The words' condition for a search within one conversation (the history's own order and keyset around it): the
   * ids themselves when the index has at most K matches in the conversation, else the walk's row check.
   */
  async function match(ex: Executor, words: string[], scope: { conversationId: number }): Promise<SQL> {
    const found = await indexMatches(ex, words, scope, denseAfter.conversation + 1);
    if (found.length > denseAfter.conversation) return hasWords(words, scope);
    return found.length > 0 ? inArray(messages.id, found) : sql`false`;
  }

  return {
    /** The query's words; empty when it has no letters or digits. */
    words: (q: string) => queryWords(q),

    hasWords,

    match,

    /**
     * Ids of matching messages, newest stored first (by id), `limit` of them after `before` (an id). With words: the
     * page if the newest `walkFirst` messages of the scope hold it; else the index's matches when at most K (read
     * by id); else the walk — SQLite the FTS index backwards, narrowed by the filters' scope tokens, PostgreSQL an
     * ordered index of `messages` — checking the filters on each row. Without words, the filters' indexes.
     */
    async ids(
      ex: Executor,
      corpId: string,
      query: SearchFilters & { words: string[]; before?: number; limit: number },
    ): Promise<number[]> {
      const filters = filterConditions(corpId, query);
      const span = await idSpan(ex, corpId, query);
      if (span === null) return [];
      // The ids the page may have: within the date range's span, below `before`.
      const lo = span?.lo;
      const hi = Math.min(span?.hi ?? Infinity, (query.before ?? Infinity) - 1);
      const idRange = [
        ...(lo !== undefined ? [gte(messages.id, lo)] : []),
        ...(hi < Infinity ? [lte(messages.id, hi)] : []),
      ];
      const conditions = [...filters, ...idRange];
      const scope: SearchScope = {
        userId: query.userId,
        externalUserId: query.externalUserId,
        roomId: query.roomId,
        type: query.type,
      };
      if (query.words.length === 0) {
        const rows = await ex
          .select({ id: messages.id })
          .from(messages)
          .where(and(...conditions))
          .orderBy(desc(messages.id))
          .limit(query.limit);
        return rows.map((r) => r.id);
      }
      /** Matches newest first, checking the messages with ids ≥ `since` (all when absent) in the id range. */
      const walk = async (since?: number): Promise<number[]> => {
        if (db.backend === 'sqlite') {
          // FTS first, always (CROSS JOIN fixes SQLite's join order): with a date range, SQLite otherwise drove
          // the join from `messages_time` and ran the MATCH once per message of the range (19 s for one day of
          // 86,400 messages). The id range bounds the FTS rowids, which FTS5 seeks.
          const lowest = Math.max(since ?? 0, lo ?? 0);
          const range = sql`${lowest > 0 ? sql` AND messages_fts.rowid >= ${lowest}` : sql``}${hi < Infinity ? sql` AND messages_fts.rowid <= ${hi}` : sql``}`;
          const rows = await db.rows<{ id: number }>(
            ex,
            sql`SELECT messages_fts.rowid AS id FROM messages_fts
                CROSS JOIN ${messages} ON ${messages.id} = messages_fts.rowid
                WHERE messages_fts MATCH ${ftsExpression(query.words, scope)}${range} AND ${and(...filters)}
                ORDER BY messages_fts.rowid DESC LIMIT ${query.limit}`,
          );
          return rows.map((r) => Number(r.id));
        }
        const rows = await ex
          .select({ id: messages.id })
          .from(messages)
          .where(
            and(...conditions, ...(since !== undefined ? [gte(messages.id, since)] : []), hasWords(query.words, scope)),
          )
          .orderBy(desc(messages.id))
          .limit(query.limit);
        return rows.map((r) => r.id);
      };

      // Phase 0: the newest `walkFirst` messages of the rep, customer or corp (an index range), walked. A common
      // word fills the page here, before the index would list its many matches (a GIN bitmap of 166,667 ids
      // takes 33 ms on PostgreSQL).
      // Any edge is right (the walk still checks every filter); this one is an index range on both backends: the
      // rep's or customer's messages (corp, user / customer, id), else all messages by id — not the corp's, which
      // SQLite reads through `messages_time` and sorts (800 ms at 2 M).
      const edgeConditions: SQL[] = [];
      if (query.userId) edgeConditions.push(eq(messages.corpId, corpId), eq(messages.userId, query.userId));
      else if (query.externalUserId)
        edgeConditions.push(eq(messages.corpId, corpId), eq(messages.externalUserId, query.externalUserId));
      if (hi < Infinity) edgeConditions.push(lte(messages.id, hi));
      const [edge] = await ex
        .select({ id: messages.id })
        .from(messages)
        .where(and(...edgeConditions))
        .orderBy(desc(messages.id))
        .limit(1)
        .offset(denseAfter.walkFirst - 1);
      if (!edge) return walk(); // fewer messages than that: the whole walk is as short
      const recent = await walk(edge.id);
      if (recent.length >= query.limit) return recent;

      // Phase 1: the index's matches, when at most K.
      const matched = await indexMatches(ex, query.words, scope, denseAfter.corp + 1, span);
      if (matched.length <= denseAfter.corp) {
        // All the matches (PostgreSQL's of the whole archive: those outside the id range go).
        const found = matched.filter((id) => id >= (lo ?? 0) && id <= hi);
        if (found.length === 0) return [];
        // The found rows first, by primary key, then the filters on them: fenced by the inner LIMIT (neither
        // backend merges such a subquery), or SQLite reads the corp's every message through `messages_time`
        // and keeps the found ones (220 ms at 2 M). The subquery is named as the table, so the filters apply.
        const rows = await db.rows<{ id: number }>(
          ex,
          sql`SELECT ${messages.id} AS id
              FROM (SELECT * FROM ${messages} WHERE ${inArray(messages.id, found)} LIMIT ${found.length}) AS ${messages}
              WHERE ${and(...conditions)} ORDER BY ${messages.id} DESC LIMIT ${query.limit}`,
        );
        return rows.map((r) => Number(r.id));
      }
      // Phase 2: many matches, the walk.
      return walk();
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
