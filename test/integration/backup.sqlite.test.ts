import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { backupDatabase } from '../../scripts/backup.js';
import { and, eq } from 'drizzle-orm';
import { appTableCounts, startApp, tempDatabasePath, testConfig, waitFor } from '../support/app.js';
import { CORP } from '../support/scrm.js';

let app: App;
afterEach(async () => app?.close());

describe('backup', () => {
  it('copies a consistent snapshot of the live database and its secret key', async () => {
    // `npm run backup` copies the SQLite file: this test is about that file.
    const databasePath = tempDatabasePath();
    const config = testConfig({ database: { backend: 'sqlite', path: databasePath } });
    app = await startApp(config);
    const sim = await app.inject({
      method: 'POST',
      url: '/emulator/_simulate',
      payload: { changeType: 'add_external_contact', userId: 'zhangwei', name: '备份测试客户' },
    });
    const { externalUserId } = sim.json() as { externalUserId: string };
    const { contacts } = app.db.t;
    await waitFor(
      async () =>
        (
          await app.db
            .select({ id: contacts.externalUserId })
            .from(contacts)
            .where(and(eq(contacts.corpId, CORP), eq(contacts.externalUserId, externalUserId)))
        ).length > 0,
      'the contact',
    );

    const destination = mkdtempSync(join(tmpdir(), 'scrm-backup-'));
    const written = await backupDatabase(databasePath, destination);
    expect(written).toEqual([join(destination, 'scrm.db'), join(destination, 'secret.key')]);

    const copy = new Database(join(destination, 'scrm.db'), { readonly: true });
    const name = copy.prepare('SELECT name FROM contacts WHERE external_user_id = ?').get(externalUserId) as {
      name: string;
    };
    expect(name.name).toBe('备份测试客户');
    const live = await appTableCounts(app);
    expect((copy.prepare('SELECT count(*) AS n FROM contacts').get() as { n: number }).n).toBe(live.contacts);
    copy.close();
    expect(readFileSync(join(destination, 'secret.key'), 'utf8')).toBe(
      readFileSync(join(dirname(databasePath), 'secret.key'), 'utf8'),
    );
  });

  it('refuses a database that does not exist, writing nothing', async () => {
    const destination = join(mkdtempSync(join(tmpdir(), 'scrm-backup-')), 'out');
    await expect(backupDatabase('/nonexistent/scrm.db', destination)).rejects.toThrow();
    expect(existsSync(destination)).toBe(false);
  });
});
