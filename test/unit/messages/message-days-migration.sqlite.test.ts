import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/open.js';
import { createMessageSearch } from '../../../server/modules/messages/search.js';
import { searchTerms } from '../../../server/modules/messages/segment.js';
import { olderSqliteDatabase } from '../../support/migrations.js';

const DAY = 86_400_000;

describe('migration 0019 (the id span of each day of messages)', () => {
  it("fills the spans of an older database's messages, and its date-range searches find them", async () => {
    // A SQLite file as the release before 0019 left it, with messages of three days (one stored late).
    const { path, sqlite } = olderSqliteDatabase(19);
    const insert = sqlite.prepare(
      `INSERT INTO messages (corp_id, msgid, sent_at, type, text, search_terms, conversation_id, user_id,
         external_user_id, direction, source)
       VALUES ('ww1', ?, ?, 'text', ?, ?, 1, 'rep-1', 'wm-A', 'customer_to_rep', 'archive')`,
    );
    const old = (msgid: string, day: number, text: string) =>
      Number(insert.run(msgid, day * DAY + 1_000, text, searchTerms(text)).lastInsertRowid);
    const a = old('m1', 100, '什么时候发货');
    const b = old('m2', 102, '发货慢');
    const c = old('m3', 101, '发货了吗');
    sqlite.close();

    const db = await openDatabase({ backend: 'sqlite', path });
    try {
      const spans = await db.select().from(db.t.messageDays);
      expect(spans.map((r) => [r.corpId, r.day, r.minId, r.maxId]).sort()).toEqual([
        ['ww1', 100, a, a],
        ['ww1', 101, c, c],
        ['ww1', 102, b, b],
      ]);
      const search = createMessageSearch(db);
      const ids = (from: number, to: number) => search.ids(db, 'ww1', { words: ['发货'], from, to, limit: 10 });
      expect(await ids(101 * DAY, 103 * DAY)).toEqual([c, b]);
      expect(await ids(100 * DAY, 101 * DAY)).toEqual([a]);
      expect(await ids(103 * DAY, 110 * DAY)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
