import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import type { KeywordAlertPage, KeywordRule, MessageSearchPage } from '../../shared/schemas/messages.js';
import { chat, people, pullNow, startArchiveApp } from '../support/archive.js';
import { adminCall } from '../support/sidebar.js';

/**
 * The managers' search (admin API) and keyword alerts on the run's backend: the same queries give the same messages
 * on SQLite (FTS5) and PostgreSQL (to_tsvector('simple')), because both match the words jieba made.
 */

describe('manager search and keyword alerts', () => {
  let app: App;
  let p: ReturnType<typeof people>;
  let room: { chat_id: string; owner: string; customer: string };
  const texts: Record<string, string> = {};

  const search = async (query: Record<string, string | number>) => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const res = await adminCall(app, 'GET', `/api/messages?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as MessageSearchPage;
  };
  const found = async (query: Record<string, string | number>) => (await search(query)).items.map((m) => m.text).sort();

  beforeAll(async () => {
    app = await startArchiveApp();
    p = people(app);
    const group = app.emulator!.snapshot().groupChats.find((g) => g.member_list.some((m) => m.type === 2))!;
    room = {
      chat_id: group.chat_id,
      owner: group.owner,
      customer: group.member_list.find((m) => m.type === 2)!.userid,
    };
    const lines: Array<[string, string, string]> = [
      ['shipped', p.rep, '您的订单已经发货了，请注意查收'],
      ['waybill', p.rep, '发货单号SF1234567890，顺丰快递'],
      ['refundCn', p.customer, '我要退款，东西坏了'],
      ['both', p.customer, '还没发货的话能退款吗'],
      ['iphone', p.customer, 'iPhone15Pro多少钱？'],
      ['english', p.customer, 'Refund please, the VACUUM is broken'],
      ['unrelated', p.rep, '好的，明天见'],
    ];
    for (const [key, from, text] of lines) {
      texts[key] = text;
      await chat(app, from === p.rep ? { from, to: p.customer, text } : { from, to: p.rep, text });
    }
    await chat(app, { from: p.customer2, to: p.rep, text: '第二位客户：什么时候发货' });
    await chat(app, { from: p.otherCustomer, to: p.otherRep, text: '别的员工的客户：发货慢' });
    await chat(app, { from: p.customer, to: p.rep, msgtype: 'image' });
    await pullNow(app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('finds 2-character Chinese words, also inside longer words, with every word required', async () => {
    expect(await found({ q: '发货' })).toEqual(
      [texts.shipped, texts.waybill, texts.both, '第二位客户：什么时候发货', '别的员工的客户：发货慢'].sort(),
    );
    expect(await found({ q: '退款' })).toEqual([texts.refundCn, texts.both].sort());
    expect(await found({ q: '发货 退款' })).toEqual([texts.both]);
    expect(await found({ q: '能退款吗' })).toEqual([texts.both]);
    expect(await found({ q: '快递' })).toEqual([texts.waybill]);
    expect(await found({ q: '物流' })).toEqual([]);
  });

  it('finds mixed scripts: English in any case, model numbers by name or number, long digit strings', async () => {
    expect(await found({ q: 'iphone' })).toEqual([texts.iphone]);
    expect(await found({ q: 'iPhone15Pro' })).toEqual([texts.iphone]);
    expect(await found({ q: '15' })).toEqual([texts.iphone]);
    expect(await found({ q: 'sf1234567890' })).toEqual([texts.waybill]);
    expect(await found({ q: 'REFUND' })).toEqual([texts.english]);
    expect(await found({ q: 'vacuum broken' })).toEqual([texts.english]);
    expect(await found({ q: 'Pro 多少钱' })).toEqual([texts.iphone]);
  });

  it('filters by rep, customer, type and dates, newest first, in keyset pages', async () => {
    expect(await found({ q: '发货', userId: p.rep })).toEqual(
      [texts.shipped, texts.waybill, texts.both, '第二位客户：什么时候发货'].sort(),
    );
    expect(await found({ q: '发货', externalUserId: p.customer2 })).toEqual(['第二位客户：什么时候发货']);
    expect(await found({ type: 'image' })).toEqual(['[图片]']);
    const all = await search({ userId: p.rep, limit: 100 });
    const times = all.items.map((m) => m.sentAt);
    const middle = times[Math.floor(times.length / 2)]!;
    const later = await search({ userId: p.rep, from: middle, limit: 100 });
    expect(later.items.every((m) => m.sentAt >= middle)).toBe(true);
    const earlier = await search({ userId: p.rep, to: middle, limit: 100 });
    expect(later.items.length + earlier.items.length).toBe(all.items.length);

    const first = await search({ q: '发货', limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await search({ q: '发货', limit: 2, cursor: first.nextCursor! });
    const third = await search({ q: '发货', limit: 2, cursor: second.nextCursor! });
    expect(third.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items, ...third.items].map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(5);
    expect(first.items[0]).toMatchObject({ userId: expect.any(String), customerName: expect.any(String) });

    expect((await adminCall(app, 'GET', '/api/messages?q=%E3%80%82')).statusCode).toBe(400);
    expect((await adminCall(app, 'GET', '/api/messages?user=x')).json()).toMatchObject({ error: 'bad_request' });
    expect((await app.inject({ url: '/api/messages?q=x' })).statusCode).toBe(401);
  });

  it('manages keyword rules: unknown fields refused, names unique, patterns checked, messages in Chinese', async () => {
    expect((await adminCall(app, 'GET', '/api/keyword-rules')).json()).toEqual([]);
    // The demo's rules: what reps must not say, what a manager wants to hear from customers at once.
    expect(await app.modules.keywords.service.seedDemo(app.defaultCorp.corpId)).toBe(2);
    expect(await app.modules.keywords.service.seedDemo(app.defaultCorp.corpId)).toBe(0);
    const bad = await adminCall(app, 'POST', '/api/keyword-rules', { name: '测试', words: ['a'], level: 3 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('未知字段');
    const empty = await adminCall(app, 'POST', '/api/keyword-rules', { name: '空规则', words: [' '] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toBe('至少填写一个敏感词或正则表达式');
    const regex = await adminCall(app, 'POST', '/api/keyword-rules', { name: '坏正则', patterns: ['(a'] });
    expect(regex.statusCode).toBe(400);
    expect(regex.json().message).toContain('正则表达式 (a 无效');
    const slow = await adminCall(app, 'POST', '/api/keyword-rules', { name: '慢正则', patterns: ['(a+)+b'] });
    expect(slow.json().message).toContain('嵌套的重复');

    const created = await adminCall(app, 'POST', '/api/keyword-rules', {
      name: '群里的价格',
      patterns: ['\\d+元'],
      direction: 'customer',
      scope: 'group',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: '群里的价格', words: [], enabled: true, scope: 'group' });
    const duplicate = await adminCall(app, 'POST', '/api/keyword-rules', { name: '群里的价格', words: ['价格'] });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().message).toBe('规则名称已存在');
    const rule = created.json() as KeywordRule;
    const renamed = await adminCall(app, 'PATCH', `/api/keyword-rules/${rule.id}`, { enabled: false });
    expect(renamed.json()).toMatchObject({ enabled: false, patterns: ['\\d+元'] });
    expect((await adminCall(app, 'PATCH', '/api/keyword-rules/99999', { enabled: true })).statusCode).toBe(404);
    await adminCall(app, 'PATCH', `/api/keyword-rules/${rule.id}`, { enabled: true });
  });

  it('raises an alert per rule and message at ingest, by direction and scope; a replay adds none', async () => {
    const rules = (await adminCall(app, 'GET', '/api/keyword-rules')).json() as KeywordRule[];
    expect(rules.map((r) => r.name)).toEqual(['员工违规用语', '客户投诉风险', '群里的价格']);

    const repBad = await chat(app, { from: p.rep, to: p.customer, text: '你加我微信吧，私下转账便宜点' });
    const customerBad = await chat(app, { from: p.customer, to: p.rep, text: '再不处理我就打12315投诉' });
    await chat(app, { from: p.customer, to: p.rep, text: '我已经转账了' }); // a rep-only word, from the customer
    await chat(app, { from: p.rep, to: p.customer, text: '如有问题可以投诉' }); // a customer-only word, from the rep
    const inGroup = await chat(app, { from: room.customer, roomId: room.chat_id, text: '群里说299元包邮？' });
    await chat(app, { from: p.customer, to: p.rep, text: '1:1 里的 299元' }); // group-only rule
    await pullNow(app);

    const page = (await adminCall(app, 'GET', '/api/keyword-alerts')).json() as KeywordAlertPage;
    const summary = page.items.map((a) => [a.ruleName, a.matched, a.text]);
    expect(summary).toEqual([
      ['群里的价格', '299元', '群里说299元包邮？'],
      ['客户投诉风险', '投诉', '再不处理我就打12315投诉'],
      ['员工违规用语', '转账', '你加我微信吧，私下转账便宜点'],
    ]);
    const repAlert = page.items.find((a) => a.ruleName === '员工违规用语')!;
    expect(repAlert).toMatchObject({ userId: p.rep, externalUserId: p.customer, direction: 'rep_to_customer' });
    expect(page.items.find((a) => a.ruleName === '群里的价格')).toMatchObject({ externalUserId: room.customer });
    void repBad;
    void customerBad;
    void inGroup;

    // The same items pulled again: no new alert.
    const { archiveCursors } = app.db.t;
    await app.db.update(archiveCursors).set({ lastSeq: 0 });
    await pullNow(app);
    expect(((await adminCall(app, 'GET', '/api/keyword-alerts')).json() as KeywordAlertPage).items).toHaveLength(3);

    const byRule = (await adminCall(app, 'GET', `/api/keyword-alerts?ruleId=${repAlert.ruleId}`)).json();
    expect(byRule.items).toHaveLength(1);
    expect((await adminCall(app, 'DELETE', `/api/keyword-rules/${repAlert.ruleId}`)).statusCode).toBe(204);
    const kept = (await adminCall(app, 'GET', '/api/keyword-alerts')).json() as KeywordAlertPage;
    expect(kept.items.find((a) => a.ruleId === repAlert.ruleId)!.ruleName).toContain('已删除');
  });
});
