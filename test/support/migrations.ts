import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { tempDatabasePath } from './database.js';

/** The committed SQLite migrations, cut after `count` entries: a database as an older release left it. */
export function migrationsUpTo(count: number): string {
  const folder = mkdtempSync(join(tmpdir(), 'scrm-migrations-'));
  cpSync('migrations/sqlite', folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

/** A new SQLite file with the first `count` committed migrations applied: the database an older release left. */
export function olderSqliteDatabase(count: number): { path: string; sqlite: BetterSqlite.Database } {
  const path = tempDatabasePath();
  const sqlite = new BetterSqlite(path);
  migrate(drizzle(sqlite), { migrationsFolder: migrationsUpTo(count) });
  return { path, sqlite };
}
