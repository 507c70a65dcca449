import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import { seedSidebar } from '../../server/demo/seed-sidebar.js';
import { createSuggestionEngine } from '../../server/modules/suggest/engine/index.js';
import { scriptDoc } from '../../server/modules/suggest/script-doc.js';
import { startApp, testConfig, waitFor } from '../support/app.js';
import {
  adminCall,
  CORP,
  customersOnlyOf,
  login,
  repClient,
  sql,
  syncCorp,
  type RepClient,
} from '../support/sidebar.js';

interface Suggested {
  scriptId: number;
  rank: number;
  score: number;
  reason: string;
  source: 'text' | 'learned' | 'both';
  script: { id: number; groupName: string; title: string; kind: string; content: string; payload: object };
  feedbackKey: string;
}
interface SuggestionList {
  message: { id: number | null; text: string; sentAt: number | null } | null;
  items: Suggested[];
  reranked: boolean;
  draft: unknown;
}
interface ScriptItem {
  id: number;
  title: string;
  content: string;
  groupName: string;
}

/** The main app (with WeCom's emulator) and the other instances on its database. */
let app: App;
const others: App[] = [];
let lina: RepClient;
let linaCookie: string;
let zhangwei: RepClient;
let linaCustomer: string;
let zhangweiCustomer: string;
const scripts = new Map<string, ScriptItem>();

/** Another instance on the same database (its own engines), talking to the main app's emulator. */
async function instance(): Promise<App> {
  const base = testConfig({ database: app.config.database });
  const address = app.server.address() as { port: number };
  const other = await buildApp(
    {
      ...base,
      dataDir: app.config.dataDir,
      emulator: false,
      wecom: { ...base.wecom, apiBase: `http://127.0.0.1:${address.port}/emulator` },
    },
    { logger: false },
  );
  await other.listen({ port: 0, host: '127.0.0.1' });
  others.push(other);
  return other;
}

async function close(other: App) {
  others.splice(others.indexOf(other), 1);
  await other.close();
}

beforeAll(async () => {
  app = await startApp();
  await syncCorp(app);
  await seedSidebar(app);
  linaCookie = await login(app, 'lina');
  lina = repClient(app, linaCookie);
  zhangwei = repClient(app, await login(app, 'zhangwei'));
  linaCustomer = (await customersOnlyOf(app, 'lina', 'zhangwei'))[0]!;
  zhangweiCustomer = (await customersOnlyOf(app, 'zhangwei', 'lina'))[0]!;
  const all = (await lina.get('/api/scripts?limit=100')).json() as { items: ScriptItem[] };
  for (const s of all.items) scripts.set(s.title, s);
});

afterAll(async () => {
  for (const other of others.splice(0)) await other.close();
  await app?.close();
});

const script = (title: string) => scripts.get(title)!;

async function suggest(rep: RepClient, customer: string, ...messages: string[]): Promise<SuggestionList> {
  const res = await rep.post(`/api/customers/${customer}/suggestions`, { messages });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['server-timing']).toMatch(/^engine;dur=\d+\.\d\d, engine-cpu;dur=\d+\.\d\d$/);
  return res.json() as SuggestionList;
}
const titles = (list: SuggestionList) => list.items.map((s) => s.script.title);

async function send(rep: RepClient, customer: string, title: string, extra: Record<string, string> = {}) {
  const res = await rep.post(`/api/scripts/${script(title).id}/sends`, { externalUserId: customer, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { sendId: number };
}

/** What the chat archive would have stored: a 1:1 chat between a rep and a customer. Returns the message ids. */
async function storeChat(
  a: App,
  userId: string,
  externalUserId: string,
  lines: Array<{ from: 'customer' | 'rep'; text: string; at: number; source?: 'archive' | 'sidebar' }>,
): Promise<number[]> {
  const { conversations, messages } = a.db.t;
  const key = `single:${userId}:${externalUserId}`;
  await a.db
    .insert(conversations)
    .values({ corpId: CORP, key, kind: 'single', userId, externalUserId })
    .onConflictDoNothing();
  const [conversation] = await a.db
    .select()
    .from(conversations)
    .where(and(eq(conversations.corpId, CORP), eq(conversations.key, key)));
  const ids: number[] = [];
  for (const [i, line] of lines.entries()) {
    const customer = line.from === 'customer';
    const [row] = await a.db
      .insert(messages)
      .values({
        corpId: CORP,
        msgid: `test-${key}-${line.at}-${i}`,
        sender: customer ? externalUserId : userId,
        receivers: [customer ? userId : externalUserId],
        sentAt: line.at,
        type: 'text',
        text: line.text,
        content: { content: line.text },
        conversationId: conversation!.id,
        userId,
        externalUserId,
        direction: customer ? 'customer_to_rep' : 'rep_to_customer',
        source: line.source ?? 'archive',
      })
      .returning({ id: messages.id });
    ids.push(row!.id);
  }
  return ids;
}

describe('answering a customer message', () => {
  it('a pricing question gets pricing scripts, with a score, a Chinese reason and the text to send', async () => {
    const list = await suggest(lina, linaCustomer, '现在买有什么优惠吗');
    expect(list.message).toEqual({ id: null, text: '现在买有什么优惠吗', sentAt: null });
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.length).toBeLessThanOrEqual(3);
    const top = list.items[0]!;
    expect(top.script.groupName).toBe('价格优惠');
    expect(top.rank).toBe(1);
    expect(top.score).toBeGreaterThan(0);
    expect(top.score).toBeLessThanOrEqual(1);
    expect(top.reason).toMatch(/[\u4e00-\u9fff]/);
    expect(top.script.content).toBe(script(top.script.title).content);
    expect(list.items.map((s) => s.rank)).toEqual(list.items.map((_, i) => i + 1));
    expect(list.items.map((s) => s.score)).toEqual([...list.items.map((s) => s.score)].sort((a, b) => b - a));
    expect(list).toMatchObject({ reranked: false, draft: null });

    expect(titles(await suggest(lina, linaCustomer, '运费多少'))[0]).toBe('全国包邮说明');
    expect(titles(await suggest(lina, linaCustomer, '能退货吗'))[0]).toBe('七天无理由退货');
  });

  it('thanks, greetings and acknowledgements get nothing', async () => {
    for (const m of ['谢谢', '你好', '好的', '在吗', '哈哈哈', '👍', '收到，谢谢啦']) {
      expect((await suggest(lina, linaCustomer, m)).items, m).toEqual([]);
    }
  });

  it('earlier messages give the context of the last one', async () => {
    const list = await suggest(lina, linaCustomer, '扫地机器人能拖地吗', '那个多少钱');
    expect(list.message!.text).toBe('那个多少钱');
    expect(list.items.length).toBeGreaterThan(0);
  });

  it('fills {客户昵称} and {员工姓名} in the suggested text', async () => {
    const groupId = ((await lina.get('/api/script-groups')).json() as { id: number }[])[0]!.id;
    const created = await adminCall(app, 'POST', '/api/scripts', {
      groupId,
      title: '宠物家庭推荐',
      kind: 'text',
      content: '{客户昵称}您好，我是{员工姓名}：家里有猫狗的话，净化器开宠物模式，能吸附浮毛。',
    });
    expect(created.statusCode, created.body).toBe(201);
    const list = await suggest(lina, linaCustomer, '家里有猫，浮毛多怎么办');
    const item = list.items.find((s) => s.script.title === '宠物家庭推荐');
    expect(item, JSON.stringify(list)).toBeDefined();
    const [customer] = await sql<{ name: string }>(
      app,
      'SELECT name FROM contacts WHERE corp_id = ? AND external_user_id = ?',
      CORP,
      linaCustomer,
    );
    const [rep] = await sql<{ name: string }>(
      app,
      'SELECT name FROM reps WHERE corp_id = ? AND user_id = ?',
      CORP,
      'lina',
    );
    expect(item!.script.content).toBe(
      `${customer!.name}您好，我是${rep!.name}：家里有猫狗的话，净化器开宠物模式，能吸附浮毛。`,
    );
    await adminCall(app, 'DELETE', `/api/scripts/${(created.json() as { id: number }).id}`);
  });

  it("only for the rep's own customers: 403 for another rep's, 404 for an unknown one, 401 signed out", async () => {
    expect((await lina.get(`/api/customers/${zhangweiCustomer}/suggestions`)).statusCode).toBe(403);
    expect(
      (await lina.post(`/api/customers/${zhangweiCustomer}/suggestions`, { messages: ['包邮吗'] })).statusCode,
    ).toBe(403);
    expect((await lina.get('/api/customers/wmNOBODY0000000000000/suggestions')).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/customers/${linaCustomer}/suggestions` })).statusCode).toBe(401);
    const empty = await lina.post(`/api/customers/${linaCustomer}/suggestions`, { messages: [] });
    expect(empty.statusCode).toBe(400);
  });
});

describe('from the chat', () => {
  it("answers the customer's latest message of the rep's chat; nothing before the first one, nothing for thanks", async () => {
    const customer = (await customersOnlyOf(app, 'lina', 'zhangwei'))[1]!;
    const none = (await lina.get(`/api/customers/${customer}/suggestions`)).json() as SuggestionList;
    expect(none).toEqual({ message: null, items: [], reranked: false, draft: null });

    const t = Date.now() - 60_000;
    const [, , asked] = await storeChat(app, 'lina', customer, [
      { from: 'customer', text: '你好', at: t },
      { from: 'rep', text: '您好，请问有什么可以帮您？', at: t + 1_000 },
      { from: 'customer', text: '运费怎么算', at: t + 2_000 },
    ]);
    const res = await lina.get(`/api/customers/${customer}/suggestions`);
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json() as SuggestionList;
    expect(list.message).toEqual({ id: asked, text: '运费怎么算', sentAt: t + 2_000 });
    expect(titles(list)[0]).toBe('全国包邮说明');

    // Sending a script answers that message: the pair names it.
    await send(lina, customer, '全国包邮说明');
    const [pair] = await sql<{ message: string; message_id: number; source: string; user_id: string }>(
      app,
      'SELECT message, message_id, source, user_id FROM learned_pairs WHERE corp_id = ? AND external_user_id = ?',
      CORP,
      customer,
    );
    expect(pair).toMatchObject({ message: '运费怎么算', message_id: asked, source: 'sent', user_id: 'lina' });

    await storeChat(app, 'lina', customer, [{ from: 'customer', text: '好的谢谢', at: t + 30_000 }]);
    const thanks = (await lina.get(`/api/customers/${customer}/suggestions`)).json() as SuggestionList;
    expect(thanks.message!.text).toBe('好的谢谢');
    expect(thanks.items).toEqual([]);
  });

  it('learns from the archive when a typed reply reproduces a script', async () => {
    const customer = (await customersOnlyOf(app, 'lina', 'zhangwei'))[2]!;
    const t = Date.now() - 120_000;
    const ids = await storeChat(app, 'lina', customer, [
      { from: 'customer', text: '买了不合适能不能退', at: t },
      // 七天无理由退货, retyped with a small change.
      {
        from: 'rep',
        text: '亲，收货7天内支持无理由退货，15天内有质量问题可以换新，退货运费由我们承担，您在订单页点申请退货就可以',
        at: t + 5_000,
      },
      // A reply that is no script.
      { from: 'rep', text: '我这边帮您看一下订单', at: t + 6_000 },
    ]);
    await app.db.tx((tx) => app.modules.suggest.learnFromArchive(tx, CORP, ids));
    const pairs = await waitFor(async () => {
      const rows = await sql<{ message: string; script_id: number; source: string; message_id: number }>(
        app,
        'SELECT message, script_id, source, message_id FROM learned_pairs WHERE corp_id = ? AND external_user_id = ?',
        CORP,
        customer,
      );
      return rows.length > 0 && rows;
    }, 'the archive pair');
    expect(pairs).toEqual([
      { message: '买了不合适能不能退', script_id: script('七天无理由退货').id, source: 'archive', message_id: ids[0] },
    ]);
  });
});

describe('learning', () => {
  let b: App;
  let linaOnB: RepClient;

  beforeAll(async () => {
    b = await instance();
    linaOnB = repClient(b, linaCookie);
  });

  it('a send teaches the next answer, on this instance and on another one that had its engine already', async () => {
    const message = '家里养猫，猫毛到处飞';
    const taught = script('空气净化器卖点');
    // Both instances have built their engines before the lesson.
    expect(titles(await suggest(lina, linaCustomer, message))[0]).not.toBe(taught.title);
    expect(titles(await suggest(linaOnB, linaCustomer, message))[0]).not.toBe(taught.title);

    await send(linaOnB, linaCustomer, taught.title, { customerMessage: message });
    const onB = await suggest(linaOnB, linaCustomer, message);
    expect(titles(onB)[0]).toBe(taught.title);
    expect(onB.items[0]!.reason).toContain('同事');
    const onA = await suggest(lina, linaCustomer, message);
    expect(titles(onA)[0]).toBe(taught.title);
    // Other wording of the same question.
    expect(titles(await suggest(lina, linaCustomer, '养猫家里猫毛多'))).toContain(taught.title);

    const [pair] = await sql<{ message: string; source: string; weight_ppm: number; user_id: string }>(
      app,
      'SELECT message, source, weight_ppm, user_id FROM learned_pairs WHERE corp_id = ? AND message = ?',
      CORP,
      message,
    );
    expect(pair).toEqual({ message, source: 'sent', weight_ppm: 1_000_000, user_id: 'lina' });
  });

  it('survives a restart: a new process builds its engine from the stored pairs', async () => {
    const message = '狗狗掉毛用什么好';
    const taught = script('空气净化器卖点');
    expect(titles(await suggest(linaOnB, linaCustomer, message))[0]).not.toBe(taught.title);
    await send(linaOnB, linaCustomer, taught.title, { customerMessage: message });
    await close(b);
    const c = await instance();
    const linaOnC = repClient(c, linaCookie);
    expect(titles(await suggest(linaOnC, linaCustomer, message))[0]).toBe(taught.title);
    b = c;
    linaOnB = linaOnC;
  });

  it('a thanks teaches nothing, and sending without any customer message teaches nothing', async () => {
    const before = await sql<{ n: number }>(app, 'SELECT count(*) AS n FROM learned_pairs');
    await send(lina, linaCustomer, '全国包邮说明', { customerMessage: '谢谢' });
    await send(lina, linaCustomer, '全国包邮说明');
    expect(await sql<{ n: number }>(app, 'SELECT count(*) AS n FROM learned_pairs')).toEqual(before);
  });

  it('a deleted script is never suggested again, on any instance, and its pairs are gone', async () => {
    const message = '旧的扫地机能不能抵钱';
    const target = script('以旧换新');
    expect(titles(await suggest(lina, linaCustomer, message))).toContain(target.title);
    expect(titles(await suggest(linaOnB, linaCustomer, message))).toContain(target.title);
    expect(await sql(app, 'SELECT id FROM learned_pairs WHERE script_id = ?', target.id)).not.toEqual([]);

    expect((await adminCall(b, 'DELETE', `/api/scripts/${target.id}`)).statusCode).toBe(204);
    for (const rep of [lina, linaOnB]) {
      for (const m of [message, '旧净化器回收吗', '以旧换新']) {
        expect(titles(await suggest(rep, linaCustomer, m)), m).not.toContain(target.title);
      }
    }
    expect(await sql(app, 'SELECT id FROM learned_pairs WHERE script_id = ?', target.id)).toEqual([]);
    // Sending it is a 404 and teaches nothing.
    const res = await lina.post(`/api/scripts/${target.id}/sends`, {
      externalUserId: linaCustomer,
      customerMessage: message,
    });
    expect(res.statusCode).toBe(404);
    expect(await sql(app, 'SELECT id FROM learned_pairs WHERE script_id = ?', target.id)).toEqual([]);
  });

  it('erasing a customer forgets what their messages taught, on every instance', async () => {
    const customer = (await customersOnlyOf(app, 'lina', 'zhangwei'))[3]!;
    const message = '鱼缸水泵的声音特别大怎么办';
    const taught = script('故障排查步骤');
    expect(titles(await suggest(linaOnB, customer, message))[0]).not.toBe(taught.title);
    await send(lina, customer, taught.title, { customerMessage: message });
    const list = await suggest(linaOnB, customer, message);
    expect(titles(list)[0]).toBe(taught.title);
    await lina.post('/api/suggestions/feedback', { feedbackKey: list.items[0]!.feedbackKey, outcome: 'shown' });

    await app.db.tx((tx) => app.modules.suggest.service.forgetCustomer(tx, CORP, customer));
    expect(await sql(app, 'SELECT id FROM learned_pairs WHERE external_user_id = ?', customer)).toEqual([]);
    expect(await sql(app, 'SELECT id FROM suggestion_feedback WHERE external_user_id = ?', customer)).toEqual([]);
    expect(titles(await suggest(linaOnB, customer, message))[0]).not.toBe(taught.title);
    expect(titles(await suggest(lina, customer, message))[0]).not.toBe(taught.title);
  });

  it("an edit keeps, discounts or drops the script's learning, in the stored weights too", async () => {
    const target = script('保修政策');
    const pairsOf = () =>
      sql<{ weight_ppm: number }>(
        app,
        'SELECT weight_ppm FROM learned_pairs WHERE script_id = ? ORDER BY id',
        target.id,
      );
    const before = await pairsOf();
    expect(before.length).toBeGreaterThan(0);
    const [row] = await app.modules.suggest.repo.liveScriptsByIds(app.db, CORP, [target.id]);
    const edit = async (content: string) => {
      const res = await adminCall(app, 'PUT', `/api/scripts/${target.id}`, {
        groupId: row!.script.groupId,
        title: row!.script.title,
        kind: 'text',
        content,
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    const factor = (content: string) =>
      createSuggestionEngine({ scripts: [scriptDoc(row!)] }).upsertScript(
        scriptDoc({ ...row!, script: { ...row!.script, content } }),
      ).learnedFactor;

    // A light touch keeps everything.
    const light = `${row!.script.content}欢迎咨询。`;
    expect(factor(light)).toBe(1);
    await edit(light);
    expect(await pairsOf()).toEqual(before);
    expect(titles(await suggest(linaOnB, linaCustomer, '电池坏了保修吗'))[0]).toBe('保修政策');

    // A different script under the same title: what was learned for the old one is dropped.
    const other = '门店营业时间是每天上午十点到晚上九点，节假日照常营业，欢迎到店体验新品。';
    const f = factor(other);
    expect(f).toBeLessThan(1);
    await edit(other);
    expect(await pairsOf()).toEqual(f === 0 ? [] : before.map((p) => ({ weight_ppm: Math.floor(p.weight_ppm * f) })));
    const changes = await sql<{ kind: string }>(
      app,
      'SELECT kind FROM suggest_script_changes WHERE script_id = ? ORDER BY id',
      target.id,
    );
    // Created (seeding), edited lightly, rewritten: every instance re-indexes it, then rebuilds it from the pairs.
    expect(changes.map((c) => c.kind)).toEqual(['upsert', 'upsert', 'resync']);
  });
});

describe('feedback', () => {
  const feedback = (rep: RepClient, feedbackKey: string, outcome: string) =>
    rep.post('/api/suggestions/feedback', { feedbackKey, outcome });
  const rowsOf = (scriptId: number) =>
    sql<{ outcome: string; rank: number; score_permille: number; message: string; decided_at: number | null }>(
      app,
      'SELECT outcome, rank, score_permille, message, decided_at FROM suggestion_feedback WHERE corp_id = ? AND script_id = ?',
      CORP,
      scriptId,
    );

  it('is recorded once per shown suggestion; the first decision stays', async () => {
    const list = await suggest(lina, linaCustomer, '保修期多长时间');
    const item = list.items[0]!;
    const first = await feedback(lina, item.feedbackKey, 'shown');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ outcome: 'shown', changed: true });
    expect((await feedback(lina, item.feedbackKey, 'shown')).json()).toEqual({ outcome: 'shown', changed: false });
    expect((await feedback(lina, item.feedbackKey, 'ignored')).json()).toEqual({ outcome: 'ignored', changed: true });
    expect((await feedback(lina, item.feedbackKey, 'sent')).json()).toEqual({ outcome: 'ignored', changed: false });
    const rows = await rowsOf(item.scriptId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      outcome: 'ignored',
      rank: 1,
      score_permille: Math.round(item.score * 1000),
      message: '保修期多长时间',
    });
    expect(rows[0]!.decided_at).toBeGreaterThan(0);
  });

  it('a send from a suggestion records it as sent and teaches as a suggestion', async () => {
    const message = '电池能保修几年啊';
    const list = await suggest(lina, linaCustomer, message);
    const item = list.items[0]!;
    await feedback(lina, item.feedbackKey, 'shown');
    const res = await lina.post(`/api/scripts/${item.scriptId}/sends`, {
      externalUserId: linaCustomer,
      feedbackKey: item.feedbackKey,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect((await rowsOf(item.scriptId)).filter((r) => r.message === message)).toMatchObject([{ outcome: 'sent' }]);
    const pairs = await sql<{ source: string }>(app, 'SELECT source FROM learned_pairs WHERE message = ?', message);
    expect(pairs).toEqual([{ source: 'suggestion' }]);
    // Reported again by the sidebar: nothing changes.
    expect((await feedback(lina, item.feedbackKey, 'sent')).json()).toEqual({ outcome: 'sent', changed: false });

    // A key for another script or customer is refused, and the send is not recorded.
    const other = list.items[1] ?? list.items[0]!;
    const mismatch = await lina.post(`/api/scripts/${script('满减活动').id}/sends`, {
      externalUserId: linaCustomer,
      feedbackKey: other.scriptId === script('满减活动').id ? 'bm90LWEta2V5' : other.feedbackKey,
    });
    expect(mismatch.statusCode).toBe(400);
  });

  it('an edited suggestion teaches at half weight', async () => {
    const message = '净化器的滤网多久换一次比较好';
    const item = (await suggest(lina, linaCustomer, message)).items[0]!;
    expect((await feedback(lina, item.feedbackKey, 'edited')).json()).toEqual({ outcome: 'edited', changed: true });
    expect(
      await sql(app, 'SELECT source, weight_ppm, script_id FROM learned_pairs WHERE message = ?', message),
    ).toEqual([{ source: 'suggestion', weight_ppm: 500_000, script_id: item.scriptId }]);
    // Reported twice, taught once.
    expect((await feedback(lina, item.feedbackKey, 'edited')).json()).toEqual({ outcome: 'edited', changed: false });
    expect(await sql(app, 'SELECT id FROM learned_pairs WHERE message = ?', message)).toHaveLength(1);
  });

  it("refuses a forged key, and another rep's customer", async () => {
    expect((await feedback(lina, 'bm90LWEta2V5', 'shown')).statusCode).toBe(400);
    expect((await feedback(lina, 'not base64 url!', 'shown')).statusCode).toBe(400);
    const list = await suggest(lina, linaCustomer, '保修期多长时间');
    expect((await feedback(zhangwei, list.items[0]!.feedbackKey, 'shown')).statusCode).toBe(403);
    expect((await feedback(lina, list.items[0]!.feedbackKey, 'liked')).statusCode).toBe(400);
  });
});

describe('script search', () => {
  const search = async (q: string) => {
    const res = await lina.get(`/api/scripts?q=${encodeURIComponent(q)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: Array<ScriptItem & { favorite: boolean; sendCount: number }>; total: number };
  };

  it('segments and ranks: 运费多少 finds the 运费 scripts, best first', async () => {
    const found = await search('运费多少');
    expect(found.items[0]!.title).toBe('全国包邮说明');
    expect(found.items.map((s) => s.title)).toContain('七天无理由退货');
    expect(found.total).toBe(found.items.length);
    // The response keeps the library's shape.
    expect(Object.keys(found.items[0]!).sort()).toEqual(
      ['content', 'favorite', 'groupId', 'groupName', 'id', 'kind', 'payload', 'sendCount', 'title'].sort(),
    );
    // A title hit before text hits.
    expect((await search('退货')).items.map((s) => s.title).slice(0, 2)).toEqual(['七天无理由退货', '客户顾虑打消']);
    expect((await search('门锁')).items[0]!.title).toBe('智能门锁卖点');
  });

  it('pages and filters the ranked list', async () => {
    const all = await search('优惠');
    expect(all.total).toBeGreaterThan(3);
    const page = (await lina.get(`/api/scripts?q=${encodeURIComponent('优惠')}&limit=2&offset=1`)).json() as {
      items: ScriptItem[];
      total: number;
    };
    expect(page.items.map((s) => s.id)).toEqual(all.items.slice(1, 3).map((s) => s.id));
    expect(page.total).toBe(all.total);
  });
});
