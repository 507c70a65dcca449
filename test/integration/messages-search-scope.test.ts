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

  /**
   * The two phases (search.ts): with K = 3, a scope with 3 matches is read from the index's ids, one with 4 walked
   * newest first. Both must give what a search reading every match would (K large), page by page.
   */
  it('gives the same pages when the matches are just below and just above K', async () => {
    const k = 3;
    const withK = (walkFirst: number) =>
      createMessageSearch(db, { denseAfter: { conversation: k, corp: k, walkFirst } });
    const small = withK(1_000);
    const large = createMessageSearch(db, { denseAfter: { conversation: 1_000, corp: 1_000, walkFirst: 1_000 } });
    const boundaryRep = 'k-rep';
    // Conversation 10: 3 matches of 安装 (≤ K); conversation 11: 4 (> K); times out of id order in both.
    const plan: Array<[string, number, number, string]> = [
      ['k10a', 10, 300, '安装时间'],
      ['k10b', 10, 100, '上门安装'],
      ['k10x', 10, 200, '谢谢'],
      ['k10c', 10, 250, '安装好了'],
      ['k11a', 11, 400, '安装师傅'],
      ['k11b', 11, 100, '可以安装吗'],
      ['k11c', 11, 300, '安装费用'],
      ['k11x', 11, 350, '好的'],
      ['k11d', 11, 200, '安装完成'],
    ];
    const key = new Map<number, string>();
    for (const [name, conversationId, sentAt, text] of plan) {
      const userId = conversationId === 10 ? boundaryRep : `${boundaryRep}-2`;
      const [stored] = await repo.insertMessages(db, [row(name, { text, sentAt, conversationId, userId })]);
      key.set(stored!.id, name);
    }
    const names = (list: number[]) => list.map((id) => key.get(id) ?? String(id));

    const history = async (s: typeof small, conversationId: number, before?: { time: number; id: number }) => {
      const rows = await repo.history(db, conversationId, {
        limit: 2,
        before,
        match: await s.match(db, ['安装'], { conversationId }),
      });
      return rows.map((r) => ({ name: key.get(r.id), time: r.sentAt, id: r.id }));
    };
    for (const conversationId of [10, 11]) {
      const pages: string[][] = [];
      let before: { time: number; id: number } | undefined;
      for (;;) {
        const page = await history(small, conversationId, before);
        expect(page).toEqual(await history(large, conversationId, before));
        if (page.length === 0) break;
        pages.push(page.map((p) => p.name!));
        before = { time: page.at(-1)!.time, id: page.at(-1)!.id };
      }
      expect(pages.flat()).toEqual(conversationId === 10 ? ['k10a', 'k10c', 'k10b'] : ['k11a', 'k11c', 'k11d', 'k11b']);
    }

    // The managers' search: 3 matches for the first rep (≤ K), 7 with no filter (> K), keyset pages of 2; first
    // walking the newest 1, 2 or 5 messages of the scope (the page found there or not), or the whole scope.
    for (const [walkFirst, filters] of [1, 2, 5, 1_000].flatMap((n) =>
      [{ userId: boundaryRep }, {}, { userId: `${boundaryRep}-2` }].map((f) => [n, f] as const),
    )) {
      const small = withK(walkFirst);
      const all: string[] = [];
      let before: number | undefined;
      for (;;) {
        const query = { ...filters, words: ['安装'], before, limit: 2 };
        const page = await small.ids(db, corpId, query);
        expect(page).toEqual(await large.ids(db, corpId, query));
        if (page.length === 0) break;
        all.push(...names(page));
        before = page.at(-1);
      }
      const expected: Record<string, string[]> = {
        [boundaryRep]: ['k10c', 'k10b', 'k10a'],
        [`${boundaryRep}-2`]: ['k11d', 'k11c', 'k11b', 'k11a'],
      };
      expect(all).toEqual(
        filters.userId ? expected[filters.userId] : [...expected[`${boundaryRep}-2`]!, ...expected[boundaryRep]!],
      );
    }
    // A word in no message: nothing, without a walk or with one.
    expect(await withK(1).ids(db, corpId, { words: ['保修'], limit: 5 })).toEqual([]);
    expect(
      await small.match(db, ['保修'], { conversationId: 11 }).then((m) => repo.history(db, 11, { limit: 5, match: m })),
    ).toEqual([]);
  });

  /**
   * A date range walks only the ids its days' messages have (`message_days`, kept by triggers). Messages stored late
   * for an old day (an archive caught up, an import) widen their day's span, an update of sent_at moves a message to
   * its new day, and the pages equal those of a search that reads every match, in phases or walked.
   */
  it('searches a date range within its days, messages stored late and moved included', async () => {
    const DAY = 86_400_000;
    const dayRep = 'day-rep';
    const at = (day: number) => day * DAY + 3_600_000;
    // Inserted in this order: d4 is stored after d3 but sent two days before it.
    const plan: Array<[string, number, string]> = [
      ['d1', 10, '退货流程'],
      ['d2', 12, '退货地址'],
      ['d3', 14, '退货进度'],
      ['d4', 11, '退货申请'],
      ['d5', 15, '你好'],
    ];
    const key = new Map<number, string>();
    const idOf: Record<string, number> = {};
    for (const [name, day, text] of plan) {
      const [stored] = await repo.insertMessages(db, [
        row(name, { text, sentAt: at(day), conversationId: 20, userId: dayRep }),
      ]);
      key.set(stored!.id, name);
      idOf[name] = stored!.id;
    }
    const walking = createMessageSearch(db, { denseAfter: { conversation: 1, corp: 1, walkFirst: 1 } });
    const reading = createMessageSearch(db, { denseAfter: { conversation: 1_000, corp: 1_000, walkFirst: 1_000 } });
    const both = async (filters: { words: string[]; from?: number; to?: number }) => {
      const query = { ...filters, userId: dayRep, limit: 10 };
      const walked = await walking.ids(db, corpId, query);
      expect(await reading.ids(db, corpId, query)).toEqual(walked);
      expect(await search.ids(db, corpId, query)).toEqual(walked);
      return walked.map((id) => key.get(id));
    };
    expect(await both({ words: ['退货'], from: 11 * DAY, to: 13 * DAY })).toEqual(['d4', 'd2']);
    expect(await both({ words: ['退货'], from: 11 * DAY })).toEqual(['d4', 'd3', 'd2']);
    expect(await both({ words: ['退货'], to: 11 * DAY })).toEqual(['d1']);
    expect(await both({ words: [], from: 11 * DAY, to: 13 * DAY })).toEqual(['d4', 'd2']);
    // Days without any message: nothing, whatever the words.
    expect(await both({ words: ['退货'], from: 20 * DAY })).toEqual([]);
    expect(await both({ words: [], from: 13 * DAY, to: 14 * DAY })).toEqual([]);
    // A sidebar send matched with its archived copy takes the copy's time: here, another day.
    await repo.updateMessage(db, idOf.d1!, { sentAt: at(13) });
    expect(await both({ words: ['退货'], from: 13 * DAY, to: 14 * DAY })).toEqual(['d1']);
    expect(await both({ words: ['退货'], to: 11 * DAY })).toEqual([]);
    const spans = await db
      .select()
      .from(db.t.messageDays)
      .where(eq(db.t.messageDays.corpId, corpId))
      .then((rows) => new Map(rows.map((r) => [r.day, [r.minId, r.maxId]])));
    expect(spans.get(11)).toEqual([idOf.d4, idOf.d4]);
    expect(spans.get(13)).toEqual([idOf.d1, idOf.d1]);
  });
});
