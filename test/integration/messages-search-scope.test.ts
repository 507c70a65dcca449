import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { openDatabase } from '../../server/db/open.js';
import { createMessageRepo, type MessageInsert } from '../../server/modules/messages/repo.js';
import { createMessageSearch } from '../../server/modules/messages/search.js';
import { searchTerms } from '../../server/modules/messages/segment.js';
import { testDatabase } from '../support/database.js';

/**
 * The search index holds each message's scope (conversation, rep, customer, room, type) beside its words, and a
 * search narrows by it in the index (search.ts). On the run's backend: ids of any shape (case, `-`, `@`, `.`, a quote,
 * a backslash) find exactly their own messages, a conversation's search keeps the history's order, and the index
 * follows updates and deletes.
 */
describe('message search narrowed by scope in the index', () => {
  const corpId = 'wwscope';
  let db: Database;
  let search: ReturnType<typeof createMessageSearch>;
  let repo: ReturnType<typeof createMessageRepo>;
  const ids: Record<string, number> = {};

  const rep = 'Li.Lei-01@shop';
  const repTwin = 'li.lei-01@shop'; // the same letters in another case: another rep
  const customer = "wm'quote\\back";
  const customer2 = 'wmAbc-DEF_1';
  const room = 'wrRoom-1';

  const row = (
    key: string,
    m: {
      text: string;
      sentAt: number;
      conversationId: number;
      userId: string;
      externalUserId?: string;
      roomId?: string;
      type?: string;
    },
  ): MessageInsert => ({
    corpId,
    msgid: `scope-${key}`,
    sentAt: m.sentAt,
    type: m.type ?? 'text',
    text: m.text,
    searchTerms: searchTerms(m.text),
    conversationId: m.conversationId,
    userId: m.userId,
    externalUserId: m.externalUserId ?? null,
    roomId: m.roomId ?? null,
    direction: 'customer_to_rep',
    source: 'archive',
  });

  const found = async (filters: Parameters<typeof search.ids>[2]) => {
    const got = await search.ids(db, corpId, filters);
    return got.map((id) => Object.entries(ids).find(([, v]) => v === id)![0]);
  };
  const inConversation = async (conversationId: number, q: string) => {
    const rows = await repo.history(db, conversationId, {
      limit: 30,
      match: search.hasWords(search.words(q), { conversationId }),
    });
    return rows.map((r) => r.msgid.replace('scope-', ''));
  };

  beforeAll(async () => {
    db = await openDatabase(testDatabase());
    search = createMessageSearch(db);
    repo = createMessageRepo(db);
    const rows: Array<[string, Parameters<typeof row>[1]]> = [
      ['a1', { text: '请问什么时候发货', sentAt: 1_000, conversationId: 1, userId: rep, externalUserId: customer }],
      // Stored later but sent earlier (an archived copy of an old message): the history orders by time.
      ['a0', { text: '发货地址改一下', sentAt: 500, conversationId: 1, userId: rep, externalUserId: customer }],
      ['a2', { text: '发货了吗，单号多少', sentAt: 2_000, conversationId: 1, userId: rep, externalUserId: customer }],
      ['b1', { text: '什么时候发货', sentAt: 1_500, conversationId: 2, userId: rep, externalUserId: customer2 }],
      ['t1', { text: '明天发货', sentAt: 1_600, conversationId: 3, userId: repTwin, externalUserId: customer }],
      ['g1', { text: '群里问发货', sentAt: 1_700, conversationId: 4, userId: rep, roomId: room }],
      ['f1', { text: '[文件] 发货单.pdf', sentAt: 1_800, conversationId: 1, userId: rep, type: 'file' }],
    ];
    // Inserted in this order: the ids follow it, not the times.
    for (const [key, m] of rows) {
      const [stored] = await repo.insertMessages(db, [row(key, m)]);
      ids[key] = stored!.id;
    }
  });

  afterAll(async () => {
    await db?.close();
  });

  it('finds exactly the messages of a rep, customer, room or type, whatever characters their ids have', async () => {
    expect(await found({ words: ['发货'], limit: 20 })).toEqual(['f1', 'g1', 't1', 'b1', 'a2', 'a0', 'a1']);
    expect(await found({ words: ['发货'], userId: rep, limit: 20 })).toEqual(['f1', 'g1', 'b1', 'a2', 'a0', 'a1']);
    expect(await found({ words: ['发货'], userId: repTwin, limit: 20 })).toEqual(['t1']);
    expect(await found({ words: ['发货'], externalUserId: customer, limit: 20 })).toEqual(['t1', 'a2', 'a0', 'a1']);
    expect(await found({ words: ['发货'], externalUserId: customer2, limit: 20 })).toEqual(['b1']);
    expect(await found({ words: ['发货'], externalUserId: 'wmabc-def_1', limit: 20 })).toEqual([]);
    expect(await found({ words: ['发货'], roomId: room, limit: 20 })).toEqual(['g1']);
    expect(await found({ words: ['发货'], type: 'file', limit: 20 })).toEqual(['f1']);
    // `text` is no scope in the index (most messages are text); the filter still holds.
    expect(await found({ words: ['发货'], type: 'text', limit: 20 })).toEqual(['g1', 't1', 'b1', 'a2', 'a0', 'a1']);
    expect(await found({ words: ['发货', '多少'], userId: rep, externalUserId: customer, limit: 20 })).toEqual(['a2']);
    // Keyset pages over a narrowed search.
    expect(await found({ words: ['发货'], userId: rep, before: ids.a2!, limit: 2 })).toEqual(['a0', 'a1']);
  });

  it("searches one conversation only, in the history's order (time, then id), newest first", async () => {
    expect(await inConversation(1, '发货')).toEqual(['a2', 'f1', 'a1', 'a0']);
    expect(await inConversation(1, '发货 单号')).toEqual(['a2']);
    expect(await inConversation(2, '发货')).toEqual(['b1']);
    expect(await inConversation(2, '单号')).toEqual([]);
    expect(await inConversation(99, '发货')).toEqual([]);
  });

  it('follows updates of the words and of the scope, and deletes', async () => {
    const { messages } = db.t;
    await repo.updateMessage(db, ids.b1!, { searchTerms: searchTerms('已经退款了') });
    expect(await inConversation(2, '发货')).toEqual([]);
    expect(await inConversation(2, '退款')).toEqual(['b1']);
    await repo.updateMessage(db, ids.b1!, { conversationId: 1, externalUserId: customer });
    expect(await inConversation(2, '退款')).toEqual([]);
    expect(await inConversation(1, '退款')).toEqual(['b1']);
    expect(await found({ words: ['退款'], externalUserId: customer, limit: 20 })).toEqual(['b1']);
    expect(await found({ words: ['退款'], externalUserId: customer2, limit: 20 })).toEqual([]);
    await db.delete(messages).where(eq(messages.id, ids.b1!));
    expect(await inConversation(1, '退款')).toEqual([]);
    expect(await found({ words: ['退款'], limit: 20 })).toEqual([]);
  });
});
