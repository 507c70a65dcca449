import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { buildApp } from '../../server/app.js';
import { periodKey } from '../../server/app/scheduler.js';
import { seedChannels } from '../../server/demo/seed-channels.js';
import { localDay as dayIn } from '../../server/modules/channels/local-day.js';
import { DEFAULT_TIME_ZONE } from '../../shared/time-zone.js';
import { appTableCounts, startApp, testConfig, waitFor } from '../support/app.js';
import { consoleLogin, createLocalAccount } from '../support/console.js';
import { admin, calls, CORP, EC, prepare, settled, simulate, tagId } from '../support/scrm.js';

let app: App;
/** A day of the test config's corp zone (CORP_TIME_ZONE), whatever the zone of the process. */
const localDay = (ms: number) => dayIn(ms, DEFAULT_TIME_ZONE);

afterEach(async () => {
  await app?.close();
});

interface ChannelView {
  id: number;
  name: string;
  state: string;
  configId: string;
  qrCode: string;
  skipVerify: boolean;
  dailyCap: number | null;
  reps: { userId: string; name: string; role: string; cappedToday: boolean }[];
  tagIds: string[];
  tags: { id: string; name: string; deleted: boolean }[];
  welcome: { text: string; attachments: unknown[]; variants: unknown[] } | null;
}

async function create(body: Record<string, unknown>): Promise<ChannelView> {
  const res = await admin(app, 'POST', '/api/channels', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as ChannelView;
}

const base = async () => ({
  name: '门店海报',
  groupName: '线下',
  reps: ['zhangwei', 'lina'],
  tagIds: [await tagId(app, '线下门店'), await tagId(app, '潜在客户')],
  welcome: { text: '{客户昵称}您好，我是{员工姓名}' },
});

/** The follows of one customer (one per rep). */
async function followsOf(externalUserId: string) {
  const { follows } = app.db.t;
  return app.db
    .select()
    .from(follows)
    .where(and(eq(follows.corpId, CORP), eq(follows.externalUserId, externalUserId)))
    .orderBy(asc(follows.id));
}

/**
 * The nightly restore of capped reps, as its cron tick runs it: the job keyed by the corp day of the app's clock,
 * run by the worker; what it restored.
 */
async function restoreCappedReps(now: () => number): Promise<unknown> {
  await app.scheduler.fire('restore-capped-reps');
  const { jobs } = app.db.t;
  const dedupeKey = `restore-capped-reps:${periodKey(now(), 'day', app.config.timeZone)}`;
  const job = await waitFor(async () => {
    const [row] = await app.db
      .select({ status: jobs.status, result: jobs.result })
      .from(jobs)
      .where(and(eq(jobs.corpId, CORP), eq(jobs.kind, 'restore_capped_reps'), eq(jobs.dedupeKey, dedupeKey)));
    return row && row.status !== 'pending' && row.status !== 'running' && row;
  }, `the restore job ${dedupeKey}`);
  expect(job.status).toBe('done');
  return JSON.parse(job.result!);
}

describe('channel CRUD calls the right WeCom APIs', () => {
  it('create → add_contact_way (QR scene, multi-member, our state, the name as remark); the answer is stored', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create({
      ...(await base()),
      remark: '一楼收银台',
      skipVerify: false,
      backupReps: ['wangfang'],
    });
    const [call] = await calls(app, `${EC}/add_contact_way`);
    // WeCom's remark is how the code is named there (the emulator's pages, WeCom's own lists): the channel's name.
    expect(call!.body).toEqual({
      type: 2,
      scene: 2,
      remark: '门店海报',
      skip_verify: false,
      state: channel.state,
      user: ['zhangwei', 'lina'],
    });
    expect(channel.state).toMatch(/^ch[0-9A-Za-z]{10}$/);
    const answer = call!.response as { config_id: string; qr_code: string };
    expect(channel.configId).toBe(answer.config_id);
    expect(channel.qrCode).toBe(answer.qr_code);
    expect(channel.qrCode).toContain(`/emulator/qr/${answer.config_id}`);
    expect(channel.reps).toEqual([
      { userId: 'zhangwei', name: '张伟', role: 'primary', cappedToday: false },
      { userId: 'lina', name: '李娜', role: 'primary', cappedToday: false },
      { userId: 'wangfang', name: '王芳', role: 'backup', cappedToday: false },
    ]);
    expect(channel.tags.map((t) => t.name)).toEqual(['线下门店', '潜在客户']);
    expect(channel.welcome).toEqual({ text: '{客户昵称}您好，我是{员工姓名}', attachments: [], variants: [] });

    // The QR page the code points at exists and shows a real QR image.
    const page = await app.inject({ url: new URL(channel.qrCode).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data:image/png;base64');
    expect(page.body).toContain('模拟扫码添加');

    const got = await admin(app, 'GET', `/api/channels/${channel.id}`);
    expect(got.json()).toEqual(channel);
    const list = await admin(app, 'GET', '/api/channels');
    expect((list.json() as { channels: ChannelView[] }).channels.map((c) => c.id)).toEqual([channel.id]);
  });

  it('an admin-chosen state is used as is; a taken one is 409 without a WeCom call', async () => {
    app = await startApp();
    await prepare(app);
    const first = await create({ ...(await base()), state: 'poster_2024-A' });
    expect(first.state).toBe('poster_2024-A');
    const before = (await calls(app)).length;
    const dup = await admin(app, 'POST', '/api/channels', {
      ...(await base()),
      name: '另一个',
      state: 'poster_2024-A',
    });
    expect(dup.statusCode).toBe(409);
    expect((await calls(app)).length).toBe(before);
  });

  it('update → update_contact_way with the new rotation; remark/tags/welcome alone need no WeCom call; delete → del_contact_way', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create(await base());

    const updated = await admin(app, 'PATCH', `/api/channels/${channel.id}`, {
      reps: ['chenjing'],
      backupReps: ['zhaolei'],
      remark: '二楼',
      state: 'floor2',
      skipVerify: false,
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const [call] = await calls(app, `${EC}/update_contact_way`);
    expect(call!.body).toEqual({
      config_id: channel.configId,
      remark: '门店海报',
      skip_verify: false,
      state: 'floor2',
      user: ['chenjing'],
    });
    const state = (await app.inject({ url: '/emulator/_state' })).json() as {
      contactWays: { config_id: string; user: string[]; state: string; skip_verify: boolean }[];
    };
    expect(state.contactWays.find((w) => w.config_id === channel.configId)).toMatchObject({
      user: ['chenjing'],
      state: 'floor2',
      skip_verify: false,
    });

    const callsBefore = (await calls(app)).length;
    const retagged = await admin(app, 'PATCH', `/api/channels/${channel.id}`, {
      remark: '二楼扶梯口',
      tagIds: [await tagId(app, '重要客户')],
      welcome: {
        text: '欢迎光临',
        variants: [{ weekdays: [6, 7], start: '18:00', end: '09:00', text: '周末晚上好', attachments: [] }],
      },
    });
    expect(retagged.statusCode, retagged.body).toBe(200);
    expect(retagged.json()).toMatchObject({
      remark: '二楼扶梯口',
      tags: [{ name: '重要客户', deleted: false }],
      welcome: { text: '欢迎光临', variants: [{ weekdays: [6, 7], start: '18:00', end: '09:00', text: '周末晚上好' }] },
    });
    expect((await calls(app)).length).toBe(callsBefore);

    // A new name is WeCom's remark too, cut to WeCom's 30 characters.
    const longName = '二楼扶梯口海报（双十一会场专用，活动结束后撤下换成年货节海报）';
    expect([...longName].length).toBeGreaterThan(30);
    const renamed = await admin(app, 'PATCH', `/api/channels/${channel.id}`, { name: longName });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: longName, remark: '二楼扶梯口' });
    const renameCall = (await calls(app, `${EC}/update_contact_way`)).at(-1)!;
    expect(renameCall.body).toMatchObject({ config_id: channel.configId, remark: [...longName].slice(0, 30).join('') });
    const ways = (await app.inject({ url: '/emulator/_state' })).json() as {
      contactWays: { config_id: string; remark: string }[];
    };
    expect(ways.contactWays.find((w) => w.config_id === channel.configId)!.remark).toBe(
      [...longName].slice(0, 30).join(''),
    );

    const removed = await admin(app, 'DELETE', `/api/channels/${channel.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await calls(app, `${EC}/del_contact_way`))[0]!.body).toEqual({ config_id: channel.configId });
    expect((await admin(app, 'GET', `/api/channels/${channel.id}`)).statusCode).toBe(404);
    const after = (await app.inject({ url: '/emulator/_state' })).json() as { contactWays: { config_id: string }[] };
    expect(after.contactWays.some((w) => w.config_id === channel.configId)).toBe(false);
  });

  it('the admin API is never open', async () => {
    app = await startApp();
    for (const [method, url] of [
      ['GET', '/api/channels'],
      ['POST', '/api/channels'],
      ['GET', '/api/channels/1'],
      ['PATCH', '/api/channels/1'],
      ['DELETE', '/api/channels/1'],
      ['GET', '/api/channels/1/stats?from=2024-01-01&to=2024-01-02'],
      ['GET', '/api/welcome/default'],
      ['POST', '/api/welcome/preview'],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: 'Bearer wrong-token-wrong-token' },
        payload: {},
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });
});

describe('bad input: 400 naming the field, nothing written, no WeCom call', () => {
  const cases: [string, (b: Record<string, unknown>) => Record<string, unknown>, string][] = [
    ['state over 30 characters', (b) => ({ ...b, state: 's'.repeat(31) }), 'state'],
    ['state with spaces', (b) => ({ ...b, state: 'has space' }), 'state'],
    ['unknown tag id', (b) => ({ ...b, tagIds: ['etDoesNotExist000000'] }), 'tagIds'],
    [
      'more than 9 attachments',
      (b) => ({
        ...b,
        welcome: {
          text: 'hi',
          attachments: Array.from({ length: 10 }, () => ({ type: 'link', title: 't', url: 'https://example.com' })),
        },
      }),
      'welcome.attachments',
    ],
    ['an empty welcome', (b) => ({ ...b, welcome: { text: '   ', attachments: [] } }), 'welcome'],
    [
      'an empty time-slot variant',
      (b) => ({
        ...b,
        welcome: { text: 'hi', variants: [{ weekdays: [1], start: '18:00', end: '09:00', text: '', attachments: [] }] },
      }),
      'welcome.variants.0',
    ],
    [
      'a link without url',
      (b) => ({ ...b, welcome: { text: 'hi', attachments: [{ type: 'link', title: '官网' }] } }),
      'welcome.attachments.0.url',
    ],
    [
      'an image url that is not http',
      (b) => ({ ...b, welcome: { attachments: [{ type: 'image', imageUrl: 'file:///etc/passwd' }] } }),
      'welcome.attachments.0.imageUrl',
    ],
    ['a rep not in the corp', (b) => ({ ...b, reps: ['zhangwei', 'nobody'] }), 'reps'],
    ['a backup rep not in the corp', (b) => ({ ...b, backupReps: ['ghost'] }), 'backupReps'],
    ['a rep both primary and backup', (b) => ({ ...b, backupReps: ['lina'] }), 'backupReps'],
    ['no reps', (b) => ({ ...b, reps: [] }), 'reps'],
    [
      'a time that is not HH:MM',
      (b) => ({
        ...b,
        welcome: {
          text: 'hi',
          variants: [{ weekdays: [1], start: '25:00', end: '09:00', text: 'x', attachments: [] }],
        },
      }),
      'welcome.variants.0.start',
    ],
  ];

  it.each(cases)('%s', async (_what, mutate, field) => {
    app = await startApp();
    await prepare(app);
    const counts = await appTableCounts(app);
    const callCount = (await calls(app)).length;
    const res = await admin(app, 'POST', '/api/channels', mutate(await base()));
    expect(res.statusCode, res.body).toBe(400);
    expect((res.json() as { field?: string }).field).toBe(field);
    expect(await appTableCounts(app)).toEqual(counts);
    expect((await calls(app)).length).toBe(callCount);
  });

  it('an update with an unknown tag or rep changes nothing and calls nothing', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create(await base());
    const counts = await appTableCounts(app);
    const callCount = (await calls(app)).length;
    for (const [body, field] of [
      [{ tagIds: ['etGone'] }, 'tagIds'],
      [{ reps: ['nobody'] }, 'reps'],
      [{ state: 'x'.repeat(31) }, 'state'],
      [{ welcome: { text: '' } }, 'welcome'],
    ] as const) {
      const res = await admin(app, 'PATCH', `/api/channels/${channel.id}`, body);
      expect(res.statusCode, res.body).toBe(400);
      expect((res.json() as { field?: string }).field).toBe(field);
    }
    expect(await appTableCounts(app)).toEqual(counts);
    expect((await calls(app)).length).toBe(callCount);
    expect((await admin(app, 'GET', `/api/channels/${channel.id}`)).json()).toEqual(channel);
  });
});

describe('daily cap', () => {
  it('a rep who reaches the cap leaves the code, backups take over, and everyone is back the next day', async () => {
    // The server's clock, 3 days back and movable: the cap works on local days.
    let offset = -3 * 86_400_000;
    const now = () => Date.now() + offset;
    const config = testConfig();
    app = await buildApp(config, { logger: false, now });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await prepare(app);
    const channel = await create({
      ...(await base()),
      reps: ['zhangwei', 'lina'],
      backupReps: ['wangfang'],
      dailyCap: 2,
    });
    const updates = async () =>
      (await calls(app, `${EC}/update_contact_way`)).map((c) => (c.body as { user: string[] }).user);

    const add = async (userId: string) => {
      const r = await simulate(app, { changeType: 'add_external_contact', userId, state: channel.state });
      await settled(app, r.externalUserId);
      return r;
    };
    await add('zhangwei');
    expect(await updates()).toEqual([]);
    await add('zhangwei');
    await waitFor(async () => (await updates()).length === 1, 'zhangwei to be taken off');
    expect(await updates()).toEqual([['lina']]);
    let view = (await admin(app, 'GET', `/api/channels/${channel.id}`)).json() as ChannelView;
    expect(view.reps.find((r) => r.userId === 'zhangwei')!.cappedToday).toBe(true);

    await add('lina');
    await add('lina');
    await waitFor(async () => (await updates()).length === 2, 'lina to be taken off');
    expect((await updates())[1]).toEqual(['wangfang']);
    // Backups are never capped: more adds change nothing.
    await add('wangfang');
    await add('wangfang');
    await add('wangfang');
    expect((await updates()).length).toBe(2);
    const { repDailyAdds: d } = app.db.t;
    const counts = await app.db
      .select({ userId: d.userId, day: d.day, count: d.count })
      .from(d)
      .where(eq(d.channelId, channel.id))
      .orderBy(asc(d.userId));
    const day = localDay(now());
    expect(counts).toEqual([
      { userId: 'lina', day, count: 2 },
      { userId: 'wangfang', day, count: 3 },
      { userId: 'zhangwei', day, count: 2 },
    ]);

    // The next day: the restore job puts both back (and a second run finds nothing to do). An edit made after
    // midnight but before the restore runs does not lose yesterday's caps.
    offset += 86_400_000;
    const edited = await admin(app, 'PATCH', `/api/channels/${channel.id}`, { remark: '一楼收银台（新）' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(await restoreCappedReps(now)).toEqual({ reps: 2, channels: 1 });
    await waitFor(async () => (await updates()).length === 3, 'the reps to be put back');
    expect((await updates())[2]).toEqual(['zhangwei', 'lina']);
    expect(await app.modules.channels.service.restoreCappedReps(CORP)).toEqual({ reps: 0, channels: 0 });
    view = (await admin(app, 'GET', `/api/channels/${channel.id}`)).json() as ChannelView;
    expect(view.reps.every((r) => !r.cappedToday)).toBe(true);
    const way = (
      (await app.inject({ url: '/emulator/_state' })).json() as { contactWays: { config_id: string; user: string[] }[] }
    ).contactWays.find((w) => w.config_id === channel.configId)!;
    expect(way.user).toEqual(['zhangwei', 'lina']);

    // Raising the cap on the day a rep is capped puts them back at once.
    await add('zhangwei');
    await add('zhangwei');
    await waitFor(async () => (await updates()).length === 4, 'capped again');
    const raised = await admin(app, 'PATCH', `/api/channels/${channel.id}`, { dailyCap: 5 });
    expect(raised.statusCode, raised.body).toBe(200);
    expect((await updates())[4]).toEqual(['zhangwei', 'lina']);
    // …and reaching the new cap the same day takes them off again.
    for (let i = 0; i < 3; i++) await add('zhangwei');
    await waitFor(async () => (await updates()).length === 6, 'capped at the new cap');
    expect((await updates())[5]).toEqual(['lina']);
  });
});

describe('channel statistics', () => {
  it('counts adds, losses and net per channel per day', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create(await base());
    const other = await create({ ...(await base()), name: '快递包裹卡' });
    const ids: string[] = [];
    for (const userId of ['zhangwei', 'lina', 'zhangwei']) {
      const r = await simulate(app, { changeType: 'add_external_contact', userId, state: channel.state });
      ids.push(r.externalUserId);
      await settled(app, r.externalUserId);
    }
    const elsewhere = await simulate(app, { changeType: 'add_external_contact', userId: 'lina', state: other.state });
    await settled(app, elsewhere.externalUserId);
    await simulate(app, { changeType: 'del_follow_user', userId: 'zhangwei', externalUserId: ids[0] });
    await waitFor(async () => (await followsOf(ids[0]!)).some((f) => f.status === 'lost'), 'the loss');
    // The channel counts the loss in the event's hooks, after the follow has ended: wait for the whole event.
    await settled(app, ids[0]!);
    const today = localDay(Date.now());
    const yesterday = localDay(Date.now() - 86_400_000);
    const res = await admin(app, 'GET', `/api/channels/${channel.id}/stats?from=${yesterday}&to=${today}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      channelId: channel.id,
      from: yesterday,
      to: today,
      days: [
        { day: yesterday, adds: 0, losses: 0, net: 0 },
        { day: today, adds: 3, losses: 1, net: 2 },
      ],
      totals: { adds: 3, losses: 1, net: 2 },
    });
    const [follow] = await followsOf(ids[1]!);
    expect(follow!.channelId).toBe(channel.id);

    const reversed = await admin(app, 'GET', `/api/channels/${channel.id}/stats?from=${today}&to=${yesterday}`);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({ field: 'to' });
    const malformed = await admin(app, 'GET', `/api/channels/${channel.id}/stats?from=2024-02-30&to=${today}`);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ field: 'from' });
    expect((await admin(app, 'GET', `/api/channels/9999/stats?from=${today}&to=${today}`)).statusCode).toBe(404);
  });
});

describe('channel statistics across a re-add', () => {
  it('keeps the earlier add and loss with their code when the customer comes back through another one', async () => {
    app = await startApp();
    await prepare(app);
    const first = await create(await base());
    const second = await create({ ...(await base()), name: '快递包裹卡' });
    const { externalUserId } = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'zhangwei',
      state: first.state,
    });
    await settled(app, externalUserId);
    await simulate(app, { changeType: 'del_follow_user', userId: 'zhangwei', externalUserId });
    const followOf = async () => (await followsOf(externalUserId)).find((f) => f.userId === 'zhangwei');
    await waitFor(async () => (await followOf())?.status === 'lost', 'the loss');
    // WeCom stamps the new relation a few seconds later than the first one.
    await app.inject({ method: 'POST', url: '/emulator/_clock', payload: { advanceMs: 3000 } });
    await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'zhangwei',
      externalUserId,
      state: second.state,
      deliveries: 2,
    });
    await waitFor(async () => {
      const follow = await followOf();
      return follow?.status === 'active' && follow.channelId === second.id;
    }, 'the re-add');
    await settled(app, externalUserId);

    const today = localDay(Date.now());
    const totals = async (id: number) =>
      (await admin(app, 'GET', `/api/channels/${id}/stats?from=${today}&to=${today}`)).json().totals;
    expect(await totals(first.id)).toEqual({ adds: 1, losses: 1, net: 0 });
    expect(await totals(second.id)).toEqual({ adds: 1, losses: 0, net: 1 });
  });
});

describe('demo seeding', () => {
  it('leaves a code of the same name from an earlier demo (a generated state) alone: no duplicate', async () => {
    app = await startApp();
    await prepare(app);
    const earlier = await create({ name: '门店海报', reps: ['zhangwei'] });
    expect(earlier.state).toMatch(/^ch/);
    expect(await seedChannels(app)).toEqual({ channels: 3 });
    const list = ((await admin(app, 'GET', '/api/channels')).json() as { channels: ChannelView[] }).channels;
    expect(list.filter((c) => c.name === '门店海报').map((c) => c.id)).toEqual([earlier.id]);
    expect(list).toHaveLength(4);
  });

  it('creates four channel codes with tags and welcomes through WeCom, once, named alike in WeCom', async () => {
    app = await startApp();
    expect(await seedChannels(app)).toEqual({ channels: 4 });
    expect(await seedChannels(app)).toEqual({ channels: 0 });
    const list = ((await admin(app, 'GET', '/api/channels')).json() as { channels: ChannelView[] }).channels;
    expect(list.map((c) => c.name).sort()).toEqual(['官网落地页', '快递包裹卡', '直播间福利码', '门店海报'].sort());
    const added = await calls(app, `${EC}/add_contact_way`);
    expect(added).toHaveLength(4);
    // WeCom (the emulator's pages) shows each code by the name the sidebar shows.
    expect(added.map((c) => (c.body as { remark: string }).remark).sort()).toEqual(list.map((c) => c.name).sort());
    const home = await app.inject({ url: '/emulator/' });
    for (const c of list) expect(home.body).toContain(`<div>${c.name}</div>`);

    // A demo code an admin deleted is not created again: its state is never reused.
    const store = list.find((c) => c.name === '门店海报')!;
    expect((await admin(app, 'DELETE', `/api/channels/${store.id}`)).statusCode).toBe(204);
    expect(await seedChannels(app)).toEqual({ channels: 0 });
    expect(await calls(app, `${EC}/add_contact_way`)).toHaveLength(4);
    for (const c of list) {
      expect(c.tags.length).toBeGreaterThan(0);
      expect(c.tags.every((t) => !t.deleted)).toBe(true);
      expect(c.welcome!.text).toContain('{客户昵称}');
    }
    const landing = list.find((c) => c.name === '官网落地页')!;
    expect(landing.welcome!.variants.length).toBeGreaterThan(0);
    expect(landing.welcome!.attachments).toEqual([expect.objectContaining({ type: 'link' })]);
    const def = (await admin(app, 'GET', '/api/welcome/default')).json() as { welcome: { text: string } | null };
    expect(def.welcome!.text).toContain('{员工姓名}');

    // The whole flow from the QR page.
    const scan = await app.inject({
      method: 'POST',
      url: `/emulator/qr/${landing.configId}/scan`,
      payload: 'name=%E5%BC%A0%E4%B8%89',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(scan.statusCode).toBe(303);
    const customer = new URL(scan.headers.location as string, 'http://x').searchParams.get('customer')!;
    await settled(app, customer);
    const state = (await app.inject({ url: '/emulator/_state' })).json() as {
      welcomeMessages: { external_userid: string; text: { content: string } }[];
    };
    expect(state.welcomeMessages.find((w) => w.external_userid === customer)!.text.content).toMatch(/^张三/);
  });
});

describe('GET /api/channels/:id/qr.png serves the code’s QR image from WeCom', () => {
  const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  /** A minimal JPEG (SOI, APP0 JFIF header, EOI): enough for the magic-byte check, as a CDN may serve one. */
  const JPEG = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xff, 0xd9,
  ]);
  let imageHost: Server | undefined;

  afterEach(async () => {
    if (imageHost) await new Promise((resolve) => imageHost!.close(resolve));
    imageHost = undefined;
  });

  /** A stand-in for WeCom's image host answering every request with `handler`; its origin. */
  async function hostImages(handler: (res: ServerResponse) => void): Promise<string> {
    imageHost = createServer((_req, res) => handler(res));
    await new Promise<void>((resolve) => imageHost!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(imageHost.address() as AddressInfo).port}`;
  }

  /** WeCom's answer as stored changes (a test stand-in for a different image host). */
  async function storeQrCode(id: number, qrCode: string) {
    const { channels } = app.db.t;
    await app.db.update(channels).set({ qrCode }).where(eq(channels.id, id));
  }

  /** A port nothing listens on. */
  async function closedPort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const { port } = s.address() as AddressInfo;
    await new Promise((resolve) => s.close(resolve));
    return port;
  }

  it('answers the emulator’s real PNG inline, no-store; ?download=1 makes it an attachment named after the channel', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create({ ...(await base()), name: "门店 海报 (A)'1*" });

    const res = await admin(app, 'GET', `/api/channels/${channel.id}/qr.png`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.rawPayload.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    // The image is the emulator's QR of the code's page (480 px wide: IHDR width at bytes 16–19).
    expect(res.rawPayload.readUInt32BE(16)).toBe(480);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    const encoded = '%E9%97%A8%E5%BA%97%20%E6%B5%B7%E6%8A%A5%20%28A%29%271%2A.png';
    expect(res.headers['content-disposition']).toBe(`inline; filename*=UTF-8''${encoded}`);

    const download = await admin(app, 'GET', `/api/channels/${channel.id}/qr.png?download=1`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${encoded}`);
    expect(decodeURIComponent(encoded)).toBe("门店 海报 (A)'1*.png");
    expect(download.rawPayload.equals(res.rawPayload)).toBe(true);
    const inline = await admin(app, 'GET', `/api/channels/${channel.id}/qr.png?download=0`);
    expect(inline.headers['content-disposition']).toMatch(/^inline;/);

    // The same URL opened in a browser is still the page to simulate a scan.
    const page = await app.inject({
      url: new URL(channel.qrCode).pathname,
      headers: { accept: 'text/html,application/xhtml+xml,image/avif,image/webp,*/*;q=0.8' },
    });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('模拟扫码添加');
  });

  it('refuses callers without the admin token or an admin session, and bad query values', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create(await base());
    const url = `/api/channels/${channel.id}/qr.png`;

    expect((await app.inject({ url })).statusCode).toBe(401);
    const wrong = await app.inject({ url, headers: { authorization: 'Bearer wrong-token-wrong-token' } });
    expect(wrong.statusCode).toBe(401);
    // Channel codes are an admin page of the console (as every other /api/channels route): a manager is refused.
    await createLocalAccount(app, { username: 'qr-manager', role: 'manager', departmentIds: [1] });
    const manager = await app.inject({ url, headers: { cookie: await consoleLogin(app, 'qr-manager') } });
    expect(manager.statusCode).toBe(403);
    await createLocalAccount(app, { username: 'qr-admin', role: 'admin' });
    const session = await app.inject({ url, headers: { cookie: await consoleLogin(app, 'qr-admin') } });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.headers['content-type']).toBe('image/png');

    for (const bad of ['?download=yes', '?download=', '?url=http://127.0.0.1/', '?download=1&download=1']) {
      const res = await admin(app, 'GET', `${url}${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.headers['content-type']).toMatch(/json/);
    }
    for (const id of ['0', '-1', 'abc', '1.5']) {
      expect((await admin(app, 'GET', `/api/channels/${id}/qr.png`)).statusCode, id).toBe(400);
    }
  });

  it('a deleted or unknown code is 404 in Chinese, without fetching anything', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create(await base());
    expect((await admin(app, 'DELETE', `/api/channels/${channel.id}`)).statusCode).toBe(204);
    let fetched = 0;
    const host = await hostImages((res) => {
      fetched += 1;
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_MAGIC);
    });
    await storeQrCode(channel.id, `${host}/qr.png`);

    const gone = await admin(app, 'GET', `/api/channels/${channel.id}/qr.png?download=1`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ error: 'not_found', message: '渠道活码不存在' });
    expect(gone.headers['content-disposition']).toBeUndefined();
    const unknown = await admin(app, 'GET', `/api/channels/${channel.id + 1000}/qr.png`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ message: '渠道活码不存在' });
    expect(fetched).toBe(0);
  });

  it('a JPEG from WeCom is answered as a JPEG; anything not a PNG or JPEG, or an unreachable host, is a 502 in Chinese', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create(await base());
    const url = `/api/channels/${channel.id}/qr.png?download=1`;

    // Content-type by magic bytes, not by the host's header.
    const jpegHost = await hostImages((res) => res.writeHead(200, { 'content-type': 'image/png' }).end(JPEG));
    await storeQrCode(channel.id, `${jpegHost}/qr`);
    const jpeg = await admin(app, 'GET', url);
    expect(jpeg.statusCode, jpeg.body).toBe(200);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect(jpeg.headers['content-disposition']).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('门店海报')}.jpg`,
    );
    expect(jpeg.rawPayload.equals(JPEG)).toBe(true);
    await new Promise((resolve) => imageHost!.close(resolve));

    const expect502 = async (what: string, message: string) => {
      const res = await admin(app, 'GET', url);
      expect(res.statusCode, what).toBe(502);
      expect(res.json(), what).toMatchObject({ message });
      expect(res.headers['content-disposition'], what).toBeUndefined();
      expect(res.body, what).not.toContain('127.0.0.1');
    };

    // An HTML page labelled as an image.
    await hostImages((res) => res.writeHead(200, { 'content-type': 'image/png' }).end('<html>登录</html>'));
    await storeQrCode(channel.id, `http://127.0.0.1:${(imageHost!.address() as AddressInfo).port}/qr`);
    await expect502('html', '企业微信返回的二维码不是 PNG 或 JPEG 图片');
    await new Promise((resolve) => imageHost!.close(resolve));

    // An error status.
    await hostImages((res) => res.writeHead(404).end());
    await storeQrCode(channel.id, `http://127.0.0.1:${(imageHost!.address() as AddressInfo).port}/qr`);
    await expect502('404', '无法从企业微信获取二维码图片，请稍后重试');
    await new Promise((resolve) => imageHost!.close(resolve));

    // An image far larger than a QR code.
    await hostImages((res) => res.writeHead(200).end(Buffer.concat([PNG_MAGIC, Buffer.alloc(3 * 1024 * 1024)])));
    await storeQrCode(channel.id, `http://127.0.0.1:${(imageHost!.address() as AddressInfo).port}/qr`);
    await expect502('too large', '无法从企业微信获取二维码图片，请稍后重试');
    await new Promise((resolve) => imageHost!.close(resolve));
    imageHost = undefined;

    // Nothing listening.
    await storeQrCode(channel.id, `http://127.0.0.1:${await closedPort()}/qr`);
    await expect502('refused', '无法从企业微信获取二维码图片，请稍后重试');

    // Only http(s): a stored URL of another scheme is never opened.
    await storeQrCode(channel.id, 'file:///etc/passwd');
    await expect502('file', '企业微信返回的二维码地址无效');
    await storeQrCode(channel.id, 'not a url');
    await expect502('garbage', '企业微信返回的二维码地址无效');
  });

  it('WeCom’s image host that never answers is a 502 after the timeout', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await create(await base());
    await hostImages(() => undefined); // accepts the connection, never answers
    await storeQrCode(channel.id, `http://127.0.0.1:${(imageHost!.address() as AddressInfo).port}/qr`);
    const started = Date.now();
    const res = await admin(app, 'GET', `/api/channels/${channel.id}/qr.png`);
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ message: '无法从企业微信获取二维码图片，请稍后重试' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    imageHost!.closeAllConnections();
  }, 15_000);
});
