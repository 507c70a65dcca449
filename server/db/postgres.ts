import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Compiled, Database, Executor, TxOptions } from './database.js';
import { SerializationFailure, TransactionMisuse, typedDbError } from './errors.js';
import { migrationsFolder } from './migrations.js';
import * as tables from './pg-schema.js';

/** pg_advisory_lock key held while migrations run, so instances starting together apply them once. */
const MIGRATION_LOCK = 0x5c4d_0001;
/** A serialisation conflict reruns the transaction this many times before giving up. */
const MAX_TX_ATTEMPTS = 12;

/**
 * bigint and numeric come back as JavaScript numbers (epoch milliseconds, counts, averages), as on SQLite. Set on
 * pg's global parsers: drizzle passes its own per-query parser table, which falls back to the global one.
 */
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);

export interface PostgresOptions {
  /** Connections in this instance's pool. */
  poolSize?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

async function applyMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder('postgres') });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * Connects to PostgreSQL (node-postgres pool through drizzle) and applies the committed migrations under an advisory
 * lock. Transactions are SERIALIZABLE and rerun on a serialisation conflict, so a unit of work written for SQLite's
 * single writer stays correct with several instances; the plain handle outside transactions autocommits.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'wecom-scrm',
    // A plan per execution, never a cached generic one: a generic plan is chosen from the statistics of its sixth
    // run, which on a new database (or after a burst of growth) are those of near-empty tables, and a sequential
    // scan chosen then stays. A lookup of one relationship by its unique key took 0.62 ms at 6,000 rows, 0.18 ms
    // planned each time (npm run bench -- welcome, PostgreSQL's statement statistics).
    options: '-c plan_cache_mode=force_custom_plan',
  });
  // An idle client's error (the server restarted) must not crash the process; the pool replaces the client.
  pool.on('error', () => {});
  await applyMigrations(pool);

  const context = new AsyncLocalStorage<{ open: boolean; committed: Array<() => void> }>();
  const insideTx = () => context.getStore()?.open === true;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
    if (insideTx()) throw new TransactionMisuse('the plain database handle was used inside a transaction: pass tx');
    return query(...args);
  };
  const root: NodePgDatabase = drizzle(pool);
  const transaction = root.transaction.bind(root);

  const extras = {
    backend: 'postgres' as const,
    t: tables,
    async tx<T>(fn: (tx: Executor) => Promise<T>, txOptions: TxOptions = {}): Promise<T> {
      if (insideTx()) throw new TransactionMisuse('nested transaction: pass tx down instead of opening another');
      const isolationLevel = txOptions.isolation ?? 'serializable';
      for (let attempt = 1; ; attempt++) {
        const state = { open: true, committed: [] as Array<() => void> };
        try {
          const result = await transaction((tx) => context.run(state, () => fn(tx as unknown as Executor)), {
            isolationLevel,
          });
          state.open = false;
          for (const committed of state.committed) committed();
          return result;
        } catch (err) {
          const typed = typedDbError(err);
          if (typed instanceof SerializationFailure && attempt < MAX_TX_ATTEMPTS) {
            await sleep(Math.random() * 5 * attempt);
            continue;
          }
          throw typed ?? err;
        } finally {
          state.open = false;
        }
      }
    },
    afterCommit(fn: () => void): void {
      const state = context.getStore();
      if (state?.open) state.committed.push(fn);
      else fn();
    },
    prepared<P extends object, R>(
      name: string,
      build: (ex: Executor) => PromiseLike<R> & { prepare(): unknown },
    ): (ex: Executor, params: P) => Promise<R> {
      // A named statement: node-postgres parses it once per connection. A transaction's handle is new each time, so
      // only the plain handle's query object is kept.
      type Prepared = { execute(values: P): Promise<R> };
      const prepare = (ex: Executor) => (build(ex) as unknown as { prepare(n: string): Prepared }).prepare(name);
      let plain: Prepared | undefined;
      return (ex, params) => {
        if (ex === (database as unknown)) return (plain ??= prepare(ex)).execute(params);
        return prepare(ex).execute(params);
      };
    },
    compiled<P extends Record<string, unknown>>(build: (v: (name: keyof P & string) => unknown) => SQL): Compiled<P> {
      // node-postgres sends the text and values apart anyway; building the SQL costs little beside the round trip.
      const at = (values: P) => build((name) => values[name]);
      return {
        rows: (ex, values) => extras.rows(ex, at(values)),
        exec: (ex, values) => extras.exec(ex, at(values)),
      };
    },
    async rows<R extends Record<string, unknown>>(ex: Executor, q: SQL): Promise<R[]> {
      const result = await (ex as unknown as NodePgDatabase).execute(q);
      return result.rows as R[];
    },
    async exec(ex: Executor, q: SQL): Promise<number> {
      const result = await (ex as unknown as NodePgDatabase).execute(q);
      return result.rowCount ?? 0;
    },
    async durable(): Promise<void> {
      // synchronous_commit is on: a commit has reached the WAL on disk before PostgreSQL answers.
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
  const database = Object.assign(root, extras, {
    transaction() {
      throw new TransactionMisuse('use db.tx(), not drizzle transaction()');
    },
  });
  return database as unknown as Database;
}
