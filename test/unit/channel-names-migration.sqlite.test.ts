import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../server/db/errors.js';
import { openDatabase } from '../../server/db/open.js';
import { olderSqliteDatabase } from '../support/migrations.js';

describe('migration 0006 (unique live channel names per corp)', () => {
  it('renames the later duplicates of an older database, then refuses a new duplicate', async () => {
    // A SQLite file as the release before 0006 left it.
    const { path, sqlite } = olderSqliteDatabase(6);
    const corp = sqlite.prepare(
      `INSERT INTO corps (corp_id, name, agent_id, secret_sealed, token_sealed, encoding_aes_key_sealed)
       VALUES (?, ?, 1, '', '', '')`,
    );
    corp.run('ww1', 'A');
    corp.run('ww2', 'B');
    const channel = sqlite.prepare(
      `INSERT INTO channels (corp_id, name, state, config_id, qr_code, deleted_at) VALUES (?, ?, ?, '', '', ?)`,
    );
    channel.run('ww1', '门店海报', 's1', null); // id 1: the oldest keeps the name
    channel.run('ww1', '门店海报', 's2', null); // id 2
    channel.run('ww1', '门店海报', 's3', 1000); // id 3: deleted, left alone
    channel.run('ww1', '门店海报', 's4', null); // id 4
    channel.run('ww2', '门店海报', 's5', null); // id 5: another corp
    channel.run('ww1', '快递卡', 's6', null); // id 6: unique already
    sqlite.close();

    // The server opens it: every later migration applies.
    const db = await openDatabase({ backend: 'sqlite', path });
    try {
      const { channels } = db.t;
      const names = await db.select({ id: channels.id, name: channels.name }).from(channels).orderBy(asc(channels.id));
      expect(names).toEqual([
        { id: 1, name: '门店海报' },
        { id: 2, name: '门店海报 #2' },
        { id: 3, name: '门店海报' },
        { id: 4, name: '门店海报 #4' },
        { id: 5, name: '门店海报' },
        { id: 6, name: '快递卡' },
      ]);

      const add = (corpId: string, name: string, state: string, deletedAt: number | null) =>
        db.insert(channels).values({ corpId, name, state, configId: '', qrCode: '', deletedAt });
      const duplicate = await add('ww1', '快递卡', 's7', null).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isUniqueViolation(duplicate, 'channels_corp_name')).toBe(true);
      // A deleted channel's name, or another corp's, may be used.
      await add('ww1', '快递卡', 's8', 2000);
      await add('ww2', '快递卡', 's9', null);
    } finally {
      await db.close();
    }
  });
});
