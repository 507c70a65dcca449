import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite from 'better-sqlite3';
import { fillPlaceholders, is, sql as sqlTag, type SQL } from 'drizzle-orm';
import { drizzle as drizzleMigrator } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { drizzle, type SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy';
import type { Compiled, Database, Executor } from './database.js';
import { TransactionMisuse, typedDbError, UniqueViolation } from './errors.js';
import { Lock } from './lock.js';
import { migrationsFolder } from './migrations.js';
import * as tables from './sqlite-schema.js';
import { cacheStatements } from './statement-cache.js';

type Method = 'run' | 'all' | 'values' | 'get';
interface TxState {
  open: boolean;
  committed: Array<() => void>;
}
const syncData = promisify(fdatasync);

/** "UNIQUE constraint failed: t.a, t.b" → the schema's name for that index (`t_pkey` for a primary key). */
function uniqueIndexNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const table of Object.values(tables)) {
    if (!is(table, SQLiteTable)) continue;
    const config = getTableConfig(table);
    const key = (cols: string[]) => `${config.name}:${cols.join(',')}`;
    for (const pk of config.primaryKeys) names.set(key(pk.columns.map((c) => c.name)), `${config.name}_pkey`);
    for (const col of config.columns) if (col.primary) names.set(key([col.name]), `${config.name}_pkey`);
    for (const index of config.indexes) {
      if (!index.config.unique) continue;
      const cols = index.config.columns.map((c) => ('name' in c ? (c.name as string) : ''));
      names.set(key(cols), index.config.name);
    }
  }
  return names;
}

function pragmas(sqlite: BetterSqlite.Database): void {
  // 8 KB pages for a new file (an existing one keeps its size): the inbox rows (~1.3 KB) need fewer page splits and
  // fewer WAL frames per commit, ~12 % less time per inserted event than with 4 KB pages.
  sqlite.pragma('page_size = 8192');
  sqlite.pragma('journal_mode = WAL');
  // Commits do not fsync on the event loop; `durable()` syncs the WAL on the thread pool for what must survive a
  // power failure (acknowledged callbacks), so those commits are as safe as with synchronous = FULL.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The server's checkpointer thread (db/checkpointer.ts) copies and syncs the WAL's frames while writes flow; this
  // auto-checkpoint (10,000 pages, 80 MB) only bounds the WAL and finds its work mostly done. With SQLite's default of
  // 1,000 pages the WAL restarted every ~0.3 s of a callback storm, and rewriting pages still under writeback blocked
  // the event loop 4-8 % of the time: 17.6-18.1k against 18.7-20.8k callbacks/s (npm run bench -- callback, A/B).
  sqlite.pragma('wal_autocheckpoint = 10000');
  // 64 MB of page cache (default 2 MB): the inbox's key index and the customer tables stay in memory.
  sqlite.pragma('cache_size = -65536');
}

/**
 * Opens the SQLite file (or `:memory:`) with the pragmas the server relies on and the committed migrations applied.
 *
 * One connection serves the process. drizzle's SQLite proxy driver runs every statement through `execute` below, so
 * statements are async like PostgreSQL's while better-sqlite3 stays synchronous underneath. A transaction holds a
 * lock across its awaits; statements outside it wait for the lock, so they never land inside someone else's
 * transaction. The transaction's own context (AsyncLocalStorage) catches the two mistakes that would deadlock or
 * escape it: a nested `tx`, and the plain handle used where `tx` was meant.
 */
export function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new BetterSqlite(path);
  pragmas(sqlite);
  migrate(drizzleMigrator(sqlite), { migrationsFolder: migrationsFolder('sqlite') });
  cacheStatements(sqlite);

  const lock = new Lock();
  const context = new AsyncLocalStorage<TxState>();
  let uniqueNames: Map<string, string> | undefined;

  function translate(err: unknown): unknown {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      const columns = /constraint failed: (.*)$/.exec((err as Error).message)?.[1] ?? '';
      const table = columns.split('.')[0] ?? '';
      const key = `${table}:${columns
        .split(', ')
        .map((c) => c.split('.')[1])
        .join(',')}`;
      uniqueNames ??= uniqueIndexNames();
      return new UniqueViolation(uniqueNames.get(key) ?? key, { cause: err });
    }
    return err;
  }

  function execute(text: string, params: unknown[], method: Method | 'objects'): { rows: unknown } {
    try {
      const stmt = sqlite.prepare(text);
      if (!stmt.reader) {
        const result = stmt.run(params);
        return { rows: method === 'run' ? result : [] };
      }
      if (method === 'objects') return { rows: stmt.raw(false).all(params) };
      stmt.raw(true);
      if (method === 'get') return { rows: stmt.get(params) };
      const rows = stmt.all(params);
      return { rows: method === 'run' ? { changes: rows.length } : rows };
    } catch (err) {
      throw translate(err);
    }
  }

  const insideTx = () => context.getStore()?.open === true;

  /** Outside a transaction: run now, or after the transaction that holds the connection. */
  async function executeRoot(text: string, params: unknown[], method: Method | 'objects') {
    if (insideTx()) throw new TransactionMisuse('the plain database handle was used inside a transaction: pass tx');
    if (!lock.busy) return execute(text, params, method);
    await lock.acquire();
    try {
      return execute(text, params, method);
    } finally {
      lock.release();
    }
  }

  /** Inside `tx`: the lock is ours. */
  function executeTx(text: string, params: unknown[], method: Method | 'objects') {
    if (!insideTx()) throw new TransactionMisuse('a transaction handle was used after its transaction ended');
    return execute(text, params, method);
  }

  const root = drizzle((text, params, method) => executeRoot(text, params, method) as never);
  const txDb: SqliteRemoteDatabase = drizzle(
    (text, params, method) => Promise.resolve(executeTx(text, params, method)) as never,
  );
  /** The transaction's handle runs inside the transaction; any other executor is the plain handle. */
  const runOn = (ex: Executor) => (ex === (txDb as unknown) ? executeTx : executeRoot);
  const dialect = (root as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } } }).dialect;

  let walFd: number | null = null;
  let syncing: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  /** fdatasync of any descriptor of the WAL file flushes the commits written through SQLite's own descriptor. */
  const syncWal = (): Promise<void> => {
    walFd ??= openSync(walPath!, 'r');
    syncing = syncData(walFd).finally(() => {
      syncing = null;
    });
    return syncing;
  };
  const walPath = path === ':memory:' ? null : `${resolve(path)}-wal`;

  const extras = {
    backend: 'sqlite' as const,
    t: tables,
    async tx<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      if (insideTx()) throw new TransactionMisuse('nested transaction: pass tx down instead of opening another');
      await lock.acquire();
      const state: TxState = { open: true, committed: [] };
      try {
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          const result = await context.run(state, () => fn(txDb));
          sqlite.exec('COMMIT');
          state.open = false;
          for (const committed of state.committed) committed();
          return result;
        } catch (err) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
          throw typedDbError(err) ?? err;
        }
      } finally {
        state.open = false;
        lock.release();
      }
    },
    afterCommit(fn: () => void): void {
      const state = context.getStore();
      if (state?.open) state.committed.push(fn);
      else fn();
    },
    prepared<P extends object, R>(
      _name: string,
      build: (ex: Executor) => PromiseLike<R> & { prepare(): unknown },
    ): (ex: Executor, params: P) => Promise<R> {
      // Two executors exist (the plain handle and the one transaction handle), so each shape is built twice at most.
      const built = new WeakMap<object, { execute(values: P): Promise<R> }>();
      return (ex, params) => {
        let query = built.get(ex);
        if (!query) {
          query = build(ex).prepare() as { execute(values: P): Promise<R> };
          built.set(ex, query);
        }
        return query.execute(params);
      };
    },
    compiled<P extends Record<string, unknown>>(build: (v: (name: keyof P & string) => unknown) => SQL): Compiled<P> {
      const q = dialect.sqlToQuery(build((name) => sqlTag.placeholder(name)));
      return {
        async rows<R extends Record<string, unknown>>(ex: Executor, values: P): Promise<R[]> {
          return (await runOn(ex)(q.sql, fillPlaceholders(q.params, values), 'objects')).rows as R[];
        },
        async exec(ex: Executor, values: P): Promise<number> {
          const result = await runOn(ex)(q.sql, fillPlaceholders(q.params, values), 'run');
          return (result.rows as { changes: number }).changes;
        },
      };
    },
    async rows<R extends Record<string, unknown>>(ex: Executor, query: SQL): Promise<R[]> {
      const q = dialect.sqlToQuery(query);
      return (await runOn(ex)(q.sql, q.params, 'objects')).rows as R[];
    },
    async exec(ex: Executor, query: SQL): Promise<number> {
      const q = dialect.sqlToQuery(query);
      return ((await runOn(ex)(q.sql, q.params, 'run')).rows as { changes: number }).changes;
    },
    async durable(): Promise<void> {
      if (!walPath) return;
      // A sync already running may have started before the caller's commit: the caller waits for the next one, which
      // every caller arriving meanwhile shares. At most one sync runs and one waits, however many commits ask.
      if (syncing) {
        next ??= syncing.then(() => {
          next = null;
          return syncWal();
        });
        return next;
      }
      return syncWal();
    },
    async close(): Promise<void> {
      if (walFd !== null) closeSync(walFd);
      walFd = null;
      sqlite.close();
    },
  };
  const database = Object.assign(root, extras, {
    transaction() {
      throw new TransactionMisuse('use db.tx(), not drizzle transaction()');
    },
  });
  return database as unknown as Database;
}
