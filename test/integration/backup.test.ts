import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { backupDatabase } from '../../scripts/backup.js';
import { startApp, tableCounts, testConfig, waitFor } from '../support/app.js';

let app: App;
afterEach(async () => app?.close());

describe('backup', () => {
  it('copies a consistent snapshot of the live database and its secret key', async () => {
    const config = testConfig();
    app = await startApp(config);
    const sim = await app.inject({
      method: 'POST',
      url: '/emulator/_simulate',
      payload: { changeType: 'add_external_contact', userId: 'zhangwei', name: '备份测试客户' },
    });
    const { externalUserId } = sim.json() as { externalUserId: string };
    await waitFor(
      () => app.db.$client.prepare('SELECT 1 FROM contacts WHERE external_user_id = ?').get(externalUserId),
      'the contact',
    );

    const destination = mkdtempSync(join(tmpdir(), 'scrm-backup-'));
    const written = await backupDatabase(config.databasePath, destination);
    expect(written).toEqual([join(destination, 'scrm.db'), join(destination, 'secret.key')]);

    const copy = new Database(join(destination, 'scrm.db'), { readonly: true });
    const name = copy.prepare('SELECT name FROM contacts WHERE external_user_id = ?').get(externalUserId) as {
      name: string;
    };
    expect(name.name).toBe('备份测试客户');
    const live = tableCounts(app);
    expect((copy.prepare('SELECT count(*) AS n FROM contacts').get() as { n: number }).n).toBe(live.contacts);
    copy.close();
    expect(readFileSync(join(destination, 'secret.key'), 'utf8')).toBe(
      readFileSync(join(dirname(config.databasePath), 'secret.key'), 'utf8'),
    );
  });

  it('refuses a database that does not exist, writing nothing', async () => {
    const destination = join(mkdtempSync(join(tmpdir(), 'scrm-backup-')), 'out');
    await expect(backupDatabase('/nonexistent/scrm.db', destination)).rejects.toThrow();
    expect(existsSync(destination)).toBe(false);
  });
});
