import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';
import { cacheStatements } from './statement-cache.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Opens the SQLite file (or `:memory:`), sets the pragmas the server relies on and applies the
 * committed migrations. WAL lets the worker write while requests read; the busy timeout covers
 * the rare overlap with a backup or an external reader.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  // 8 KB pages for a new file (an existing one keeps its size): the inbox rows (~1.3 KB) need fewer page splits and
  // fewer WAL frames per commit, ~12 % less time per inserted event than with 4 KB pages.
  sqlite.pragma('page_size = 8192');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's default auto-checkpoint (1,000 pages, 8 MB) stays as the bound on the WAL: the server's checkpointer thread
  // (db/checkpointer.ts) copies and syncs the frames first, so the auto-checkpoint mostly finds its work done and the
  // WAL restarts from its beginning. Larger intervals let the WAL grow and stalled the event loop (callback p99 27-33 ms
  // with 5,000 pages); with no auto-checkpoint the thread alone cannot catch up with a storm's writes.
  // 64 MB of page cache (default 2 MB): the inbox's key index and the customer tables stay in memory.
  sqlite.pragma('cache_size = -65536');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  cacheStatements(sqlite);
  return db;
}
