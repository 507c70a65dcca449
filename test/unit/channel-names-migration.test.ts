import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { migrationsUpTo } from '../support/migrations.js';

describe('migration 0006 (unique live channel names per corp)', () => {
  it('renames the later duplicates of an older database, then refuses a new duplicate', () => {
    const sqlite = new Database(':memory:');
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo(6) });
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

    migrate(db, { migrationsFolder: 'migrations' });
    const names = sqlite.prepare('SELECT id, name FROM channels ORDER BY id').all();
    expect(names).toEqual([
      { id: 1, name: '门店海报' },
      { id: 2, name: '门店海报 #2' },
      { id: 3, name: '门店海报' },
      { id: 4, name: '门店海报 #4' },
      { id: 5, name: '门店海报' },
      { id: 6, name: '快递卡' },
    ]);

    expect(() => channel.run('ww1', '快递卡', 's7', null)).toThrow(/UNIQUE constraint failed/);
    // A deleted channel's name, or another corp's, may be used.
    expect(() => channel.run('ww1', '快递卡', 's8', 2000)).not.toThrow();
    expect(() => channel.run('ww2', '快递卡', 's9', null)).not.toThrow();
    sqlite.close();
  });
});
