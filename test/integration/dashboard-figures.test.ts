import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import type {
  ChannelDetail,
  ChannelStatsList,
  LossAlertPage,
  Overview,
  RepDetail,
  RepStats,
  RepStatsRow,
} from '../../shared/schemas/console-dashboards.js';
import { consoleClient, consoleLogin, createLocalAccount, type ConsoleClient } from '../support/console.js';
import { archived, corpTime, csvRows, pastMonday, plusDays, Scene } from '../support/dashboards.js';
import { admin, CORP, simulate, tagId } from '../support/scrm.js';
import { login, repClient } from '../support/sidebar.js';
import { waitFor } from '../support/app.js';

/**
 * Every figure of the three dashboards (数据概览, 员工统计, 渠道统计) against numbers worked out by hand on a small
 * dataset made through the product's paths: WeCom's callbacks played by the emulator (adds, losses, a re-add, a
 * profile edit), chats stored by the message store as the archive's puller stores them, the sidebar's script sends,
 * notes and suggestion feedback, a rep moved between departments in WeCom's directory, and the nightly rollups run
 * night by night as the nightly job plans them — on a clock the test moves (Asia/Shanghai days; working hours
 * Mon–Fri 09:00–12:00 and 13:30–18:00, the default calendar).
 *
 * The rules asserted (shared/schemas/console-dashboards.ts, and the code's comments where the schema is silent):
 * - a customer who deletes the rep and comes back is a new add again (2 adds, 1 loss); retention is per add: the
 *   first add lost within 7 days is not retained, the re-add is;
 * - a rep's figures count in the department the rep was in on that day (membership history), totals included;
 * - 会话数 over a range is chat-days (each day's chats summed), as WeCom's 聊天数 is;
 * - first-reply median / p90 are read from the band histogram (see the note above LINA below).
 *
 * Days are D0 … D45: D0 is a Monday about three months ago (so the worker, on the real clock, finds the work due);
 * "now" is D45 10:00.
 * The dashboards are read for D0 … D13 (14 days; every 7- and 30-day window of their adds has closed by now).
 *
 * The story (c1 … c9 are customer relationships):
 *   D0  Mon 10:00  c1 scans 门店海报 (channel A) → 李娜 (lina, 销售一部); welcome sent
 *       Mon 10:00 … 20:00  c1 ↔ lina chat: four questions (below)
 *       Mon 23:50  c2 scans A → lina; welcome sent            ┐ the same UTC day (15:50Z and 16:10Z),
 *   D1  Tue 00:10  c3 scans A → lina; no WelcomeCode (missed) ┘ two corp days
 *       Tue 09:01  lina answers c1's evening question
 *       Tue 10:00  c2 deletes lina (客户删除员工), 10 h after being added
 *       Tue 11:00  c4 scans 线上广告 (channel B) → 陈静 (chenjing, 销售二部); welcome sent
 *   D2  Wed 10:00  lina in the sidebar: sends a script to c1, writes a note (follow-up due D20), sees three
 *                  suggestions (ignores one, edits one, sends one)
 *   D3  Thu 10:00  c2 scans A again → lina (re-added); welcome sent
 *   D5  Sat 10:00  c5 scans A → 王芳 (wangfang, 销售一部); welcome sent
 *   D8  Tue 10:00  c5 asks, wangfang answers 30 s later
 *   D10 Thu 00:30  wangfang is moved to 销售二部 in WeCom (the directory is synced; the 00:40 rollup sees it)
 *   D11 Fri 14:00  c5 asks, wangfang answers at 14:10; 16:00 c5 asks again, never answered
 *   D12 Sat 10:00  c6 scans A → wangfang; welcome sent; then its 潜在客户 tag is removed in WeCom
 *       Sat 11:00  chenjing deletes c4 (员工删除客户), 11 days after adding it
 *   D13 Sun 10:00  赵磊 (zhaolei, 销售二部) adds c8 himself: no channel code, no WelcomeCode
 *   D20 Mon 09:00  c9 scans B → zhaolei; 10:00 c9 deletes zhaolei; 15:00 zhaolei moves to 客服部 (seen at 15:05)
 *   D45 Thu 09:00  c7 scans B → chenjing (today: live figures)
 *       Thu 09:30  c4 writes to chenjing (unanswered now, at 10:00)
 *
 * Fields not checked against hand values: `wecom` (WeCom's own 联系客户统计) — WeCom's numbers come from the
 * emulator's hash of (rep, day), not from anything the dataset controls, and the nightly fetch is not run here:
 * they are asserted null (never fetched), and their CSV columns empty. `rep.avatar` / `rep.position` /
 * `rep.status` are the directory's, not figures; a loss alert's `id` is its row id (it is the paging cursor's
 * tie-breaker, tested through paging).
 */

let scene: Scene;
let app: App;
let manager: ConsoleClient;
const D: string[] = [];
const c: Record<string, string> = {};
let channelA = 0;
let channelB = 0;
const tags: Record<string, string> = {};

const json = async <T>(url: string, client?: ConsoleClient): Promise<T> => {
  const res = client ? await client.get(url) : await admin(app, 'GET', url);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
};
const csv = async (url: string) => {
  const res = await admin(app, 'GET', url);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(res.body.startsWith('\uFEFF')).toBe(true);
  return csvRows(res.body);
};

beforeAll(async () => {
  const monday = pastMonday();
  for (let k = 0; k <= 45; k++) D.push(plusDays(monday, k));
  scene = await Scene.start(corpTime(D[0]!, '09:00'));
  app = scene.app;
  const night = (k: number) => scene.night(D[k]!, D[0]!);

  tags.store = await tagId(app, '线下门店');
  tags.lead = await tagId(app, '潜在客户');
  const channel = async (body: Record<string, unknown>) => {
    const res = await admin(app, 'POST', '/api/channels', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; state: string };
  };
  const a = await channel({
    name: '门店海报',
    groupName: '线下',
    reps: ['lina', 'wangfang'],
    tagIds: [tags.store, tags.lead],
    welcome: { text: '您好，我是{员工姓名}' },
  });
  const b = await channel({ name: '线上广告', groupName: '线上', reps: ['chenjing'], welcome: { text: '欢迎' } });
  channelA = a.id;
  channelB = b.id;
  const group = await admin(app, 'POST', '/api/script-groups', { name: '售后' });
  expect(group.statusCode, group.body).toBe(201);
  const groupId = (group.json() as { id: number }).id;
  for (const [title, content] of [
    ['保修政策', '整机保修三年，电池保修一年'],
    ['保修范围', '保修范围包括主板和屏幕，人为损坏不在保修范围'],
    ['保修地点', '保修可到任意门店办理，也可寄修'],
  ]) {
    const res = await admin(app, 'POST', '/api/scripts', { groupId, title, kind: 'text', content });
    expect(res.statusCode, res.body).toBe(201);
  }
  await createLocalAccount(app, { username: 'sales1', role: 'manager', departmentIds: [2], name: '一部主管' });

  // ---- D0 (Monday) ----
  c.c1 = await scene.add(corpTime(D[0]!, '10:00'), { userId: 'lina', state: a.state, name: '客户一' });
  const say = (userId: string, customer: string, from: 'customer' | 'rep', day: number, hhmm: string) =>
    archived(app, { userId, externalUserId: customer, from, text: `${from} ${hhmm}`, at: corpTime(D[day]!, hhmm) });
  // Q1 10:00:00 → reply 10:02:00: 120 working seconds (in hours, within 3 minutes).
  await say('lina', c.c1, 'customer', 0, '10:00:00');
  await say('lina', c.c1, 'rep', 0, '10:02:00');
  // Q2 10:05:00 → reply 10:10:00: 300 s (in hours, not within 3 minutes); 10:06 is a second customer message,
  // not a question (the customer was already waiting).
  await say('lina', c.c1, 'customer', 0, '10:05:00');
  await say('lina', c.c1, 'customer', 0, '10:06:00');
  await say('lina', c.c1, 'rep', 0, '10:10:00');
  // Q3 11:58:00 → reply 13:31:00: 2 working minutes before lunch + 1 after = 180 s (within 3 minutes, just).
  await say('lina', c.c1, 'customer', 0, '11:58:00');
  await say('lina', c.c1, 'rep', 0, '13:31:00');
  // Q4 20:00 (outside working hours) → reply Tuesday 09:01: 60 working seconds; not in the 3-minute rate's base.
  await say('lina', c.c1, 'customer', 0, '20:00:00');
  c.c2 = await scene.add(corpTime(D[0]!, '23:50'), { userId: 'lina', state: a.state, name: '客户二' });
  await night(0);

  // ---- D1 (Tuesday) ----
  c.c3 = await scene.add(corpTime(D[1]!, '00:10'), {
    userId: 'lina',
    state: a.state,
    name: '客户三',
    welcomeCode: false,
  });
  await say('lina', c.c1, 'rep', 1, '09:01:00');
  await scene.lose(corpTime(D[1]!, '10:00'), 'customer', 'lina', c.c2);
  c.c4 = await scene.add(corpTime(D[1]!, '11:00'), { userId: 'chenjing', state: b.state, name: '客户四' });
  await night(1);

  // ---- D2 (Wednesday): the sidebar ----
  scene.at(corpTime(D[2]!, '10:00'));
  const lina = repClient(app, await login(app, 'lina'));
  const scripts = (await lina.get('/api/scripts?limit=100')).json() as { items: { id: number; title: string }[] };
  const plain = scripts.items.find((s) => s.title === '保修地点')!;
  const sent = await lina.post(`/api/scripts/${plain.id}/sends`, { externalUserId: c.c1 });
  expect(sent.statusCode, sent.body).toBe(201);
  const note = await lina.post(`/api/customers/${c.c1}/notes`, {
    content: '周五回访保修问题',
    dueAt: corpTime(D[20]!, '10:00'),
  });
  expect(note.statusCode, note.body).toBe(201);
  const suggested = await waitFor(async () => {
    const res = await lina.post(`/api/customers/${c.c1}/suggestions`, { messages: ['保修政策和保修范围是什么'] });
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json() as { items: { feedbackKey: string; scriptId: number }[] };
    return list.items.length >= 3 && list.items;
  }, 'three suggestions');
  const feedback = async (key: string, outcome: string) => {
    const res = await lina.post('/api/suggestions/feedback', { feedbackKey: key, outcome });
    expect(res.statusCode, res.body).toBe(200);
  };
  await feedback(suggested[0]!.feedbackKey, 'ignored');
  await feedback(suggested[1]!.feedbackKey, 'edited');
  await feedback(suggested[2]!.feedbackKey, 'shown');
  const fromSuggestion = await lina.post(`/api/scripts/${suggested[2]!.scriptId}/sends`, {
    externalUserId: c.c1,
    feedbackKey: suggested[2]!.feedbackKey,
  });
  expect(fromSuggestion.statusCode, fromSuggestion.body).toBe(201);
  await night(2);

  // ---- D3 (Thursday): c2 comes back ----
  await scene.add(corpTime(D[3]!, '10:00'), { userId: 'lina', state: a.state, externalUserId: c.c2 });
  await night(3);
  await night(4);

  // ---- D5 (Saturday) ----
  c.c5 = await scene.add(corpTime(D[5]!, '10:00'), { userId: 'wangfang', state: a.state, name: '客户五' });
  for (const k of [5, 6, 7]) await night(k);

  // ---- D8 (Tuesday): 30 s ----
  await say('wangfang', c.c5, 'customer', 8, '10:00:00');
  await say('wangfang', c.c5, 'rep', 8, '10:00:30');
  await night(8);

  // ---- D10 00:30: wangfang moves to 销售二部 ----
  scene.at(corpTime(D[10]!, '00:30'));
  const rep = app.emulator!.core.findRep('wangfang')!;
  rep.department = [3];
  rep.main_department = 3;
  await app.modules.directory.service.syncAll(CORP);
  await night(9);
  await night(10);

  // ---- D11 (Friday) ----
  await say('wangfang', c.c5, 'customer', 11, '14:00:00');
  await say('wangfang', c.c5, 'rep', 11, '14:10:00');
  await say('wangfang', c.c5, 'customer', 11, '16:00:00');
  await night(11);

  // ---- D12 (Saturday) ----
  c.c6 = await scene.add(corpTime(D[12]!, '10:00'), { userId: 'wangfang', state: a.state, name: '客户六' });
  const core = app.emulator!.core;
  const follow = core.findFollow(core.findCustomer(c.c6)!, 'wangfang')!;
  expect([...follow.tag_ids].sort()).toEqual([tags.store, tags.lead].sort());
  follow.tag_ids = [tags.store];
  scene.at(corpTime(D[12]!, '10:30'));
  await simulate(app, { changeType: 'edit_external_contact', userId: 'wangfang', externalUserId: c.c6 });
  await waitFor(async () => {
    const { followTags } = app.db.t;
    const rows = (await app.db.select().from(followTags)).filter((r) => r.externalUserId === c.c6);
    return rows.length === 1;
  }, 'c6 to keep one tag');
  await scene.lose(corpTime(D[12]!, '11:00'), 'rep', 'chenjing', c.c4);
  await night(12);

  // ---- D13 (Sunday): an add through no channel code ----
  c.c8 = await scene.add(corpTime(D[13]!, '10:00'), { userId: 'zhaolei', name: '客户八', welcomeCode: false });
  for (let k = 13; k <= 19; k++) await night(k);

  // ---- D20 (Monday): zhaolei adds and loses c9 in the morning, moves to 客服部 in the afternoon ----
  c.c9 = await scene.add(corpTime(D[20]!, '09:00'), { userId: 'zhaolei', state: b.state, name: '客户九' });
  await scene.lose(corpTime(D[20]!, '10:00'), 'customer', 'zhaolei', c.c9);
  scene.at(corpTime(D[20]!, '15:00'));
  const zhaolei = app.emulator!.core.findRep('zhaolei')!;
  zhaolei.department = [4];
  zhaolei.main_department = 4;
  await app.modules.directory.service.syncAll(CORP);
  // A dashboard read at 15:05 is where the move is first seen (the membership history's entry: 15:05).
  scene.at(corpTime(D[20]!, '15:05'));
  await json<Overview>(`/api/console/dashboard/overview?from=${D[20]}&to=${D[20]}`);
  for (let k = 20; k <= 44; k++) await night(k);

  // ---- D45 (Thursday): today ----
  c.c7 = await scene.add(corpTime(D[45]!, '09:00'), { userId: 'chenjing', state: b.state, name: '客户七' });
  await say('chenjing', c.c4, 'customer', 45, '09:30:00');
  scene.at(corpTime(D[45]!, '10:00'));
  manager = consoleClient(app, await consoleLogin(app, 'sales1'));
}, 600_000);

afterAll(async () => {
  await app?.close();
});

const range = () => `from=${D[0]}&to=${D[13]}`;

describe('数据概览 (overview)', () => {
  it('counts adds, losses, totals, retention and channels by corp day (admin, the whole corp)', async () => {
    const o = await json<Overview>(`/api/console/dashboard/overview?${range()}`);
    expect(o.range).toEqual({ from: D[0], to: D[13], days: 14, includesToday: false, liveAsOf: null });
    // Adds: c1, c2 (D0), c3, c4 (D1), c2 again (D3), c5 (D5), c6 (D12), c8 (D13) = 8 — the re-added c2 is new
    // again. Losses: c2 (D1, by the customer), c4 (D12, by the rep) = 2. Net 6.
    // Active at the end of D13: c1, c2, c3, c5, c6, c8 = 6.
    expect(o.totals).toEqual({ newCustomers: 8, lostCustomers: 2, netCustomers: 6, customersTotal: 6 });
    // 7-day retention: all 8 adds have had their 7 days (D13 + 7 < D45); only c2's first add was lost within 7
    // days (10 hours) → 7 of 8 kept. 30 days (D13 + 30 < D45): c4 too (lost 11 days after its add) → 6 of 8.
    expect(o.retention7).toEqual({ count: 7, of: 8, rate: 7 / 8 });
    expect(o.retention30).toEqual({ count: 6, of: 8, rate: 6 / 8 });
    expect(o.lossReasons).toEqual([
      { reason: 'deleted_by_customer', count: 1 },
      { reason: 'deleted_by_rep', count: 1 },
    ]);
    // Per corp day: c2 at 23:50 is D0's, c3 at 00:10 is D1's (the same UTC day). Totals at each day's end.
    const day = (k: number, n: number, l: number, total: number) => ({
      day: D[k],
      newCustomers: n,
      lostCustomers: l,
      netCustomers: n - l,
      customersTotal: total,
    });
    expect(o.days).toEqual([
      day(0, 2, 0, 2), // c1, c2
      day(1, 2, 1, 3), // + c3, c4 − c2
      day(2, 0, 0, 3),
      day(3, 1, 0, 4), // + c2 again
      day(4, 0, 0, 4),
      day(5, 1, 0, 5), // + c5
      day(6, 0, 0, 5),
      day(7, 0, 0, 5),
      day(8, 0, 0, 5),
      day(9, 0, 0, 5),
      day(10, 0, 0, 5),
      day(11, 0, 0, 5),
      day(12, 1, 1, 5), // + c6 − c4
      day(13, 1, 0, 6), // + c8
    ]);
    // Channel A: c1, c2, c3, c2 again, c5, c6 = 6 adds, c2 lost → net 5. No channel: c8. Channel B: c4 added and
    // lost. Most adds first; on a tie the row without a channel (id 0) before B.
    expect(o.channels).toEqual([
      { channel: { id: channelA, name: '门店海报' }, newCustomers: 6, lostCustomers: 1, netCustomers: 5 },
      { channel: null, newCustomers: 1, lostCustomers: 0, netCustomers: 1 },
      { channel: { id: channelB, name: '线上广告' }, newCustomers: 1, lostCustomers: 1, netCustomers: 0 },
    ]);

    // The CSV twins: the same numbers.
    expect(await csv(`/api/console/dashboard/overview/days.csv?${range()}`)).toEqual([
      ['日期', '新增客户', '流失客户', '净增客户', '客户总数'],
      ...o.days.map((d) => [d.day, d.newCustomers, d.lostCustomers, d.netCustomers, d.customersTotal].map(String)),
    ]);
    expect(await csv(`/api/console/dashboard/overview/channels.csv?${range()}`)).toEqual([
      ['渠道', '新增客户', '流失客户', '净增客户'],
      ['门店海报', '6', '1', '5'],
      ['无渠道', '1', '0', '1'],
      ['线上广告', '1', '1', '0'],
    ]);
  });

  it('the day boundary is Asia/Shanghai midnight: D0 alone has c1 and c2, D1 alone c3 and c4', async () => {
    const d0 = await json<Overview>(`/api/console/dashboard/overview?from=${D[0]}&to=${D[0]}`);
    expect(d0.totals).toEqual({ newCustomers: 2, lostCustomers: 0, netCustomers: 2, customersTotal: 2 });
    const d1 = await json<Overview>(`/api/console/dashboard/overview?from=${D[1]}&to=${D[1]}`);
    // c3 (00:10) and c4; c2 lost; active at D1's end: c1, c3, c4.
    expect(d1.totals).toEqual({ newCustomers: 2, lostCustomers: 1, netCustomers: 1, customersTotal: 3 });
    // D1's adds: c3 kept, c4 lost on D12 (within 30 days, not 7) → 7 days 2 of 2, 30 days 1 of 2.
    expect(d1.retention7).toEqual({ count: 2, of: 2, rate: 1 });
    expect(d1.retention30).toEqual({ count: 1, of: 2, rate: 0.5 });
  });

  it('counts a rep’s figures in the department the rep was in that day (wangfang moved on D10)', async () => {
    // 销售一部: lina's c1, c2, c3, c2 again, and wangfang's c5 (D5, before the move) = 5 adds; c2 lost.
    const one = await json<Overview>(`/api/console/dashboard/overview?${range()}&departmentId=2`);
    expect(one.totals).toEqual({ newCustomers: 5, lostCustomers: 1, netCustomers: 4, customersTotal: 3 });
    // Totals at each day's end, as the department had them then: c5 counts in 一部 until D9 (D5–D9: 4 relationships),
    // and leaves with wangfang on D10 (3: lina's c1, c2, c3).
    expect(one.days.map((d) => [d.newCustomers, d.lostCustomers, d.customersTotal])).toEqual([
      [2, 0, 2],
      [1, 1, 2],
      [0, 0, 2],
      [1, 0, 3],
      [0, 0, 3],
      [1, 0, 4],
      [0, 0, 4],
      [0, 0, 4],
      [0, 0, 4],
      [0, 0, 4],
      [0, 0, 3],
      [0, 0, 3],
      [0, 0, 3],
      [0, 0, 3],
    ]);
    // 7 days: the 5 adds, c2's first lost → 4 of 5; 30 days the same.
    expect(one.retention7).toEqual({ count: 4, of: 5, rate: 4 / 5 });
    expect(one.retention30).toEqual({ count: 4, of: 5, rate: 4 / 5 });
    // 销售二部: chenjing's c4 (added D1, lost D12), wangfang's c6 (D12, after the move), zhaolei's c8 (D13).
    const two = await json<Overview>(`/api/console/dashboard/overview?${range()}&departmentId=3`);
    expect(two.totals).toEqual({ newCustomers: 3, lostCustomers: 1, netCustomers: 2, customersTotal: 3 });
    expect(two.days.map((d) => [d.newCustomers, d.lostCustomers, d.customersTotal])).toEqual([
      [0, 0, 0],
      [1, 0, 1], // c4
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 2], // wangfang arrives with c5
      [0, 0, 2],
      [1, 1, 2], // + c6 − c4
      [1, 0, 3], // + c8
    ]);
    expect(two.retention7).toEqual({ count: 3, of: 3, rate: 1 });
    expect(two.retention30).toEqual({ count: 2, of: 3, rate: 2 / 3 });
    expect(two.lossReasons).toEqual([
      { reason: 'deleted_by_customer', count: 0 },
      { reason: 'deleted_by_rep', count: 1 },
    ]);

    // The manager of 销售一部 sees the 一部 figures, wangfang's earlier ones included.
    const mine = await json<Overview>(`/api/console/dashboard/overview?${range()}`, manager);
    expect(mine.totals).toEqual(one.totals);
    expect(mine.days).toEqual(one.days);
    // By rep: wangfang's figures in the manager's scope are her 一部 days only (c5).
    const hers = await json<Overview>(`/api/console/dashboard/overview?${range()}&userId=wangfang`, manager);
    expect(hers.totals.newCustomers).toBe(1);
    expect(hers.channels).toEqual([
      { channel: { id: channelA, name: '门店海报' }, newCustomers: 1, lostCustomers: 0, netCustomers: 1 },
    ]);
  });

  it('lists the losses with reason, rep, channel and when the relationship began', async () => {
    const page = await json<LossAlertPage>(`/api/console/dashboard/loss-alerts?${range()}`);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map(({ id: _id, ...a }) => a)).toEqual([
      {
        lostAt: corpTime(D[12]!, '11:00'),
        reason: 'deleted_by_rep',
        reasonText: '员工删除客户',
        userId: 'chenjing',
        repName: '陈静',
        externalUserId: c.c4,
        customerName: '客户四',
        channel: { id: channelB, name: '线上广告' },
        addedAt: corpTime(D[1]!, '11:00'),
      },
      {
        lostAt: corpTime(D[1]!, '10:00'),
        reason: 'deleted_by_customer',
        reasonText: '客户删除员工',
        userId: 'lina',
        repName: '李娜',
        externalUserId: c.c2,
        customerName: '客户二',
        channel: { id: channelA, name: '门店海报' },
        // The add before this loss (D0 23:50), not the later re-add.
        addedAt: corpTime(D[0]!, '23:50'),
      },
    ]);
    const rows = await csv(`/api/console/dashboard/loss-alerts.csv?${range()}`);
    expect(rows).toEqual([
      ['流失时间', '原因', '员工', '员工账号', '客户', '客户ID', '渠道', '添加时间'],
      ...page.items.map((a) => [
        new Date(a.lostAt).toISOString(),
        a.reasonText,
        a.repName,
        a.userId,
        a.customerName,
        a.externalUserId,
        a.channel!.name,
        new Date(a.addedAt!).toISOString(),
      ]),
    ]);
    // 销售一部's manager sees lina's loss only.
    const mine = await json<LossAlertPage>(`/api/console/dashboard/loss-alerts?${range()}`, manager);
    expect(mine.items.map((a) => a.externalUserId)).toEqual([c.c2]);
    // Filters: the reason, the channel; pages (newest first) follow the cursor.
    const ids = async (q: string) =>
      (await json<LossAlertPage>(`/api/console/dashboard/loss-alerts?${range()}&${q}`)).items.map(
        (a) => a.externalUserId,
      );
    expect(await ids('reason=deleted_by_customer')).toEqual([c.c2]);
    expect(await ids('reason=deleted_by_rep')).toEqual([c.c4]);
    expect(await ids(`channelId=${channelB}`)).toEqual([c.c4]);
    expect(await ids('userId=lina')).toEqual([c.c2]);
    const first = await json<LossAlertPage>(`/api/console/dashboard/loss-alerts?${range()}&limit=1`);
    expect(first.items.map((a) => a.externalUserId)).toEqual([c.c4]);
    expect(first.nextCursor).not.toBeNull();
    const second = await json<LossAlertPage>(
      `/api/console/dashboard/loss-alerts?${range()}&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(second.items.map((a) => a.externalUserId)).toEqual([c.c2]);
    expect(second.nextCursor).toBeNull();
  });
});

/** A rep's figures, all zero unless given. */
function figures(f: Partial<RepStatsRow> = {}) {
  return {
    newCustomers: 0,
    lostCustomers: 0,
    netCustomers: 0,
    conversations: 0,
    messagesSent: 0,
    customerMessages: 0,
    questions: 0,
    answered: 0,
    firstReplyMedianSeconds: null,
    firstReplyP90Seconds: null,
    replyWithin3m: { count: 0, of: 0, rate: null },
    scriptsSent: 0,
    suggestionsShown: 0,
    suggestionsSent: 0,
    suggestionsEdited: 0,
    suggestionsIgnored: 0,
    notesWritten: 0,
    ...f,
  };
}

/*
 * First replies are read from the band histogram (server/db/schema/stats.ts: ≤5, 10, 15, 20, 25, 30, 45, 60, 75,
 * 90, 105, 120, 135, 150, 165, 180, 240, 300, 420, 600, … s), nearest rank, at the middle of the rank's share of its
 * band (figures.ts bandPercentile). lina's four replies: 60 s (band 45–60), 120 s (105–120), 180 s (165–180),
 * 300 s (240–300). Median: rank ⌈0.5·4⌉ = 2 → band 105–120 holding one reply → 105 + 15·(2−1−0.5)/1 = 112.5 → 113.
 * P90: rank ⌈0.9·4⌉ = 4 → band 240–300 → 240 + 60·0.5 = 270.
 * wangfang's two: 30 s (25–30), 600 s (420–600). Median rank 1 → 25 + 5·0.5 = 27.5 → 28; p90 rank 2 → 420 + 90 = 510.
 */
const LINA = figures({
  newCustomers: 4, // c1, c2, c3, c2 again
  lostCustomers: 1, // c2
  netCustomers: 3,
  // One chat (c1) with messages on three days (D0, D1, D2): chat-days, summed over days as WeCom's 聊天数 is.
  conversations: 3,
  // D0 10:02, 10:10, 13:31; D1 09:01; D2 the two script sends.
  messagesSent: 6,
  customerMessages: 5, // D0 10:00, 10:05, 10:06, 11:58, 20:00
  questions: 4,
  answered: 4,
  firstReplyMedianSeconds: 113,
  firstReplyP90Seconds: 270,
  // Asked in working hours: Q1, Q2, Q3; within 3 working minutes: Q1 (120 s) and Q3 (180 s across lunch).
  replyWithin3m: { count: 2, of: 3, rate: 2 / 3 },
  scriptsSent: 2,
  suggestionsShown: 3,
  suggestionsSent: 1,
  suggestionsEdited: 1,
  suggestionsIgnored: 1,
  notesWritten: 1,
});
const WANGFANG = figures({
  newCustomers: 2, // c5 (一部), c6 (二部)
  netCustomers: 2,
  conversations: 2, // c5, on D8 and D11
  messagesSent: 2,
  customerMessages: 3,
  questions: 3,
  answered: 2,
  firstReplyMedianSeconds: 28,
  firstReplyP90Seconds: 510,
  // All three asked in working hours; only the 30 s one answered within 3 minutes.
  replyWithin3m: { count: 1, of: 3, rate: 1 / 3 },
});
const CHENJING = figures({ newCustomers: 1, lostCustomers: 1, netCustomers: 0 });

describe('员工统计 (reps)', () => {
  it('one row per rep with every figure; totals over all rows', async () => {
    const r = await json<RepStats>(`/api/console/dashboard/reps?${range()}`);
    expect(r.range).toEqual({ from: D[0], to: D[13], days: 14, includesToday: false, liveAsOf: null });
    const row = (userId: string) => r.items.find((i) => i.rep.userId === userId)!;
    expect(row('lina')).toMatchObject({
      rep: { userId: 'lina', name: '李娜', department: { id: 2, name: '销售一部' } },
      ...LINA,
      unansweredNow: 0,
      overdueReminders: 1, // the note due D20
      wecom: null,
    });
    expect(row('wangfang')).toMatchObject({
      rep: { userId: 'wangfang', name: '王芳', department: { id: 3, name: '销售二部' } },
      ...WANGFANG,
      // Her 16:00 question on D11 is long past the 72-hour window.
      unansweredNow: 0,
      overdueReminders: 0,
      wecom: null,
    });
    expect(row('chenjing')).toMatchObject({ ...CHENJING, unansweredNow: 1, overdueReminders: 0, wecom: null });
    expect(row('zhaolei')).toMatchObject({ ...figures({ newCustomers: 1, netCustomers: 1 }), unansweredNow: 0 });
    // Everyone else: zeros. Sorted by new customers, then user id (chenjing before zhaolei).
    const others = r.items.filter((i) => !['lina', 'wangfang', 'chenjing', 'zhaolei'].includes(i.rep.userId));
    expect(others.length).toBeGreaterThan(0);
    for (const o of others) expect(o).toMatchObject({ ...figures(), unansweredNow: 0, overdueReminders: 0 });
    expect(r.items.slice(0, 4).map((i) => i.rep.userId)).toEqual(['lina', 'wangfang', 'chenjing', 'zhaolei']);
    // Totals: sums, and the percentiles over all six answers (30, 60, 120, 180, 300, 600 s): median rank 3 →
    // band 105–120 → 113; p90 rank ⌈5.4⌉ = 6 → band 420–600 → 510. 3 minutes: 2 + 1 of 3 + 3.
    expect(r.totals).toEqual({
      ...figures({
        newCustomers: 8,
        lostCustomers: 2,
        netCustomers: 6,
        conversations: 5,
        messagesSent: 8,
        customerMessages: 8,
        questions: 7,
        answered: 6,
        firstReplyMedianSeconds: 113,
        firstReplyP90Seconds: 510,
        replyWithin3m: { count: 3, of: 6, rate: 0.5 },
        scriptsSent: 2,
        suggestionsShown: 3,
        suggestionsSent: 1,
        suggestionsEdited: 1,
        suggestionsIgnored: 1,
        notesWritten: 1,
      }),
      unansweredNow: 1,
      overdueReminders: 1,
      overdueTasks: 0,
    });

    const rows = await csv(`/api/console/dashboard/reps.csv?${range()}`);
    expect(rows[0]).toEqual([
      '员工',
      '账号',
      '部门',
      '新增客户',
      '流失客户',
      '净增客户',
      '会话数',
      '发送消息数',
      '客户消息数',
      '客户提问数',
      '已回复提问数',
      '首次回复中位数（秒）',
      '首次回复P90（秒）',
      '3分钟回复率（%）',
      '发送话术数',
      '推荐展示数',
      '推荐直接发送数',
      '推荐修改后发送数',
      '推荐忽略数',
      '跟进记录数',
      '当前未回复会话',
      '逾期提醒',
      '逾期任务',
      '企业微信-聊天数',
      '企业微信-发送消息数',
      '企业微信-已回复聊天占比（%）',
      '企业微信-平均首次回复时长（分钟）',
      '企业微信-发起申请数',
      '企业微信-新增客户数',
      '企业微信-删除/拉黑成员的客户数',
    ]);
    expect(rows.slice(1, 4)).toEqual([
      [
        '李娜',
        'lina',
        '销售一部',
        '4',
        '1',
        '3',
        '3',
        '6',
        '5',
        '4',
        '4',
        '113',
        '270',
        '66.7',
        '2',
        '3',
        '1',
        '1',
        '1',
        '1',
        '0',
        '1',
        '0',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        '王芳',
        'wangfang',
        '销售二部',
        '2',
        '0',
        '2',
        '2',
        '2',
        '3',
        '3',
        '2',
        '28',
        '510',
        '33.3',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        '陈静',
        'chenjing',
        '销售二部',
        '1',
        '1',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '',
        '',
        '',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '1',
        '0',
        '0',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ],
    ]);
    expect(rows).toHaveLength(1 + r.items.length);
  });

  it('by department: wangfang’s D5–D9 figures stay in 销售一部, her D10– figures count in 销售二部', async () => {
    const one = await json<RepStats>(`/api/console/dashboard/reps?${range()}&departmentId=2`);
    const ids = one.items.map((i) => i.rep.userId);
    expect(ids).toContain('wangfang');
    expect(ids).not.toContain('chenjing');
    const wangfangOne = one.items.find((i) => i.rep.userId === 'wangfang')!;
    // c5 (D5) and the D8 question answered in 30 s: median and p90 rank 1 of one reply → 28.
    expect(wangfangOne).toMatchObject({
      ...figures({
        newCustomers: 1,
        netCustomers: 1,
        conversations: 1,
        messagesSent: 1,
        customerMessages: 1,
        questions: 1,
        answered: 1,
        firstReplyMedianSeconds: 28,
        firstReplyP90Seconds: 28,
        replyWithin3m: { count: 1, of: 1, rate: 1 },
      }),
      // Figures of now count where the rep is now (二部), not here.
      unansweredNow: 0,
      overdueReminders: 0,
    });
    expect(one.items.find((i) => i.rep.userId === 'lina')).toMatchObject(LINA);
    const two = await json<RepStats>(`/api/console/dashboard/reps?${range()}&departmentId=3`);
    expect(two.items.map((i) => i.rep.userId)).not.toContain('lina');
    // c6 (D12) and the D11 questions: one answered in 600 s (band 420–600, one reply → 510), one never.
    expect(two.items.find((i) => i.rep.userId === 'wangfang')).toMatchObject(
      figures({
        newCustomers: 1,
        netCustomers: 1,
        conversations: 1,
        messagesSent: 1,
        customerMessages: 2,
        questions: 2,
        answered: 1,
        firstReplyMedianSeconds: 510,
        firstReplyP90Seconds: 510,
        replyWithin3m: { count: 0, of: 2, rate: 0 },
      }),
    );
    expect(two.items.find((i) => i.rep.userId === 'chenjing')).toMatchObject(CHENJING);

    // The manager of 销售一部: the people of 一部 now (zhangwei, lina) and wangfang for her 一部 days; not 二部's.
    const mine = await json<RepStats>(`/api/console/dashboard/reps?${range()}`, manager);
    expect(mine.items.map((i) => i.rep.userId).sort()).toEqual(['lina', 'wangfang', 'zhangwei']);
    expect(mine.totals).toMatchObject({ newCustomers: 5, lostCustomers: 1, questions: 5, answered: 5 });
    // Sorted by the median first reply, fastest first; reps without replies last.
    const sorted = await json<RepStats>(
      `/api/console/dashboard/reps?${range()}&sort=firstReplyMedianSeconds&order=asc`,
    );
    expect(sorted.items.slice(0, 2).map((i) => [i.rep.userId, i.firstReplyMedianSeconds])).toEqual([
      ['wangfang', 28],
      ['lina', 113],
    ]);
    expect(sorted.items.slice(2).every((i) => i.firstReplyMedianSeconds === null)).toBe(true);
  });

  it('one rep by day, and the days CSV', async () => {
    const r = await json<RepDetail>(`/api/console/dashboard/reps/lina?${range()}`);
    expect(r.range).toEqual({ from: D[0], to: D[13], days: 14, includesToday: false, liveAsOf: null });
    expect(r.rep).toMatchObject({ userId: 'lina', department: { id: 2, name: '销售一部' } });
    expect(r.totals).toMatchObject({ ...LINA, unansweredNow: 0, overdueReminders: 1, wecom: null });
    const byDay = new Map(r.days.map((d) => [d.day, d]));
    expect(r.days).toHaveLength(14);
    expect(byDay.get(D[0]!)).toEqual({
      day: D[0],
      ...figures({
        newCustomers: 2,
        netCustomers: 2,
        conversations: 1,
        messagesSent: 3,
        customerMessages: 5,
        questions: 4,
        answered: 4, // Q4 counts on D0, the day it was asked, though answered on D1
        firstReplyMedianSeconds: 113,
        firstReplyP90Seconds: 270,
        replyWithin3m: { count: 2, of: 3, rate: 2 / 3 },
      }),
      wecom: null,
    });
    expect(byDay.get(D[1]!)).toEqual({
      day: D[1],
      ...figures({ newCustomers: 1, lostCustomers: 1, conversations: 1, messagesSent: 1 }),
      wecom: null,
    });
    expect(byDay.get(D[2]!)).toEqual({
      day: D[2],
      ...figures({
        conversations: 1,
        messagesSent: 2,
        scriptsSent: 2,
        suggestionsShown: 3,
        suggestionsSent: 1,
        suggestionsEdited: 1,
        suggestionsIgnored: 1,
        notesWritten: 1,
      }),
      wecom: null,
    });
    expect(byDay.get(D[3]!)).toEqual({ day: D[3], ...figures({ newCustomers: 1, netCustomers: 1 }), wecom: null });
    for (const k of [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) {
      expect(byDay.get(D[k]!)).toEqual({ day: D[k], ...figures(), wecom: null });
    }
    const rows = await csv(`/api/console/dashboard/reps/lina/days.csv?${range()}`);
    expect(rows).toHaveLength(15);
    expect(rows[1]).toEqual([
      D[0],
      '2',
      '0',
      '2',
      '1',
      '3',
      '5',
      '4',
      '4',
      '113',
      '270',
      '66.7',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
    expect(rows[3]).toEqual([
      D[2],
      '0',
      '0',
      '0',
      '1',
      '2',
      '0',
      '0',
      '0',
      '',
      '',
      '',
      '2',
      '3',
      '1',
      '1',
      '1',
      '1',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);

    // 销售一部's manager may look at wangfang (she has figures there) but sees only her 一部 days.
    const hers = await json<RepDetail>(`/api/console/dashboard/reps/wangfang?${range()}`, manager);
    expect(hers.totals).toMatchObject({ newCustomers: 1, questions: 1, firstReplyMedianSeconds: 28 });
    expect(hers.days.filter((d) => d.newCustomers > 0).map((d) => d.day)).toEqual([D[5]]);
  });
});

describe('渠道统计 (channels)', () => {
  it('per channel: scans that became customers, losses, 7/30-day loss, welcome sent and missed', async () => {
    const list = await json<ChannelStatsList>(`/api/console/dashboard/channels?${range()}`);
    expect(list.range).toEqual({ from: D[0], to: D[13], days: 14, includesToday: false, liveAsOf: null });
    expect(list.items).toEqual([
      {
        channel: { id: channelA, name: '门店海报', groupName: '线下', deleted: false },
        adds: 6,
        losses: 1,
        net: 5,
        // Of the 6 adds, c2's first was lost within 7 (and 30) days.
        lost7: { count: 1, of: 6, rate: 1 / 6 },
        lost30: { count: 1, of: 6, rate: 1 / 6 },
        // c1, c2, c2 again, c5, c6 welcomed; c3's event carried no WelcomeCode.
        welcomeSent: 5,
        welcomeMissed: 1,
      },
      {
        channel: { id: channelB, name: '线上广告', groupName: '线上', deleted: false },
        adds: 1,
        losses: 1,
        net: 0,
        // c4 lost after 11 days: not within 7, within 30.
        lost7: { count: 0, of: 1, rate: 0 },
        lost30: { count: 1, of: 1, rate: 1 },
        welcomeSent: 1,
        welcomeMissed: 0,
      },
    ]);
    expect(await csv(`/api/console/dashboard/channels.csv?${range()}`)).toEqual([
      [
        '渠道',
        '分组',
        '已删除',
        '扫码添加',
        '流失',
        '净增',
        '7日流失率（%）',
        '30日流失率（%）',
        '欢迎语已发送',
        '欢迎语未发送',
      ],
      ['门店海报', '线下', '否', '6', '1', '5', '16.7', '16.7', '5', '1'],
      ['线上广告', '线上', '否', '1', '1', '0', '0.0', '100.0', '1', '0'],
    ]);
  });

  it('one channel by day and by rep, and the tags its active customers carry', async () => {
    const d = await json<ChannelDetail>(`/api/console/dashboard/channels/${channelA}?${range()}`);
    const list = await json<ChannelStatsList>(`/api/console/dashboard/channels?${range()}`);
    expect(d.totals).toEqual(list.items[0]);
    const days = new Map(d.days.map((x) => [x.day, [x.adds, x.losses, x.net]]));
    expect(d.days).toHaveLength(14);
    expect(days.get(D[0]!)).toEqual([2, 0, 2]); // c1, c2
    expect(days.get(D[1]!)).toEqual([1, 1, 0]); // c3; c2 lost
    expect(days.get(D[3]!)).toEqual([1, 0, 1]); // c2 again
    expect(days.get(D[5]!)).toEqual([1, 0, 1]); // c5
    expect(days.get(D[12]!)).toEqual([1, 0, 1]); // c6
    expect([2, 4, 6, 7, 8, 9, 10, 11, 13].map((k) => days.get(D[k]!))).toEqual(Array(9).fill([0, 0, 0]));
    expect(d.reps).toEqual([
      { userId: 'lina', name: '李娜', department: { id: 2, name: '销售一部' }, adds: 4, losses: 1, net: 3 },
      { userId: 'wangfang', name: '王芳', department: { id: 3, name: '销售二部' }, adds: 2, losses: 0, net: 2 },
    ]);
    // Active now and added through A in the range: c1, c2 (its follow is the D3 re-add), c3, c5, c6 = 5.
    // All carry 线下门店; 潜在客户 was removed from c6 in WeCom → 4.
    expect(d.activeCustomers).toBe(5);
    expect(d.tags).toEqual([
      { tagId: tags.store, name: '线下门店', groupName: '客户来源', customers: 5 },
      { tagId: tags.lead, name: '潜在客户', groupName: '客户等级', customers: 4 },
    ]);
    expect(d.range).toEqual({ from: D[0], to: D[13], days: 14, includesToday: false, liveAsOf: null });
    expect(await csv(`/api/console/dashboard/channels/${channelA}/days.csv?${range()}`)).toEqual([
      ['日期', '扫码添加', '流失', '净增'],
      ...d.days.map((x) => [x.day, String(x.adds), String(x.losses), String(x.net)]),
    ]);
    expect(await csv(`/api/console/dashboard/channels/${channelA}/reps.csv?${range()}`)).toEqual([
      ['员工', '账号', '部门', '扫码添加', '流失', '净增'],
      ['李娜', 'lina', '销售一部', '4', '1', '3'],
      ['王芳', 'wangfang', '销售二部', '2', '0', '2'],
    ]);
    // By department: 二部 has wangfang's c6 only (c5 was added while she was in 一部).
    const two = await json<ChannelDetail>(`/api/console/dashboard/channels/${channelA}?${range()}&departmentId=3`);
    expect(two.totals).toMatchObject({ adds: 1, losses: 0, net: 1, welcomeSent: 1, welcomeMissed: 0 });
    expect(two.reps.map((x) => [x.userId, x.adds])).toEqual([['wangfang', 1]]);
    // The manager of 销售一部: adds by the department each rep was in (lina's 4 and wangfang's c5); the tags are
    // those of the customers of the reps in 一部 now (documented: reps in scope now) — lina's c1, c2, c3.
    const mine = await json<ChannelDetail>(`/api/console/dashboard/channels/${channelA}?${range()}`, manager);
    expect(mine.totals).toMatchObject({ adds: 5, losses: 1, net: 4, welcomeSent: 4, welcomeMissed: 1 });
    expect(mine.activeCustomers).toBe(3);
    expect(mine.tags.map((t) => [t.name, t.customers])).toEqual([
      ['线下门店', 3],
      ['潜在客户', 3],
    ]);
  });
});

describe('the day of a move', () => {
  it('a rep’s whole day counts in the department the rep ended it in — the loss alerts too', async () => {
    const q = `from=${D[20]}&to=${D[20]}`;
    // D20's rollup counts zhaolei's day in 客服部 (where he was at its end): c9 added and lost there; at the day's
    // end 客服部 has zhaolei's c8 (added D13 in 销售二部, it moved with him).
    const service = await json<Overview>(`/api/console/dashboard/overview?${q}&departmentId=4`);
    expect(service.totals).toEqual({ newCustomers: 1, lostCustomers: 1, netCustomers: 0, customersTotal: 1 });
    // 销售二部 that day: nothing; wangfang's c5 and c6 at its end.
    const sales2 = await json<Overview>(`/api/console/dashboard/overview?${q}&departmentId=3`);
    expect(sales2.totals).toEqual({ newCustomers: 0, lostCustomers: 0, netCustomers: 0, customersTotal: 2 });
    // The loss list agrees with the counts: c9's loss (10:00, before the move was seen) is 客服部's.
    const alerts = async (department: number) =>
      (await json<LossAlertPage>(`/api/console/dashboard/loss-alerts?${q}&departmentId=${department}`)).items.map(
        (a) => a.externalUserId,
      );
    expect(await alerts(4)).toEqual([c.c9]);
    expect(await alerts(3)).toEqual([]);
  });
});

describe('today and bad input', () => {
  it('today is computed live; its total continues from yesterday’s rollup', async () => {
    const o = await json<Overview>(`/api/console/dashboard/overview?from=${D[44]}&to=${D[45]}`);
    expect(o.range).toEqual({ from: D[44], to: D[45], days: 2, includesToday: true, liveAsOf: scene.clock.now() });
    // D44: nothing happens, 6 active (c1, c2, c3, c5, c6, c8). D45 (today): c7 → 7.
    expect(o.days).toEqual([
      { day: D[44], newCustomers: 0, lostCustomers: 0, netCustomers: 0, customersTotal: 6 },
      { day: D[45], newCustomers: 1, lostCustomers: 0, netCustomers: 1, customersTotal: 7 },
    ]);
    expect(o.totals).toEqual({ newCustomers: 1, lostCustomers: 0, netCustomers: 1, customersTotal: 7 });
    // c7's 7 days have not passed: no cohort yet.
    expect(o.retention7).toEqual({ count: 0, of: 0, rate: null });
    expect(o.retention30).toEqual({ count: 0, of: 0, rate: null });
    expect(o.channels).toEqual([
      { channel: { id: channelB, name: '线上广告' }, newCustomers: 1, lostCustomers: 0, netCustomers: 1 },
    ]);
    // chenjing today: c7 added; c4's 09:30 message is a question asked in working hours 30 working minutes ago,
    // unanswered: in the 3-minute rate's base (0 of 1), not in the reply times.
    const r = await json<RepDetail>(`/api/console/dashboard/reps/chenjing?from=${D[45]}&to=${D[45]}`);
    expect(r.totals).toEqual({
      rep: r.rep,
      ...figures({
        newCustomers: 1,
        netCustomers: 1,
        conversations: 1,
        customerMessages: 1,
        questions: 1,
        replyWithin3m: { count: 0, of: 1, rate: 0 },
      }),
      unansweredNow: 1,
      overdueReminders: 0,
      overdueTasks: 0,
      wecom: null,
    });
  });

  it('refuses a bad range with a Chinese message', async () => {
    for (const [query, message] of [
      [`from=${D[13]}&to=${D[0]}`, '结束日期不能早于开始日期'],
      [`from=${D[0]}&to=${plusDays(D[0]!, 366)}`, '日期范围最多 366 天'],
      ['from=2026-02-30&to=2026-03-01', '日期无效'],
    ] as const) {
      for (const path of ['overview', 'reps', 'channels', `channels/${channelA}`, 'reps/lina']) {
        const res = await admin(app, 'GET', `/api/console/dashboard/${path}?${query}`);
        expect(res.statusCode, `${path}?${query}`).toBe(400);
        expect((res.json() as { message: string }).message, `${path}?${query}`).toBe(message);
      }
    }
    const unknown = await admin(app, 'GET', `/api/console/dashboard/overview?${range()}&channel=1`);
    expect(unknown.statusCode).toBe(400);
    expect((unknown.json() as { message: string }).message).toMatch(/[\u4e00-\u9fff]/);
    expect((await admin(app, 'GET', `/api/console/dashboard/reps/nobody?${range()}`)).statusCode).toBe(404);
    expect((await admin(app, 'GET', `/api/console/dashboard/channels/999999?${range()}`)).statusCode).toBe(404);
  });
});

describe('long ranges', () => {
  // D0 − 60 … D45: whole calendar months lie between the range's start and D14 (the last day whose 30 days have
  // passed), so their sums come from the monthly rows (movement_monthly, rep_monthly), the edges and the later days
  // from the daily rows, today live.
  const long = () => `from=${plusDays(D[0]!, -60)}&to=${D[45]}`;

  it('a rep’s row over months is the sum of the rep’s days', async () => {
    const list = await json<RepStats>(`/api/console/dashboard/reps?${long()}`);
    expect(list.range).toEqual({
      from: plusDays(D[0]!, -60),
      to: D[45],
      days: 106,
      includesToday: true,
      liveAsOf: scene.clock.now(),
    });
    // Every add of the story: c1, c2, c3, c2 again, c4, c5, c6, c8, c9, c7 (today) = 10; losses c2, c4, c9 = 3.
    expect(list.totals.newCustomers).toBe(10);
    expect(list.totals.lostCustomers).toBe(3);
    const withFigures = list.items.filter((r) => r.newCustomers > 0 || r.messagesSent > 0);
    expect(withFigures.map((r) => r.rep.userId).sort()).toEqual(['chenjing', 'lina', 'wangfang', 'zhaolei']);
    for (const row of list.items) {
      // The rep's page sums day by day (daily rows only).
      const detail = await json<RepDetail>(`/api/console/dashboard/reps/${row.rep.userId}?${long()}`);
      expect(row, row.rep.userId).toEqual(detail.totals);
    }
  });

  it('a channel’s adds, losses and 7/30-day loss over months', async () => {
    const list = await json<ChannelStatsList>(`/api/console/dashboard/channels?${long()}`);
    expect(list.items).toMatchObject([
      {
        channel: { id: channelA },
        adds: 6,
        losses: 1,
        net: 5,
        lost7: { count: 1, of: 6 },
        lost30: { count: 1, of: 6 },
        welcomeSent: 5,
        welcomeMissed: 1,
      },
      {
        channel: { id: channelB },
        // c4 (D1), c9 (D20), c7 (today); c4 and c9 lost.
        adds: 3,
        losses: 2,
        net: 1,
        // 7 days passed for c4 and c9 (c9 lost within the hour); 30 days for c4 only (lost after 11 days).
        lost7: { count: 1, of: 2 },
        lost30: { count: 1, of: 1 },
      },
    ]);
    const o = await json<Overview>(`/api/console/dashboard/overview?${long()}`);
    expect(o.totals).toEqual({ newCustomers: 10, lostCustomers: 3, netCustomers: 7, customersTotal: 7 });
    expect(o.channels.map((x) => [x.channel?.id ?? null, x.newCustomers, x.lostCustomers])).toEqual([
      [channelA, 6, 1],
      [channelB, 3, 2],
      [null, 1, 0],
    ]);
  });
});

describe('scope', () => {
  it('the manager of 销售一部 gets 403 for 销售二部’s department and reps, JSON and CSV alike', async () => {
    const q = range();
    for (const url of [
      `/api/console/dashboard/overview?${q}&departmentId=3`,
      `/api/console/dashboard/overview/days.csv?${q}&departmentId=3`,
      `/api/console/dashboard/overview/channels.csv?${q}&departmentId=3`,
      `/api/console/dashboard/overview?${q}&userId=chenjing`,
      `/api/console/dashboard/loss-alerts?${q}&departmentId=3`,
      `/api/console/dashboard/loss-alerts.csv?${q}&departmentId=3`,
      `/api/console/dashboard/reps?${q}&departmentId=3`,
      `/api/console/dashboard/reps.csv?${q}&departmentId=3`,
      `/api/console/dashboard/reps/chenjing?${q}`,
      `/api/console/dashboard/reps/chenjing/days.csv?${q}`,
      `/api/console/dashboard/channels?${q}&departmentId=3`,
      `/api/console/dashboard/channels.csv?${q}&departmentId=3`,
      `/api/console/dashboard/channels/${channelB}?${q}&departmentId=3`,
      `/api/console/dashboard/channels/${channelB}/reps.csv?${q}&userId=chenjing`,
    ]) {
      const res = await manager.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      expect((res.json() as { message: string }).message, url).toMatch(/[\u4e00-\u9fff]/);
    }
    // Their own department answers.
    expect((await manager.get(`/api/console/dashboard/reps?${q}&departmentId=2`)).statusCode).toBe(200);
  });
});

// Last: it moves the clock past midnight.
describe('after midnight, before the night’s rollup', () => {
  it('today’s total still counts yesterday’s movements (yesterday is not rolled up yet)', async () => {
    scene.at(corpTime(D[45]!, '23:59'));
    const before = await json<Overview>(`/api/console/dashboard/overview?from=${D[45]}&to=${D[45]}`);
    expect(before.totals.customersTotal).toBe(7);
    // D46 00:20: the 00:40 rollup of D45 has not run yet. Active: c1, c2, c3, c5, c6, c8 and yesterday's c7 = 7.
    scene.at(corpTime(plusDays(D[45]!, 1), '00:20'));
    const today = plusDays(D[45]!, 1);
    const o = await json<Overview>(`/api/console/dashboard/overview?from=${today}&to=${today}`);
    expect(o.totals).toEqual({ newCustomers: 0, lostCustomers: 0, netCustomers: 0, customersTotal: 7 });
    expect(o.days).toEqual([{ day: today, newCustomers: 0, lostCustomers: 0, netCustomers: 0, customersTotal: 7 }]);
    // Channel B alone: c7 (c4 was lost) = 1; chenjing alone the same.
    const b = await json<Overview>(`/api/console/dashboard/overview?from=${today}&to=${today}&channelId=${channelB}`);
    expect(b.totals.customersTotal).toBe(1);
    const chenjing = await json<Overview>(`/api/console/dashboard/overview?from=${today}&to=${today}&userId=chenjing`);
    expect(chenjing.totals.customersTotal).toBe(1);
  });
});
