import type Database from 'better-sqlite3';

/**
 * Reuses compiled statements. drizzle's query builders call `prepare()` for every execution, and compiling the SQL
 * costs more than running it on the hot paths (inbox, jobs, timeline: several statements per customer add). The
 * same SQL text always yields an equivalent statement, so a bounded LRU keyed by the text is safe; the statement's
 * `raw` mode (which drizzle flips per call) is reset on the way out, and nothing here uses `iterate()`, the one way
 * a statement stays busy after its call returns.
 */
export function cacheStatements(sqlite: Database.Database, max = 500): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source);
      cache.set(source, stmt);
      if (stmt.reader) stmt.raw(false);
      return stmt;
    }
    stmt = prepare(source);
    cache.set(source, stmt);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return stmt;
  }) as Database.Database['prepare'];
}
