import { existsSync, statSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { startApp, tempDatabasePath, testConfig, waitFor } from '../support/app.js';
import { settled, simulate } from '../support/scrm.js';

/** The SQLite file under the callback path: its WAL and the checkpointer thread. */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('durability of the SQLite file', () => {
  it('the checkpointer thread copies committed pages into the file, and closing the app leaves no WAL behind', async () => {
    const databasePath = tempDatabasePath();
    app = await startApp(testConfig({ database: { backend: 'sqlite', path: databasePath } }));
    const db = app.db;
    const { externalUserId } = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei' });
    await settled(app, externalUserId);
    const pragma = async (name: 'page_count' | 'page_size') =>
      Number(Object.values((await db.rows(db, sql.raw(`PRAGMA ${name}`)))[0]!)[0]);
    const bytes = async () => (await pragma('page_count')) * (await pragma('page_size'));
    // Far fewer pages than the auto-checkpoint threshold (10,000) were written: only the thread copies them.
    expect(await bytes()).toBeLessThan(10_000 * 8192);
    await waitFor(async () => statSync(databasePath).size === (await bytes()), 'the database file to hold every page');
    // The thread's connection closes first, so the server's is the last one and takes the WAL with it.
    await app.close();
    app = undefined;
    expect(existsSync(`${databasePath}-wal`)).toBe(false);
  });
});
