import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/open.js';
import { createMessageRepo } from '../../../server/modules/messages/repo.js';
import { createMessageSearch } from '../../../server/modules/messages/search.js';
import { searchTerms } from '../../../server/modules/messages/segment.js';
import { olderSqliteDatabase } from '../../support/migrations.js';

describe('migration 0016 (the search index holds each message scope)', () => {
  it('rebuilds the index of an older database in place: its messages are found by words and by scope', async () => {
    // A SQLite file as the release before 0016 left it: messages indexed by their words only.
    const { path, sqlite } = olderSqliteDatabase(16);
    const insert = sqlite.prepare(
      `INSERT INTO messages (corp_id, msgid, sent_at, type, text, search_terms, conversation_id, user_id,
         external_user_id, room_id, direction, source)
       VALUES ('ww1', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'customer_to_rep', 'archive')`,
    );
    const old = (msgid: string, text: string, conversationId: number, userId: string, customer: string | null) =>
      Number(
        insert.run(msgid, 1_000, 'text', text, searchTerms(text), conversationId, userId, customer, null)
          .lastInsertRowid,
      );
    const a = old('m1', '什么时候发货', 1, 'rep-1', 'wm-A');
    const b = old('m2', '发货慢', 2, 'rep-2', 'wm-B');
    const c = old('m3', '[图片]', 1, 'rep-1', 'wm-A');
    old('m4', '好的', 1, 'rep-1', 'wm-A');
    expect(sqlite.prepare(`SELECT count(*) AS n FROM messages_fts`).get()).toEqual({ n: 4 });
    sqlite.close();

    // The server opens it: 0016 rebuilds the index from the messages, and the triggers keep it from then on.
    const db = await openDatabase({ backend: 'sqlite', path });
    try {
      const search = createMessageSearch(db);
      const repo = createMessageRepo(db);
      const ids = (filters: { userId?: string; externalUserId?: string }) =>
        search.ids(db, 'ww1', { ...filters, words: ['发货'], limit: 10 });
      expect(await ids({})).toEqual([b, a]);
      expect(await ids({ userId: 'rep-1' })).toEqual([a]);
      expect(await ids({ externalUserId: 'wm-B' })).toEqual([b]);
      const chat = await repo.history(db, 1, { limit: 10, match: search.hasWords(['发货'], { conversationId: 1 }) });
      expect(chat.map((m) => m.id)).toEqual([a]);
      expect(await search.ids(db, 'ww1', { words: ['图片'], limit: 10 })).toEqual([c]);

      const [added] = await repo.insertMessages(db, [
        {
          corpId: 'ww1',
          msgid: 'm5',
          sentAt: 2_000,
          type: 'text',
          text: '已发货',
          searchTerms: searchTerms('已发货'),
          conversationId: 1,
          userId: 'rep-1',
          externalUserId: 'wm-A',
          direction: 'rep_to_customer',
          source: 'archive',
        },
      ]);
      expect(await ids({ userId: 'rep-1' })).toEqual([added!.id, a]);
    } finally {
      await db.close();
    }
  });
});
