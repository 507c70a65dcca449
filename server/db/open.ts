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
  // The server's checkpointer thread (db/checkpointer.ts) copies and syncs the WAL's frames while writes flow; this
  // auto-checkpoint (10,000 pages, 80 MB) only bounds the WAL and finds its work mostly done. With SQLite's default of
  // 1,000 pages the WAL restarted every ~0.3 s of a callback storm, and rewriting pages still under writeback blocked
  // the event loop 4-8 % of the time: 17.6-18.1k against 18.7-20.8k callbacks/s (npm run bench -- callback, A/B).
  // Without the thread, large intervals stalled the event loop in one big checkpoint (p99 27-33 ms at 5,000 pages).
  sqlite.pragma('wal_autocheckpoint = 10000');
  // 64 MB of page cache (default 2 MB): the inbox's key index and the customer tables stay in memory.
  sqlite.pragma('cache_size = -65536');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  cacheStatements(sqlite);
  return db;
}
