import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { startApp, appTableCounts } from '../support/app.js';
import { admin, calls, EC } from '../support/scrm.js';
import { customersOnlyOf, login, syncCorp } from '../support/sidebar.js';

/**
 * Unknown fields are refused with a Chinese message naming them, and nothing is written or sent to WeCom: the
 * admin API used to answer PATCH {"daily_cap":5} with 200 and change nothing.
 */

let app: App;
let cookie: string;
let channelId: number;

beforeAll(async () => {
  app = await startApp();
  await syncCorp(app);
  cookie = await login(app, 'lina');
  const res = await admin(app, 'POST', '/api/channels', { name: '门店海报', reps: ['zhangwei', 'lina'] });
  expect(res.statusCode, res.body).toBe(201);
  channelId = (res.json() as { id: number }).id;
});
afterAll(async () => {
  await app?.close();
});

/** A rep's request, as the sidebar sends it (same-origin fetch with the session cookie). */
const rep = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: { cookie, 'sec-fetch-site': 'same-origin' },
    ...(payload ? { payload } : {}),
  });

/** Runs `act`, then checks it was refused with `message` and changed nothing, here or in WeCom. */
async function refusedUnchanged(act: () => ReturnType<typeof admin>, message: string, field?: string) {
  const before = { db: await appTableCounts(app), wecom: (await calls(app)).length, channel: await channel() };
  const res = await act();
  expect(res.statusCode, res.body).toBe(400);
  expect(res.json()).toMatchObject({ error: 'bad_request', message, ...(field ? { field } : {}) });
  expect(await appTableCounts(app)).toEqual(before.db);
  expect((await calls(app)).length).toBe(before.wecom);
  expect(await channel()).toEqual(before.channel);
}

const channel = async () => (await admin(app, 'GET', `/api/channels/${channelId}`)).json() as Record<string, unknown>;

describe('unknown fields are refused, not ignored', () => {
  it('PATCH /api/channels/:id {"daily_cap":5} → 400 未知字段：daily_cap, the cap unchanged', async () => {
    await refusedUnchanged(
      () => admin(app, 'PATCH', `/api/channels/${channelId}`, { daily_cap: 5 }),
      '未知字段：daily_cap',
      'daily_cap',
    );
    // Next to a known field too: the whole request is refused, not half applied.
    await refusedUnchanged(
      () => admin(app, 'PATCH', `/api/channels/${channelId}`, { dailyCap: 5, daily_cap: 5 }),
      '未知字段：daily_cap',
    );
    expect((await channel()).dailyCap).toBeNull();
  });

  it('inside nested objects and arrays, named by their path', async () => {
    await refusedUnchanged(
      () =>
        admin(app, 'POST', '/api/channels', {
          name: '新渠道',
          reps: ['lina'],
          welcome: { text: '你好', attachments: [{ type: 'link', title: 't', url: 'https://a.example', color: 1 }] },
        }),
      '未知字段：welcome.attachments.0.color',
      'welcome.attachments.0.color',
    );
    await refusedUnchanged(
      () => admin(app, 'POST', '/api/tags/groups', { name: '来源', tags: [{ name: '展会', colour: 'red' }] }),
      '未知字段：tags.0.colour',
    );
  });

  it('in query strings, also of routes that take none', async () => {
    await refusedUnchanged(() => admin(app, 'GET', '/api/channels?name=门店'), '未知查询参数：name', 'name');
    await refusedUnchanged(
      () => admin(app, 'GET', `/api/channels/${channelId}/stats?from=2024-06-01&to=2024-06-02&tz=UTC`),
      '未知查询参数：tz',
    );
    await refusedUnchanged(() => rep('GET', '/api/customers?keyword=王'), '未知查询参数：keyword');
  });

  it('in the sidebar API: a remark change with a stray field changes nothing in WeCom', async () => {
    const [customer] = await customersOnlyOf(app, 'lina', 'zhangwei');
    await refusedUnchanged(
      () => rep('PATCH', `/api/customers/${customer}`, { remark: '王姐', mobile: '13800000000' }),
      '未知字段：mobile',
    );
    await refusedUnchanged(
      () => rep('POST', `/api/customers/${customer}/notes`, { content: '回访', due: 1 }),
      '未知字段：due',
    );
  });

  it('a daily cap of 0 is refused, not read as "no cap"', async () => {
    await refusedUnchanged(
      () => admin(app, 'PATCH', `/api/channels/${channelId}`, { dailyCap: 0 }),
      '字段 dailyCap 不能小于 1',
      'dailyCap',
    );
  });
});

describe('channel names are unique in the corp', () => {
  it('a second live channel with the same name → 409 渠道名称已存在, no QR code made in WeCom', async () => {
    for (const name of ['门店海报', ' 门店海报 ']) {
      const before = { db: await appTableCounts(app), ways: (await calls(app, `${EC}/add_contact_way`)).length };
      const res = await admin(app, 'POST', '/api/channels', { name, reps: ['lina'] });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ error: 'conflict', message: '渠道名称已存在' });
      expect(await appTableCounts(app)).toEqual(before.db);
      expect((await calls(app, `${EC}/add_contact_way`)).length).toBe(before.ways);
    }
  });

  it('renaming onto another channel name → 409; keeping its own name is fine; a deleted name is free again', async () => {
    const other = await admin(app, 'POST', '/api/channels', { name: '快递包裹卡', reps: ['lina'] });
    expect(other.statusCode, other.body).toBe(201);
    const otherId = (other.json() as { id: number }).id;
    const updates = (await calls(app, `${EC}/update_contact_way`)).length;
    const clash = await admin(app, 'PATCH', `/api/channels/${otherId}`, { name: '门店海报', skipVerify: false });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(clash.json()).toMatchObject({ message: '渠道名称已存在' });
    expect((await calls(app, `${EC}/update_contact_way`)).length).toBe(updates);
    expect((await admin(app, 'GET', `/api/channels/${otherId}`)).json()).toMatchObject({ name: '快递包裹卡' });

    const same = await admin(app, 'PATCH', `/api/channels/${otherId}`, { name: '快递包裹卡' });
    expect(same.statusCode, same.body).toBe(200);

    expect((await admin(app, 'DELETE', `/api/channels/${otherId}`)).statusCode).toBe(204);
    const reused = await admin(app, 'POST', '/api/channels', { name: '快递包裹卡', reps: ['zhangwei'] });
    expect(reused.statusCode, reused.body).toBe(201);
  });
});
