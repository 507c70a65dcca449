import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/** `%text%` with LIKE's wildcards escaped, so user input like `%` or `_` matches itself only. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A case-insensitive substring match on both backends: `lower(column) LIKE lower('%text%') ESCAPE '\'`. SQLite's LIKE
 * ignores ASCII case and PostgreSQL's does not, so both sides are lowered in SQL, by the same function: SQLite's
 * lower() folds ASCII only and PostgreSQL's folds Unicode, and each compares what it folded itself.
 */
export function contains(column: SQLWrapper, text: string): SQL {
  return sql`lower(${column}) LIKE lower(${containsPattern(text)}) ESCAPE '\\'`;
}
