import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../../server/db/migrations.js';
import { migrationsUpTo } from '../../support/migrations.js';

describe('migration 0003 (channel movements)', () => {
  it('backfills adds and losses, with their channel, from the timeline; transfers are not losses', () => {
    const sqlite = new Database(':memory:');
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo(3) });
    const item = sqlite.prepare(
      `INSERT INTO timeline_items (corp_id, external_user_id, user_id, kind, content, payload, source_key, occurred_at)
       VALUES ('ww1', ?, 'lina', ?, '', ?, ?, ?)`,
    );
    item.run('wmA', 'added', JSON.stringify({ channelId: 1 }), 'follow:lina:wmA:100:added', 1000);
    item.run('wmA', 'lost', JSON.stringify({ reason: 'deleted_by_customer', channelId: 1 }), 'event:7:lost', 2000);
    item.run('wmA', 'added', JSON.stringify({ channelId: 2 }), 'follow:lina:wmA:300:added', 3000);
    item.run('wmB', 'added', JSON.stringify({ channelId: null }), 'event:9:added', 4000);
    item.run('wmC', 'added', JSON.stringify({ channelId: 2 }), 'event:10:added', 5000);
    item.run('wmC', 'lost', JSON.stringify({ reason: 'transferred', channelId: 2 }), 'event:11:lost', 6000);
    item.run('wmA', 'note', JSON.stringify({}), null, 7000);

    migrate(db, { migrationsFolder: migrationsFolder('sqlite') });
    const rows = sqlite
      .prepare('SELECT channel_id, external_user_id, kind, at FROM channel_movements ORDER BY at')
      .all();
    expect(rows).toEqual([
      { channel_id: 1, external_user_id: 'wmA', kind: 'add', at: 1000 },
      { channel_id: 1, external_user_id: 'wmA', kind: 'loss', at: 2000 },
      { channel_id: 2, external_user_id: 'wmA', kind: 'add', at: 3000 },
      { channel_id: 2, external_user_id: 'wmC', kind: 'add', at: 5000 },
    ]);
    sqlite.close();
  });
});
