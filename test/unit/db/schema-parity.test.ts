import { is } from 'drizzle-orm';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { pgKit, sqliteKit } from '../../../server/db/kit.js';
import * as pgTables from '../../../server/db/pg-schema.js';
import { defineSchema } from '../../../server/db/schema/index.js';
import * as sqliteTables from '../../../server/db/sqlite-schema.js';

/** A dialect-neutral description of a table: what repos can rely on being the same on both backends. */
function describeTable(config: ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>) {
  const jsType = (c: { dataType: string; columnType: string }) =>
    c.columnType.endsWith('Json') || c.columnType === 'PgJsonb' || c.columnType === 'SQLiteTextJson'
      ? 'json'
      : c.dataType;
  return {
    name: config.name,
    columns: config.columns
      .map((c) => ({
        name: c.name,
        type: jsType(c),
        notNull: c.notNull,
        hasDefault: c.hasDefault,
        primary: c.primary,
        enum: c.enumValues ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    primaryKeys: config.primaryKeys.map((pk) => pk.columns.map((c) => c.name)),
    indexes: config.indexes
      .map((i) => ({
        name: i.config.name ?? '',
        unique: i.config.unique,
        columns: i.config.columns.map((c) => ('name' in c ? c.name : '?')),
        partial: i.config.where !== undefined,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return `${ref.columns.map((c) => c.name).join(',')}→${ref.foreignColumns.map((c) => c.name).join(',')}`;
      })
      .sort(),
  };
}

describe('one schema, two dialects', () => {
  const tableNames = Object.keys(defineSchema(sqliteKit)).sort();

  it('each dialect file exports every table the schema defines, and nothing else', () => {
    expect(Object.keys(sqliteTables).sort()).toEqual(tableNames);
    expect(Object.keys(pgTables).sort()).toEqual(tableNames);
    expect(Object.keys(defineSchema(pgKit)).sort()).toEqual(tableNames);
  });

  it('the tables are real tables of each dialect', () => {
    for (const name of tableNames) {
      expect(is((sqliteTables as Record<string, unknown>)[name], SQLiteTable), name).toBe(true);
      expect(is((pgTables as Record<string, unknown>)[name], PgTable), name).toBe(true);
    }
  });

  it('tables, columns, JavaScript types, nullability, defaults, keys and indexes agree', () => {
    for (const name of tableNames) {
      const lite = describeTable(sqliteConfig((sqliteTables as unknown as Record<string, SQLiteTable>)[name]!));
      const pg = describeTable(pgConfig((pgTables as unknown as Record<string, PgTable>)[name]!));
      expect(pg, name).toEqual(lite);
    }
  });
});
