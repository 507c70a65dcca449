import { sql } from 'drizzle-orm';
import * as pg from 'drizzle-orm/pg-core';
import * as lite from 'drizzle-orm/sqlite-core';

/**
 * The column kit the schema is written with, once, for both dialects (server/db/schema/). Each dialect gets real
 * tables of its own core (sqlite-core for SQLite, pg-core for PostgreSQL), so drizzle-kit generates each dialect's
 * migrations from them and each driver maps its own types. The TypeScript types are the SQLite kit's: repos are
 * typed against one shape, and the PostgreSQL kit is cast to it here, the one cast of the data layer. The shapes
 * agree where repos can see them: every column's JavaScript type is the same on both (numbers, strings, booleans,
 * JSON values), which the schema parity test checks column by column.
 */
export const sqliteKit = {
  dialect: 'sqlite' as 'sqlite' | 'postgres',
  table: lite.sqliteTable,
  /** An auto-increment integer primary key. */
  id: (name: string) => lite.integer(name).primaryKey({ autoIncrement: true }),
  text: lite.text,
  /** A 32-bit integer: counts, orders, ids of other tables. */
  int: (name: string) => lite.integer(name),
  /** A moment as unix epoch milliseconds (64-bit on PostgreSQL). */
  ms: (name: string) => lite.integer(name),
  bool: (name: string) => lite.integer(name, { mode: 'boolean' }),
  /** A JSON value (text on SQLite, jsonb on PostgreSQL), parsed and serialised by drizzle. */
  json: <T>(name: string) => lite.text(name, { mode: 'json' }).$type<T>(),
  /** The current time in epoch milliseconds, as a column default. */
  nowMs: () => sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`,
  index: lite.index,
  uniqueIndex: lite.uniqueIndex,
  primaryKey: lite.primaryKey,
};

export type Kit = typeof sqliteKit;

const pgKitReal = {
  dialect: 'postgres' as const,
  table: pg.pgTable,
  id: (name: string) => pg.integer(name).primaryKey().generatedByDefaultAsIdentity(),
  text: pg.text,
  int: (name: string) => pg.integer(name),
  ms: (name: string) => pg.bigint(name, { mode: 'number' }),
  bool: (name: string) => pg.boolean(name),
  json: <T>(name: string) => pg.jsonb(name).$type<T>(),
  nowMs: () => sql`(floor(extract(epoch from clock_timestamp()) * 1000)::bigint)`,
  index: pg.index,
  uniqueIndex: pg.uniqueIndex,
  primaryKey: pg.primaryKey,
};

/** PostgreSQL's kit behind the SQLite kit's types (see above). */
export const pgKit = pgKitReal as unknown as Kit;
