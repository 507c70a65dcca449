import { and, asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import type { Config, DatabaseConfig } from '../../server/config.js';
import { buildApp } from '../../server/app.js';
import { startApp, testConfig, testDatabase, waitFor } from '../support/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { sealCallback } from '../../server/wecom/crypto.js';
import { buildExternalContactEventXml } from '../../server/wecom/events.js';
import {
  admin,
  calls,
  CORP,
  EC,
  jobsOf,
  markTagCalls,
  prepare,
  settled,
  simulate,
  tagId,
  timeline,
  wecomTagsOf,
  welcomesFor,
} from '../support/scrm.js';

const apps: App[] = [];
let app: App;

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

async function start(config: Config = testConfig(), now?: () => number): Promise<App> {
  const a = await buildApp(config, { logger: false, ...(now ? { now } : {}) });
  await a.listen({ port: 0, host: '127.0.0.1' });
  apps.push(a);
  return a;
}

/** A second server on the same database that talks to the first one's emulator: "the process after a restart". */
async function restartedFrom(wecomHost: App, database: DatabaseConfig, now?: () => number): Promise<App> {
  const base = testConfig({ database, worker: { leaseMs: LEASE_MS } });
  const address = wecomHost.server.address() as { port: number };
  return start(
    {
      ...base,
      // The same data folder, so the same key opens the corp's sealed secrets (on SQLite it is the database's).
      dataDir: wecomHost.config.dataDir,
      emulator: false,
      wecom: { ...base.wecom, apiBase: `http://127.0.0.1:${address.port}/emulator` },
    },
    now,
  );
}

async function channel(a: App, body: Record<string, unknown> = {}) {
  const res = await admin(a, 'POST', '/api/channels', {
    name: '门店海报',
    reps: ['zhangwei', 'lina'],
    tagIds: [await tagId(a, '线下门店'), await tagId(a, '潜在客户')],
    welcome: { text: '{客户昵称}您好，我是{员工姓名}，欢迎光临！' },
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; state: string; tagIds: string[]; configId: string };
}

/** Leases of the processes of these tests: a crashed process's work is taken over this soon. */
const LEASE_MS = 1_000;

const kinds = async (a: App, id: string) => (await timeline(a, id)).map((t) => t.kind);

/** The statuses of the inbox rows about one customer, oldest first. */
async function eventStatuses(a: App, externalUserId: string): Promise<string[]> {
  const { events } = a.db.t;
  const rows = await a.db
    .select({ status: events.status, payload: events.payload })
    .from(events)
    .orderBy(asc(events.id));
  return rows.filter((e) => JSON.stringify(e.payload).includes(externalUserId)).map((e) => e.status);
}

async function channelOf(a: App, externalUserId: string): Promise<number | null | undefined> {
  const { follows } = a.db.t;
  const [row] = await a.db
    .select({ channelId: follows.channelId })
    .from(follows)
    .where(and(eq(follows.corpId, CORP), eq(follows.externalUserId, externalUserId)));
  return row?.channelId;
}

async function dailyAdds(a: App, userId: string, channelId?: number): Promise<number[]> {
  const { repDailyAdds: d } = a.db.t;
  const rows = await a.db
    .select({ count: d.count })
    .from(d)
    .where(and(eq(d.userId, userId), channelId === undefined ? undefined : eq(d.channelId, channelId)));
  return rows.map((r) => r.count);
}

describe('exactly once', () => {
  it('4 deliveries of one add: tagged once, welcomed once, recorded once', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app);
    const r = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'zhangwei',
      state: ch.state,
      name: '林晓雨',
      deliveries: 4,
    });
    expect(r.deliveries.filter((d) => d.status === 200)).toHaveLength(4);
    const jobs = await settled(app, r.externalUserId);
    expect(jobs.map((j) => [j.kind, j.status])).toEqual([
      ['mark_tag', 'done'],
      ['send_welcome', 'done'],
    ]);

    const marks = await markTagCalls(app, r.externalUserId);
    expect(marks).toHaveLength(1);
    expect(marks[0]!.body).toEqual({ userid: 'zhangwei', external_userid: r.externalUserId, add_tag: ch.tagIds });
    expect(await wecomTagsOf(app, r.externalUserId, 'zhangwei')).toEqual([...ch.tagIds].sort());
    const { followTags } = app.db.t;
    const local = await app.db
      .select({ tagId: followTags.tagId })
      .from(followTags)
      .where(and(eq(followTags.externalUserId, r.externalUserId), eq(followTags.userId, 'zhangwei')))
      .orderBy(asc(followTags.tagId));
    expect(local.map((t) => t.tagId)).toEqual([...ch.tagIds].sort());

    const welcomes = await welcomesFor(app, r.externalUserId);
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]!.text!.content).toBe('林晓雨您好，我是张伟，欢迎光临！');
    expect(welcomes[0]!.userid).toBe('zhangwei');

    expect((await kinds(app, r.externalUserId)).sort()).toEqual(['added', 'tagged', 'welcome_sent'].sort());
    const items = await timeline(app, r.externalUserId);
    expect(items.find((t) => t.kind === 'added')!.content).toBe('通过渠道活码「门店海报」添加');
    expect(items.find((t) => t.kind === 'tagged')!.content).toBe('已打标签：线下门店、潜在客户');
    expect(items.find((t) => t.kind === 'welcome_sent')!.content).toContain('林晓雨您好，我是张伟');
    expect(await channelOf(app, r.externalUserId)).toBe(ch.id);
  });

  it('one add reported twice (add_half_external_contact, then add_external_contact without WelcomeCode) is taken in once', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app, { dailyCap: 10 });
    const r = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: ch.state });
    await settled(app, r.externalUserId);

    // WeCom's second report of the same relation: later CreateTime, no WelcomeCode (already used).
    const xml = buildExternalContactEventXml({
      corpId: CORP,
      changeType: 'add_external_contact',
      userId: 'zhangwei',
      externalUserId: r.externalUserId,
      createTime: r.createTime + 30,
      state: ch.state,
    });
    const sealed = sealCallback(
      { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: CORP },
      xml,
    );
    const res = await app.inject({
      method: 'POST',
      url: `/wecom/callback/${CORP}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
      payload: `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt></xml>`,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.statusCode).toBe(200);
    await waitFor(async () => {
      const statuses = await eventStatuses(app, r.externalUserId);
      return statuses.length === 2 && statuses.every((s) => s === 'done');
    }, 'both reports');
    await settled(app, r.externalUserId);

    expect(await markTagCalls(app, r.externalUserId)).toHaveLength(1);
    expect(await welcomesFor(app, r.externalUserId)).toHaveLength(1);
    expect((await kinds(app, r.externalUserId)).sort()).toEqual(['added', 'tagged', 'welcome_sent'].sort());
    expect(await dailyAdds(app, 'zhangwei', ch.id)).toEqual([1]);
  });

  it('a restart between delivery and processing, and a crash after the WeCom calls, still tag and welcome once', async () => {
    const database = testDatabase();
    // The first process accepts callbacks but never processes them (and keeps playing WeCom).
    const wecomHost = await start(testConfig({ database, worker: { concurrency: 0 } }));
    await prepare(wecomHost);
    const ch = await channel(wecomHost);
    const r = await simulate(wecomHost, {
      changeType: 'add_external_contact',
      userId: 'lina',
      state: ch.state,
      name: '周一鸣',
      deliveries: 4,
    });
    expect(await eventStatuses(wecomHost, r.externalUserId)).toEqual(['pending']);

    // The next process picks the event up from the inbox.
    const next = await restartedFrom(wecomHost, database);
    await settled(next, r.externalUserId);
    expect(await markTagCalls(wecomHost, r.externalUserId)).toHaveLength(1);
    expect(await welcomesFor(wecomHost, r.externalUserId)).toHaveLength(1);
    await next.close();
    apps.splice(apps.indexOf(next), 1);

    // A crash right after WeCom answered, before the results were recorded: everything is left in flight under
    // the crashed process's leases, which the next process takes over once they expire.
    const db = wecomHost.db;
    const { events, jobs } = db.t;
    const crashed = { status: 'running' as const, leaseOwner: 'crashed-process', leaseUntil: Date.now() + LEASE_MS };
    const mentions = (payload: unknown) => JSON.stringify(payload).includes(r.externalUserId);
    for (const e of await db.select({ id: events.id, payload: events.payload }).from(events)) {
      if (mentions(e.payload)) await db.update(events).set(crashed).where(eq(events.id, e.id));
    }
    for (const j of await db.select({ id: jobs.id, payload: jobs.payload }).from(jobs)) {
      if (mentions(j.payload)) {
        await db
          .update(jobs)
          .set({ ...crashed, deadlineAt: Date.now() + 60_000 })
          .where(eq(jobs.id, j.id));
      }
    }
    const third = await restartedFrom(wecomHost, database);
    await waitFor(
      async () => (await jobsOf(third, r.externalUserId)).every((j) => j.status === 'done' && j.attempts === 2),
      'the replayed jobs',
    );
    await settled(third, r.externalUserId);
    // mark_tag saw the tags already in WeCom; send_welcome_msg answered 41051 (code used): nothing twice.
    expect(await markTagCalls(wecomHost, r.externalUserId)).toHaveLength(1);
    expect(await welcomesFor(wecomHost, r.externalUserId)).toHaveLength(1);
    const sends = (await calls(wecomHost, `${EC}/send_welcome_msg`)).map(
      (c) => (c.response as { errcode: number }).errcode,
    );
    expect(sends).toEqual([0, 41051]);
    expect((await kinds(third, r.externalUserId)).sort()).toEqual(['added', 'tagged', 'welcome_sent'].sort());
    expect(await dailyAdds(third, 'lina')).toEqual([1]);
  });
});

describe('WeCom answers to send_welcome_msg', () => {
  it('41051 ends the job as done, recorded as already delivered, without retrying', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app);
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: `${EC}/send_welcome_msg`, count: 1, errcode: 41051 },
    });
    const r = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: ch.state });
    const jobs = await settled(app, r.externalUserId);
    expect(jobs.find((j) => j.kind === 'send_welcome')).toMatchObject({ status: 'done', attempts: 1 });
    await new Promise((res) => setTimeout(res, 200));
    expect(await calls(app, `${EC}/send_welcome_msg`)).toHaveLength(1);
    const item = (await timeline(app, r.externalUserId)).find((t) => t.kind === 'welcome_sent')!;
    expect(item.content).toContain('已送达');
    expect(item.payload).toMatchObject({ errcode: 41051 });
  });

  it('41096 (another app is sending) is retried until it goes through', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app);
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: `${EC}/send_welcome_msg`, count: 2, errcode: 41096 },
    });
    const r = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'zhangwei',
      state: ch.state,
      name: '赵小川',
    });
    const jobs = await settled(app, r.externalUserId);
    expect(jobs.find((j) => j.kind === 'send_welcome')).toMatchObject({ status: 'done', attempts: 3 });
    const sends = (await calls(app, `${EC}/send_welcome_msg`)).map((c) => (c.response as { errcode: number }).errcode);
    expect(sends).toEqual([41096, 41096, 0]);
    expect(await welcomesFor(app, r.externalUserId)).toHaveLength(1);
    expect(await kinds(app, r.externalUserId)).toContain('welcome_sent');
  });

  it('40014 (token revoked) is refreshed once and the welcome goes out once', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app);
    const tokensBefore = (await calls(app, '/cgi-bin/gettoken')).length;
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: `${EC}/send_welcome_msg`, count: 1, errcode: 40014 },
    });
    const r = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: ch.state });
    const jobs = await settled(app, r.externalUserId);
    expect(jobs.find((j) => j.kind === 'send_welcome')).toMatchObject({ status: 'done', attempts: 1 });
    const sends = (await calls(app, `${EC}/send_welcome_msg`)).map((c) => (c.response as { errcode: number }).errcode);
    expect(sends).toEqual([40014, 0]);
    expect((await calls(app, '/cgi-bin/gettoken')).length).toBe(tokensBefore + 1);
    expect(await welcomesFor(app, r.externalUserId)).toHaveLength(1);
  });

  it('a missing WelcomeCode: no welcome job, the reason on the timeline; tags still applied', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app);
    const r = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'zhangwei',
      state: ch.state,
      welcomeCode: false,
    });
    const jobs = await settled(app, r.externalUserId);
    expect(jobs.map((j) => j.kind)).toEqual(['mark_tag']);
    expect(await calls(app, `${EC}/send_welcome_msg`)).toHaveLength(0);
    const item = (await timeline(app, r.externalUserId)).find((t) => t.kind === 'welcome_skipped')!;
    expect(item.content).toContain('未携带 WelcomeCode');
    expect(item.payload).toMatchObject({ reason: 'no_welcome_code' });
    expect(await markTagCalls(app, r.externalUserId)).toHaveLength(1);
  });

  it('an expired 20-second window is recorded, not sent and not retried', async () => {
    const database = testDatabase();
    // The receiving process's clock says the event came in 25 s ago.
    const wecomHost = await start(testConfig({ database, worker: { concurrency: 0 } }), () => Date.now() - 25_000);
    await prepare(wecomHost);
    const ch = await channel(wecomHost);
    const r = await simulate(wecomHost, { changeType: 'add_external_contact', userId: 'zhangwei', state: ch.state });
    const next = await restartedFrom(wecomHost, database);
    const jobs = await settled(next, r.externalUserId);
    expect(jobs.find((j) => j.kind === 'send_welcome')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(jobs.find((j) => j.kind === 'mark_tag')).toMatchObject({ status: 'done' });
    expect(await calls(wecomHost, `${EC}/send_welcome_msg`)).toHaveLength(0);
    const item = (await timeline(next, r.externalUserId)).find((t) => t.kind === 'welcome_skipped')!;
    expect(item.content).toBe('欢迎语未发送：已超过20秒发送时限');
  });
});

describe('tags deleted in WeCom', () => {
  it('a tag deleted behind our back: 40068, resync, one retry without it, recorded', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app);
    const [kept, deleted] = ch.tagIds as [string, string];
    // Deleted in WeCom by someone else: API deletions fire no callback, so our mirror still has it.
    await app.wecom.api(CORP).delCorpTag({ tag_id: [deleted] });

    const r = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: ch.state });
    const jobs = await settled(app, r.externalUserId);
    expect(jobs.find((j) => j.kind === 'mark_tag')).toMatchObject({ status: 'done', attempts: 1 });
    const marks = await markTagCalls(app, r.externalUserId);
    expect(
      marks.map((m) => [(m.body as { add_tag: string[] }).add_tag, (m.response as { errcode: number }).errcode]),
    ).toEqual([
      [[kept, deleted], 40068],
      [[kept], 0],
    ]);
    expect(await wecomTagsOf(app, r.externalUserId, 'zhangwei')).toEqual([kept]);
    const tagged = (await timeline(app, r.externalUserId)).find((t) => t.kind === 'tagged')!;
    expect(tagged.content).toBe('已打标签：线下门店（已跳过企业微信中已删除的标签：潜在客户）');
    expect(await welcomesFor(app, r.externalUserId)).toHaveLength(1);

    // The channel shows the tag as deleted; the next customer is tagged without a failed call.
    const view = (await admin(app, 'GET', `/api/channels/${ch.id}`)).json() as {
      tags: { id: string; deleted: boolean }[];
    };
    expect(view.tags).toEqual([
      expect.objectContaining({ id: kept, deleted: false }),
      expect.objectContaining({ id: deleted, deleted: true }),
    ]);
    const second = await simulate(app, { changeType: 'add_external_contact', userId: 'lina', state: ch.state });
    await settled(app, second.externalUserId);
    expect(
      (await markTagCalls(app, second.externalUserId)).map((m) => (m.body as { add_tag: string[] }).add_tag),
    ).toEqual([[kept]]);

    // Every tag gone: nothing to mark, recorded, no call.
    await app.wecom.api(CORP).delCorpTag({ tag_id: [kept] });
    await app.modules.tags.service.syncAll(CORP);
    const third = await simulate(app, { changeType: 'add_external_contact', userId: 'lina', state: ch.state });
    await settled(app, third.externalUserId);
    expect(await markTagCalls(app, third.externalUserId)).toHaveLength(0);
    expect((await timeline(app, third.externalUserId)).find((t) => t.kind === 'tag_skipped')!.content).toContain(
      '已在企业微信删除',
    );
  });
});

describe('channels and the default welcome', () => {
  it('an unknown State falls back to the default welcome and is recorded; no channel, no default: recorded too', async () => {
    app = await start();
    await prepare(app);
    const none = await simulate(app, { changeType: 'add_external_contact', userId: 'lina' });
    await settled(app, none.externalUserId);
    const skipped = (await timeline(app, none.externalUserId)).find((t) => t.kind === 'welcome_skipped')!;
    expect(skipped.content).toContain('未配置欢迎语');

    const put = await admin(app, 'PUT', '/api/welcome/default', {
      text: '您好{客户昵称}，我是{员工姓名}，有问题随时找我',
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await admin(app, 'GET', '/api/welcome/default')).json()).toMatchObject({
      welcome: { text: '您好{客户昵称}，我是{员工姓名}，有问题随时找我' },
    });

    const r = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'lina',
      state: 'no_such_channel',
      name: '钱多多',
    });
    const jobs = await settled(app, r.externalUserId);
    expect(jobs.map((j) => j.kind)).toEqual(['send_welcome']);
    expect((await welcomesFor(app, r.externalUserId))[0]!.text!.content).toBe('您好钱多多，我是李娜，有问题随时找我');
    const added = (await timeline(app, r.externalUserId)).find((t) => t.kind === 'added')!;
    expect(added.content).toBe('通过未知渠道标识「no_such_channel」添加，使用默认欢迎语');
    expect(added.payload).toMatchObject({ unknownState: true, state: 'no_such_channel', channelId: null });
    expect((await timeline(app, r.externalUserId)).find((t) => t.kind === 'welcome_sent')!.payload).toMatchObject({
      source: 'default',
    });

    // A channel without its own welcome uses the default too, and still tags.
    const ch = await channel(app, { welcome: null });
    const viaChannel = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'zhangwei',
      state: ch.state,
      name: '孙悟',
    });
    await settled(app, viaChannel.externalUserId);
    expect((await welcomesFor(app, viaChannel.externalUserId))[0]!.text!.content).toBe(
      '您好孙悟，我是张伟，有问题随时找我',
    );
    expect(await markTagCalls(app, viaChannel.externalUserId)).toHaveLength(1);
  });

  it('the QR page scan runs the whole flow, rotating among the reps', async () => {
    app = await start();
    await prepare(app);
    const ch = await channel(app);
    const customers: string[] = [];
    for (const name of ['扫码客户一', '扫码客户二']) {
      const res = await app.inject({
        method: 'POST',
        url: `/emulator/qr/${ch.configId}/scan`,
        payload: `name=${encodeURIComponent(name)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode, res.body).toBe(303);
      const id = new URL(res.headers.location as string, 'http://x').searchParams.get('customer')!;
      customers.push(id);
      await settled(app, id);
    }
    const first = (await welcomesFor(app, customers[0]!))[0]!;
    const second = (await welcomesFor(app, customers[1]!))[0]!;
    expect([first.userid, second.userid]).toEqual(['zhangwei', 'lina']);
    expect(first.text!.content).toBe('扫码客户一您好，我是张伟，欢迎光临！');
    expect(second.text!.content).toBe('扫码客户二您好，我是李娜，欢迎光临！');
  });
});

describe('loss', () => {
  it('del_follow_user and del_external_contact end the follow and raise one alert each, whatever the deliveries', async () => {
    app = await startApp();
    apps.push(app);
    await prepare(app);
    const ch = await channel(app);
    const a = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: ch.state });
    const b = await simulate(app, { changeType: 'add_external_contact', userId: 'lina', state: ch.state });
    await settled(app, a.externalUserId);
    await settled(app, b.externalUserId);
    await simulate(app, {
      changeType: 'del_follow_user',
      userId: 'zhangwei',
      externalUserId: a.externalUserId,
      deliveries: 3,
    });
    await simulate(app, { changeType: 'del_external_contact', userId: 'lina', externalUserId: b.externalUserId });
    const { alerts: alertTable, follows } = app.db.t;
    const alerts = await waitFor(async () => {
      const rows = await app.db.select().from(alertTable).orderBy(asc(alertTable.id));
      return rows.length === 2 && rows;
    }, 'two alerts');
    expect(alerts.map((x) => [x.kind, x.userId, x.externalUserId])).toEqual([
      ['customer_deleted_rep', 'zhangwei', a.externalUserId],
      ['rep_deleted_customer', 'lina', b.externalUserId],
    ]);
    expect(alerts[0]!.detail).toMatchObject({ reason: 'deleted_by_customer', channelId: ch.id });
    const [follow] = await app.db
      .select({ status: follows.status, lostReason: follows.lostReason, lostAt: follows.lostAt })
      .from(follows)
      .where(eq(follows.externalUserId, a.externalUserId));
    expect(follow).toMatchObject({ status: 'lost', lostReason: 'deleted_by_customer' });
    expect(Math.abs(follow!.lostAt! - Date.now())).toBeLessThan(60_000);
    expect((await timeline(app, a.externalUserId)).filter((t) => t.kind === 'lost').map((t) => t.content)).toEqual([
      '客户删除了员工',
    ]);
    expect((await timeline(app, b.externalUserId)).filter((t) => t.kind === 'lost').map((t) => t.content)).toEqual([
      '员工删除了客户',
    ]);
  });
});
