import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { DatabaseConfig } from '../../server/config.js';
import type { Database } from '../../server/db/database.js';
import { TEMPLATE_DATABASE } from './pg-setup.js';

/** The backend this test run uses: PostgreSQL under `npm run test:pg`, SQLite otherwise. */
export const testBackend: 'sqlite' | 'postgres' = process.env.TEST_PG_URL ? 'postgres' : 'sqlite';

/** A fresh SQLite file in its own folder (under the run's temp root). */
export function tempDatabasePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'scrm-test-')), 'scrm.db');
}

/**
 * A new PostgreSQL database on the run's cluster, copied from the migrated template; created synchronously so test
 * configs stay plain values.
 */
function freshPostgresDatabase(template = TEMPLATE_DATABASE): string {
  const base = new URL(process.env.TEST_PG_URL!);
  const name = `t_${randomBytes(6).toString('hex')}`;
  execFileSync('psql', [base.href, '-qAtc', `CREATE DATABASE ${name} TEMPLATE ${template}`], { stdio: 'pipe' });
  base.pathname = `/${name}`;
  return base.href;
}

/** A new PostgreSQL database with nothing in it, not even the migrations (`npm run test:pg` only). */
export function emptyPostgresDatabase(): string {
  if (testBackend !== 'postgres') throw new Error('emptyPostgresDatabase needs npm run test:pg');
  return freshPostgresDatabase('template0');
}

/** A database of its own for one test app, on the run's backend. */
export function testDatabase(): DatabaseConfig {
  return testBackend === 'postgres'
    ? { backend: 'postgres', url: freshPostgresDatabase() }
    : { backend: 'sqlite', path: tempDatabasePath() };
}

/** Row counts of every table: "the database is unchanged" means this snapshot is equal. */
export async function tableCounts(db: Database): Promise<Record<string, number>> {
  const tables =
    db.backend === 'postgres'
      ? await db.rows<{ name: string }>(db, sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)
      : await db.rows<{ name: string }>(
          db,
          sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`,
        );
  // One statement for every table: a probe counts the database before and after each of hundreds of requests, and a
  // round trip per table made the CSRF probe on PostgreSQL brush its 30 s limit (it timed out once in CI).
  const names = tables.map((t) => t.name).sort((a, b) => a.localeCompare(b));
  const counts: Record<string, number> = {};
  if (names.length === 0) return counts;
  const selects = names.map(
    (name) => sql`SELECT CAST(${name} AS text) AS name, count(*) AS n FROM ${sql.identifier(name)}`,
  );
  const rows = await db.rows<{ name: string; n: number | string }>(db, sql.join(selects, sql` UNION ALL `));
  for (const name of names) counts[name] = Number(rows.find((r) => r.name === name)!.n);
  return counts;
}
