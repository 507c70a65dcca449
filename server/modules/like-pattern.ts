import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/** `%text%` with LIKE's wildcards escaped, so user input like `%` or `_` matches itself only. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `column LIKE '%text%' ESCAPE '\'`: a substring match (ASCII case-insensitive, as SQLite's LIKE). */
export function contains(column: SQLWrapper, text: string): SQL {
  return sql`${column} LIKE ${containsPattern(text)} ESCAPE '\\'`;
}
