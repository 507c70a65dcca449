import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { seedSidebar } from '../../server/demo/seed-sidebar.js';
import { appTableCounts, startApp } from '../support/app.js';
import {
  adminCall,
  calls,
  CORP,
  customersOnlyOf,
  login,
  repClient,
  sql,
  syncCorp,
  type RepClient,
} from '../support/sidebar.js';

let app: App;
let lina: RepClient;
let zhangwei: RepClient;
let linaCustomer: string;
let zhangweiCustomer: string;

interface Script {
  id: number;
  groupId: number;
  groupName: string;
  title: string;
  kind: 'text' | 'image' | 'link';
  content: string;
  payload: { url?: string; title?: string; desc?: string; imgUrl?: string };
  favorite: boolean;
  sendCount: number;
}
interface ScriptList {
  items: Script[];
  total: number;
}

beforeAll(async () => {
  app = await startApp();
  await syncCorp(app);
  const seeded = await seedSidebar(app);
  expect(seeded.scripts).toBeGreaterThanOrEqual(40);
  lina = repClient(app, await login(app, 'lina'));
  zhangwei = repClient(app, await login(app, 'zhangwei'));
  linaCustomer = (await customersOnlyOf(app, 'lina', 'zhangwei'))[0]!;
  zhangweiCustomer = (await customersOnlyOf(app, 'zhangwei', 'lina'))[0]!;
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  app.emulator!.clearCalls();
});

const list = async (rep: RepClient, query: string) => {
  const res = await rep.get(`/api/scripts${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ScriptList;
};
const byTitle = async (title: string) =>
  (await list(lina, `?q=${encodeURIComponent(title)}`)).items.find((s) => s.title === title)!;

describe('the demo library', () => {
  it('has at least 40 scripts in 6 groups, with image and link scripts; seeding again changes nothing', async () => {
    const groups = (await lina.get('/api/script-groups')).json() as {
      id: number;
      name: string;
      order: number;
      count: number;
    }[];
    expect(groups.map((g) => g.name)).toEqual(['开场问候', '产品介绍', '价格优惠', '物流售后', '促成下单', '节日关怀']);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBeGreaterThanOrEqual(40);
    const all = await list(lina, '?limit=100');
    expect(all.total).toBe(groups.reduce((n, g) => n + g.count, 0));
    expect(all.items.filter((s) => s.kind === 'image').length).toBeGreaterThanOrEqual(3);
    expect(all.items.filter((s) => s.kind === 'link').length).toBeGreaterThanOrEqual(3);
    for (const s of all.items.filter((i) => i.kind === 'image')) {
      const png = await app.inject({ url: s.payload.url! });
      expect(png.statusCode).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    }

    const before = await appTableCounts(app);
    const again = await seedSidebar(app);
    expect(again).toEqual({ scripts: 0, notes: 0 });
    expect(await appTableCounts(app)).toEqual(before);
    // The seeded notes are on the timeline of the reps' customers.
    const [notes] = await sql<{ n: number }>(
      app,
      `SELECT count(*) AS n FROM timeline_items WHERE kind = 'note' AND source_key LIKE 'demo-note:%'`,
    );
    expect(Number(notes!.n)).toBeGreaterThan(5);
  });
});

describe('searching', () => {
  it('包邮 finds 全国包邮 (Chinese words, ranked: what holds the words first, title hits before text hits)', async () => {
    const found = await list(lina, `?q=${encodeURIComponent('包邮')}`);
    expect(found.items[0]!.title).toBe('全国包邮说明');
    expect(found.total).toBe(found.items.length);
    // A single character works too; title hits come first, then text hits, then related scripts.
    const one = await list(lina, `?q=${encodeURIComponent('券')}`);
    expect(one.total).toBeGreaterThan(1);
    const rank = (s: Script) => (s.title.includes('券') ? 0 : s.content.includes('券') ? 1 : 2);
    expect(one.items.map(rank)).toEqual(one.items.map(rank).sort());
    expect(one.items.filter((s) => rank(s) < 2).length).toBeGreaterThan(3);
    // Latin text is case-insensitive.
    expect((await list(lina, '?q=nfc')).items.map((s) => s.title)).toContain('智能门锁卖点');
  });

  it('LIKE wildcards in the query match only themselves', async () => {
    for (const q of ['%', '_', '%_%', '\\']) {
      const res = await list(lina, `?q=${encodeURIComponent(q)}`);
      expect(res.items, q).toEqual([]);
      expect(res.total).toBe(0);
    }
    const groupId = ((await lina.get('/api/script-groups')).json() as { id: number }[])[0]!.id;
    const created = await adminCall(app, 'POST', '/api/scripts', {
      groupId,
      title: '折扣100%真实',
      kind: 'text',
      content: '满100_减20',
    });
    expect(created.statusCode).toBe(201);
    expect((await list(lina, `?q=${encodeURIComponent('100%')}`)).items.map((s) => s.title)).toEqual(['折扣100%真实']);
    expect((await list(lina, `?q=${encodeURIComponent('0_')}`)).items.map((s) => s.title)).toEqual(['折扣100%真实']);
    await adminCall(app, 'DELETE', `/api/scripts/${(created.json() as Script).id}`);
  });

  it('filters by group and pages with limit/offset', async () => {
    const groups = (await lina.get('/api/script-groups')).json() as { id: number; name: string; count: number }[];
    const group = groups.find((g) => g.name === '产品介绍')!;
    const inGroup = await list(lina, `?groupId=${group.id}&limit=100`);
    expect(inGroup.total).toBe(group.count);
    expect(inGroup.items.every((s) => s.groupId === group.id && s.groupName === '产品介绍')).toBe(true);
    const first = await list(lina, `?groupId=${group.id}&limit=4&offset=0`);
    const second = await list(lina, `?groupId=${group.id}&limit=4&offset=4`);
    expect([...first.items, ...second.items].map((s) => s.id)).toEqual(inGroup.items.slice(0, 8).map((s) => s.id));
    expect(first.total).toBe(group.count);
    expect((await lina.get('/api/scripts?limit=0')).statusCode).toBe(400);
  });
});

describe('favourites', () => {
  it('are per rep', async () => {
    const script = await byTitle('满减活动');
    expect(script.favorite).toBe(false);
    const on = await lina.post(`/api/scripts/${script.id}/favorite`);
    expect(on.json()).toEqual({ favorite: true });
    await lina.post(`/api/scripts/${script.id}/favorite`); // idempotent
    expect((await list(lina, '?favorites=1')).items.map((s) => s.id)).toEqual([script.id]);
    expect((await list(zhangwei, '?favorites=1')).items).toEqual([]);
    expect((await list(zhangwei, `?q=${encodeURIComponent('满减活动')}`)).items[0]!.favorite).toBe(false);
    expect((await byTitle('满减活动')).favorite).toBe(true);

    const off = await lina.delete(`/api/scripts/${script.id}/favorite`);
    expect(off.json()).toEqual({ favorite: false });
    expect((await list(lina, '?favorites=1')).total).toBe(0);
    expect((await lina.post('/api/scripts/999999/favorite')).statusCode).toBe(404);
  });
});

describe('sending a script', () => {
  it('text: returns the sendChatMessage argument, records the send, counts it and puts it on the timeline', async () => {
    const script = await byTitle('全国包邮说明');
    const res = await lina.post(`/api/scripts/${script.id}/sends`, { externalUserId: linaCustomer });
    expect(res.statusCode, res.body).toBe(201);
    const { sendId, message } = res.json() as { sendId: number; message: unknown };
    expect(message).toEqual({ msgtype: 'text', text: { content: script.content } });
    const [row] = await sql<{ user_id: string; external_user_id: string; script_id: number; sent_at: number }>(
      app,
      'SELECT * FROM script_sends WHERE id = ?',
      sendId,
    );
    expect(row).toMatchObject({ user_id: 'lina', external_user_id: linaCustomer, script_id: script.id });
    expect(Math.abs(row!.sent_at - Date.now())).toBeLessThan(10_000);
    expect((await byTitle('全国包邮说明')).sendCount).toBe(script.sendCount + 1);
    const timeline = (await lina.get(`/api/customers/${linaCustomer}/timeline?filter=scripts`)).json() as {
      items: { kind: string; content: string; payload: Record<string, unknown>; userId: string; occurredAt: number }[];
    };
    expect(timeline.items[0]).toMatchObject({
      kind: 'script_sent',
      content: script.content,
      userId: 'lina',
      occurredAt: row!.sent_at,
      payload: { scriptId: script.id, sendId, title: '全国包邮说明', scriptKind: 'text' },
    });
  });

  it('text with placeholders: {客户昵称} and {员工姓名} are filled for the customer and the rep who sends it', async () => {
    const group = (await byTitle('全国包邮说明')).groupId;
    const created = await adminCall(app, 'POST', '/api/scripts', {
      groupId: group,
      title: '称呼问候',
      kind: 'text',
      content: '{客户昵称}您好，我是{员工姓名}，有问题随时找我～',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: number }).id;
    const res = await lina.post(`/api/scripts/${id}/sends`, { externalUserId: linaCustomer });
    expect(res.statusCode, res.body).toBe(201);
    const [names] = await sql<{ customer: string; rep: string }>(
      app,
      `SELECT (SELECT name FROM contacts WHERE external_user_id = ?) AS customer,
              (SELECT name FROM reps WHERE user_id = 'lina') AS rep`,
      linaCustomer,
    );
    const content = `${names!.customer}您好，我是${names!.rep}，有问题随时找我～`;
    expect(names!.customer.length).toBeGreaterThan(0);
    expect(res.json()).toMatchObject({ message: { msgtype: 'text', text: { content } } });
    const timeline = (await lina.get(`/api/customers/${linaCustomer}/timeline?filter=scripts`)).json() as {
      items: { content: string }[];
    };
    expect(timeline.items[0]!.content).toBe(content);
  });

  it('image: uploads the picture with media/upload once and answers with its media id', async () => {
    const script = await byTitle('智能手表产品图');
    const first = await lina.post(`/api/scripts/${script.id}/sends`, { externalUserId: linaCustomer });
    expect(first.statusCode, first.body).toBe(201);
    const uploads = await calls(app, '/cgi-bin/media/upload');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.query.type).toBe('image');
    expect(uploads[0]!.body).toMatchObject({ contentType: 'image/png', filename: expect.stringMatching(/\.png$/) });
    const mediaId = (uploads[0]!.response as { media_id: string }).media_id;
    expect((first.json() as { message: unknown }).message).toEqual({ msgtype: 'image', image: { mediaid: mediaId } });
    expect(app.emulator!.core.isLiveMedia(mediaId)).toBe(true);

    const second = await lina.post(`/api/scripts/${script.id}/sends`, { externalUserId: linaCustomer });
    expect((second.json() as { message: unknown }).message).toEqual({ msgtype: 'image', image: { mediaid: mediaId } });
    expect(await calls(app, '/cgi-bin/media/upload')).toHaveLength(1);
    expect(await sql(app, 'SELECT * FROM script_sends WHERE script_id = ?', script.id)).toHaveLength(2);
  });

  it('link: answers with a news message whose picture is an absolute URL', async () => {
    const script = await byTitle('扫地机器人详情页');
    const res = await lina.post(`/api/scripts/${script.id}/sends`, { externalUserId: linaCustomer });
    expect(res.statusCode).toBe(201);
    expect((res.json() as { message: unknown }).message).toEqual({
      msgtype: 'news',
      news: {
        link: 'https://www.xinghe-demo.cn/products/robot-vacuum-x9',
        title: '星河 X9 扫拖一体机器人',
        desc: '激光导航 · 自动集尘 · 自动洗拖布',
        imgUrl: `${app.origin.public()}/demo-assets/scripts/robot-vacuum.png`,
      },
    });
  });

  it("to another rep's customer is 403 and records nothing; an unknown script is 404", async () => {
    const script = await byTitle('全国包邮说明');
    const before = await appTableCounts(app);
    const res = await lina.post(`/api/scripts/${script.id}/sends`, { externalUserId: zhangweiCustomer });
    expect(res.statusCode).toBe(403);
    expect((await lina.post('/api/scripts/999999/sends', { externalUserId: linaCustomer })).statusCode).toBe(404);
    expect(await appTableCounts(app)).toEqual(before);
    expect((await byTitle('全国包邮说明')).sendCount).toBe(script.sendCount);
  });

  it('an image WeCom refuses to take is a 502 and nothing is recorded', async () => {
    const script = await byTitle('空气净化器产品图');
    app.emulator!.addFault({ path: '/cgi-bin/media/upload', count: 1, errcode: 40005 });
    const before = await appTableCounts(app);
    const res = await lina.post(`/api/scripts/${script.id}/sends`, { externalUserId: linaCustomer });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: 'wecom_error', message: expect.stringContaining('40005') });
    expect(await appTableCounts(app)).toEqual(before);
  });
});

describe('admin CRUD', () => {
  it('creates, updates and deletes groups and scripts; a group with scripts cannot be deleted', async () => {
    const group = await adminCall(app, 'POST', '/api/script-groups', { name: '售后升级', order: 9 });
    expect(group.statusCode, group.body).toBe(201);
    const groupId = (group.json() as { id: number }).id;
    expect(group.json()).toEqual({ id: groupId, name: '售后升级', order: 9, count: 0 });

    const text = await adminCall(app, 'POST', '/api/scripts', {
      groupId,
      title: '升级投诉安抚',
      kind: 'text',
      content: '非常抱歉给您带来不便，我已经升级给主管处理。',
    });
    expect(text.statusCode, text.body).toBe(201);
    expect(text.json()).toMatchObject({
      groupId,
      groupName: '售后升级',
      kind: 'text',
      payload: {},
      favorite: false,
      sendCount: 0,
    });
    const image = await adminCall(app, 'POST', '/api/scripts', {
      groupId,
      title: '维修流程图',
      kind: 'image',
      content: '维修流程',
      payload: { url: '/demo-assets/scripts/parcel-guide.png' },
    });
    expect(image.json()).toMatchObject({ kind: 'image', payload: { url: '/demo-assets/scripts/parcel-guide.png' } });
    const link = await adminCall(app, 'POST', '/api/scripts', {
      groupId,
      title: '售后工单',
      kind: 'link',
      content: '在线提交售后工单',
      payload: { url: 'https://www.xinghe-demo.cn/service/ticket' },
    });
    expect(link.json()).toMatchObject({
      kind: 'link',
      payload: {
        url: 'https://www.xinghe-demo.cn/service/ticket',
        title: '售后工单',
        desc: '在线提交售后工单',
        imgUrl: '',
      },
    });

    const textId = (text.json() as Script).id;
    const updated = await adminCall(app, 'PUT', `/api/scripts/${textId}`, {
      groupId,
      title: '投诉安抚',
      kind: 'text',
      content: '新的话术内容',
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ id: textId, title: '投诉安抚', content: '新的话术内容' });
    const renamed = await adminCall(app, 'PUT', `/api/script-groups/${groupId}`, { name: '售后升级处理' });
    expect(renamed.json()).toMatchObject({ name: '售后升级处理', count: 3 });

    const refused = await adminCall(app, 'DELETE', `/api/script-groups/${groupId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'conflict', message: expect.stringContaining('分组下还有话术') });

    // Reps see the new scripts; a deleted script disappears from the list and cannot be sent.
    expect((await list(lina, `?groupId=${groupId}`)).total).toBe(3);
    for (const s of [text, image, link]) {
      expect((await adminCall(app, 'DELETE', `/api/scripts/${(s.json() as Script).id}`)).statusCode).toBe(204);
    }
    expect((await list(lina, `?groupId=${groupId}`)).total).toBe(0);
    expect((await lina.post(`/api/scripts/${textId}/sends`, { externalUserId: linaCustomer })).statusCode).toBe(404);
    expect((await adminCall(app, 'DELETE', `/api/scripts/${textId}`)).statusCode).toBe(404);
    expect((await adminCall(app, 'DELETE', `/api/script-groups/${groupId}`)).statusCode).toBe(204);
    expect(((await lina.get('/api/script-groups')).json() as { id: number }[]).map((g) => g.id)).not.toContain(groupId);
    // The admin reads the library with the bearer token too.
    const asAdmin = await adminCall(app, 'GET', '/api/scripts?limit=5');
    expect(asAdmin.statusCode).toBe(200);
    expect((asAdmin.json() as ScriptList).items.every((s) => s.favorite === false)).toBe(true);
  });

  it('bad input is a 400 naming the field, and nothing is written', async () => {
    const groupId = ((await lina.get('/api/script-groups')).json() as { id: number }[])[0]!.id;
    const existing = await byTitle('满减活动');
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/scripts', { groupId, kind: 'text', content: '无标题' }, 'title'],
      ['POST', '/api/scripts', { groupId, title: '   ', kind: 'text', content: '空白标题' }, 'title'],
      ['POST', '/api/scripts', { groupId, title: '标'.repeat(51), kind: 'text', content: 'x' }, 'title'],
      ['POST', '/api/scripts', { groupId, title: '类型错误', kind: 'video', content: 'x' }, 'kind'],
      ['POST', '/api/scripts', { groupId, title: '没有内容', kind: 'text', content: '' }, 'content'],
      ['POST', '/api/scripts', { groupId: 999999, title: '分组不存在', kind: 'text', content: 'x' }, 'groupId'],
      ['POST', '/api/scripts', { groupId, title: '无图', kind: 'image', content: '' }, 'payload.url'],
      [
        'POST',
        '/api/scripts',
        { groupId, title: 'GIF', kind: 'image', payload: { url: 'https://img.example/a.gif' } },
        'payload.url',
      ],
      [
        'POST',
        '/api/scripts',
        { groupId, title: '伪协议', kind: 'image', payload: { url: 'javascript:alert(1).png' } },
        'payload.url',
      ],
      ['POST', '/api/scripts', { groupId, title: '无链接', kind: 'link', content: 'x' }, 'payload.url'],
      [
        'POST',
        '/api/scripts',
        { groupId, title: '相对链接', kind: 'link', payload: { url: '/relative' } },
        'payload.url',
      ],
      [
        'POST',
        '/api/scripts',
        { groupId, title: '封面', kind: 'link', payload: { url: 'https://a.example/', imgUrl: 'ftp://x/y.png' } },
        'payload.imgUrl',
      ],
      ['PUT', `/api/scripts/${existing.id}`, { groupId, title: '', kind: 'text', content: 'x' }, 'title'],
      ['POST', '/api/script-groups', { name: '' }, 'name'],
      ['POST', '/api/script-groups', { name: '开场问候' }, 'name'],
      ['PUT', `/api/script-groups/${groupId}`, { name: '产品介绍' }, 'name'],
    ];
    const before = await appTableCounts(app);
    for (const [method, url, body, field] of cases) {
      const res = await adminCall(app, method as 'POST', url, body);
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_request', field });
    }
    expect(await appTableCounts(app)).toEqual(before);
    expect((await byTitle('满减活动')).content).toBe(existing.content);
  });

  it('reps cannot change the library', async () => {
    const script = await byTitle('满减活动');
    const before = await appTableCounts(app);
    for (const [method, url, body] of [
      ['POST', '/api/scripts', { groupId: script.groupId, title: 'x', kind: 'text', content: 'x' }],
      ['PUT', `/api/scripts/${script.id}`, { groupId: script.groupId, title: 'x', kind: 'text', content: 'x' }],
      ['DELETE', `/api/scripts/${script.id}`, undefined],
      ['POST', '/api/script-groups', { name: '越权' }],
      ['DELETE', `/api/script-groups/${script.groupId}`, undefined],
    ] as const) {
      const res =
        method === 'DELETE'
          ? await lina.delete(url)
          : method === 'PUT'
            ? await lina.put(url, body)
            : await lina.post(url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    expect(await appTableCounts(app)).toEqual(before);
    expect(CORP).toBe(app.defaultCorp.corpId);
  });
});
