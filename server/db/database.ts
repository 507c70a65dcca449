import type { SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Tables } from './schema/index.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * What a repo runs its statements on: the database itself (each statement commits on its own) or the `tx` of a
 * unit of work. Typed as drizzle's async SQLite database; on PostgreSQL the object is a node-postgres database with
 * the same query builders (select/insert/update/delete, returning, onConflict…). Use only what both have: await a
 * builder for its rows, `.returning()` for what a write touched; never `.get()`, `.all()`, `.run()` or `.values()`
 * (SQLite only; the lint config forbids them outside server/db/).
 */
export type Executor = BaseSQLiteDatabase<'async', unknown>;

export interface TxOptions {
  /**
   * PostgreSQL isolation. Default `serializable`: a transaction behaves as if it ran alone, as on SQLite, and a
   * conflict reruns it (so the function must have no effects outside the database). `read committed` is for
   * statements that coordinate with row locks themselves (queue claims).
   */
  isolation?: 'serializable' | 'read committed';
}

export interface DatabaseExtras {
  readonly backend: Dialect;
  /** The tables of this backend (one shape for both; server/db/kit.ts). */
  readonly t: Tables;
  /**
   * Runs `fn` as one transaction: committed when it resolves, rolled back when it throws. Pass `tx` to every repo
   * call inside; never await network calls inside (on SQLite the transaction holds the only connection). Typed
   * database errors (UniqueViolation …) come out of here unwrapped.
   */
  tx<T>(fn: (tx: Executor) => Promise<T>, options?: TxOptions): Promise<T>;
  /** Runs `fn` once the current transaction commits (dropped if it rolls back); at once outside a transaction. */
  afterCommit(fn: () => void): void;
  /**
   * A statement of fixed shape, built once per executor and run with its `sql.placeholder(…)` values. drizzle
   * otherwise rebuilds a query's SQL text on every call, which on the add path cost more than SQLite running it.
   * `build` must give the same shape every time (values only through placeholders); the result is the builder's rows
   * (a select, or a write with `.returning()`). `name` identifies the shape (PostgreSQL's named statement).
   */
  prepared<P extends object, R>(
    name: string,
    build: (ex: Executor) => PromiseLike<R> & { prepare(): unknown },
  ): (ex: Executor, params: P) => Promise<R>;
  /**
   * A hand-written statement of fixed shape, run often (the queues' claims and settles). `build` receives a function
   * that stands for a named value (`v('now')`) and must give the same SQL for any values. SQLite turns it into text
   * once and binds each call's values; PostgreSQL builds it with the values at each call.
   */
  compiled<P extends Record<string, unknown>>(build: (v: (name: keyof P & string) => unknown) => SQL): Compiled<P>;
  /** Rows of a hand-written query (named columns as in the SQL), on `ex`. For server/db/ and reporting SQL. */
  rows<T extends Record<string, unknown>>(ex: Executor, query: SQL): Promise<T[]>;
  /** Runs a hand-written statement on `ex`; resolves to the number of rows it changed. */
  exec(ex: Executor, query: SQL): Promise<number>;
  /**
   * Resolves once everything committed so far survives a power failure. SQLite commits with synchronous=NORMAL
   * (no fsync on the event loop) and this syncs the WAL on libuv's thread pool; PostgreSQL commits durably already.
   */
  durable(): Promise<void>;
  /** Closes the connection(s); the database is unusable afterwards. */
  close(): Promise<void>;
}

/** A statement made by `Database.compiled`. */
export interface Compiled<P> {
  /** Its rows (a SELECT, or a write with RETURNING), named as in the SQL. */
  rows<R extends Record<string, unknown>>(ex: Executor, values: P): Promise<R[]>;
  /** Runs it; resolves to the number of rows it changed. */
  exec(ex: Executor, values: P): Promise<number>;
}

/** The application's database: a plain executor plus the unit of work and dialect helpers. */
export type Database = Executor & DatabaseExtras;
