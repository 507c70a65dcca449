import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { localDay } from '../../server/modules/channels/local-day.js';
import { sealCallback } from '../../server/wecom/crypto.js';
import { buildExternalContactEventXml } from '../../server/wecom/events.js';
import { DEFAULT_TIME_ZONE } from '../../shared/time-zone.js';
import { startApp, testConfig, waitFor } from '../support/app.js';
import { admin, CORP, prepare, settled, simulate, tagId, timeline } from '../support/scrm.js';

/**
 * What the outside probe found (hardening issue, item 2): an add and a deletion of one relation racing, and an add
 * WeCom does not confirm. Events of a relation are applied in WeCom's order, and an add counts only what WeCom's own
 * profile confirms: the channel's statistics, the rep's daily count and the timeline always agree with each other.
 */
let app: App;
afterEach(async () => app?.close());

async function channelCode() {
  const res = await admin(app, 'POST', '/api/channels', {
    name: '竞态测试码',
    reps: ['zhangwei'],
    dailyCap: 50,
    tagIds: [await tagId(app, '潜在客户')],
    welcome: { text: '{客户昵称}您好' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; state: string };
}

/** An event's XML as WeCom delivers it: sealed with the corp's token and key, to the callback URL. */
function sealedEvent(xml: string) {
  const sealed = sealCallback(
    { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: DEMO_CORP.corpId },
    xml,
  );
  return {
    url: `/wecom/callback/${DEMO_CORP.corpId}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
    body: `<xml><ToUserName><![CDATA[${DEMO_CORP.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt></xml>`,
    headers: { 'content-type': 'text/xml' },
  };
}

async function stats(channelId: number) {
  const today = localDay(Date.now(), DEFAULT_TIME_ZONE);
  const res = await admin(app, 'GET', `/api/channels/${channelId}/stats?from=${today}&to=${today}`);
  return (res.json() as { totals: { adds: number; losses: number } }).totals;
}

async function dailyCount(channelId: number, userId: string) {
  const { repDailyAdds: d } = app.db.t;
  const rows = await app.db
    .select({ count: d.count })
    .from(d)
    .where(and(eq(d.corpId, CORP), eq(d.channelId, channelId), eq(d.userId, userId)));
  return rows.reduce((n, r) => n + r.count, 0);
}

describe('an add and a deletion of one relation racing', () => {
  it('with externalcontact/get delayed 3 s, add then delete at once: counts, daily cap and timeline agree', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await channelCode();
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: '/cgi-bin/externalcontact/get', count: 1, delayMs: 3_000 },
    });
    const added = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: channel.state });
    await simulate(app, { changeType: 'del_follow_user', userId: 'zhangwei', externalUserId: added.externalUserId });
    await settled(app, added.externalUserId);

    const totals = await stats(channel.id);
    const items = (await timeline(app, added.externalUserId)).map((i) => i.kind);
    // Either the add was confirmed and the loss counted after it, or WeCom no longer confirmed the add and
    // neither counts; never an add without its loss (the probe's adds +1, losses 0).
    expect(totals.losses).toBe(totals.adds);
    expect(await dailyCount(channel.id, 'zhangwei')).toBe(totals.adds);
    expect(items.includes('added')).toBe(totals.adds === 1);
    expect(items.includes('lost')).toBe(totals.losses === 1);
  });

  it('a deletion delivered before its add (the add retried late) is applied after it, in CreateTime order', async () => {
    // One app takes callbacks without working them; a second one on the same database works them afterwards.
    const config = testConfig({ worker: { concurrency: 0 } });
    app = await startApp(config);
    await prepare(app);
    const channel = await channelCode();
    const added = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: channel.state });
    const { events } = app.db.t;
    // As if the add had not reached us yet: its first delivery is lost, WeCom will retry it.
    const [addRow] = await app.db
      .delete(events)
      .where(eq(events.lane, `${CORP}|${added.externalUserId}`))
      .returning();
    await simulate(app, { changeType: 'del_follow_user', userId: 'zhangwei', externalUserId: added.externalUserId });
    const late = sealedEvent(addRow!.rawXml);
    const res = await app.inject({ method: 'POST', url: late.url, payload: late.body, headers: late.headers });
    expect(res.statusCode).toBe(200);
    const queued = await app.db
      .select()
      .from(events)
      .where(eq(events.lane, `${CORP}|${added.externalUserId}`));
    expect(queued.map((e) => e.eventType)).toEqual([
      'change_external_contact/del_follow_user',
      'change_external_contact/add_external_contact',
    ]);

    const worker = await startApp({ ...config, worker: { ...config.worker, concurrency: 8 } });
    try {
      await waitFor(async () => {
        const rows = await worker.db
          .select()
          .from(events)
          .where(eq(events.lane, `${CORP}|${added.externalUserId}`));
        return rows.every((r) => r.status !== 'pending' && r.status !== 'running') && rows;
      }, 'both events to be handled');
      const rows = await worker.db
        .select()
        .from(events)
        .where(eq(events.lane, `${CORP}|${added.externalUserId}`));
      const byProcessing = [...rows].sort((a, b) => a.processedAt! - b.processedAt!).map((r) => r.eventType);
      expect(byProcessing).toEqual([
        'change_external_contact/add_external_contact',
        'change_external_contact/del_follow_user',
      ]);
      const totals = await stats(channel.id);
      expect(totals.losses).toBe(totals.adds);
      expect(await dailyCount(channel.id, 'zhangwei')).toBe(totals.adds);
    } finally {
      await worker.close();
    }
  });

  it('a validly signed add naming a rep who does not follow the customer counts nothing', async () => {
    app = await startApp();
    await prepare(app);
    const channel = await channelCode();
    // A real customer of zhangwei; the forged-by-WeCom event claims lina added them through the channel.
    const real = await simulate(app, { changeType: 'add_external_contact', userId: 'zhangwei', state: channel.state });
    await settled(app, real.externalUserId);
    const before = await stats(channel.id);
    const forged = sealedEvent(
      buildExternalContactEventXml({
        corpId: DEMO_CORP.corpId,
        changeType: 'add_external_contact',
        userId: 'lina',
        externalUserId: real.externalUserId,
        createTime: Math.floor(Date.now() / 1000) + 1,
        state: channel.state,
        welcomeCode: 'WELCOME-NOT-ISSUED',
      }),
    );
    const res = await app.inject({ method: 'POST', url: forged.url, payload: forged.body, headers: forged.headers });
    expect(res.statusCode).toBe(200);
    const { events } = app.db.t;
    const [event] = await waitFor(async () => {
      const rows = await app.db
        .select()
        .from(events)
        .where(and(eq(events.eventType, 'change_external_contact/add_external_contact'), eq(events.status, 'ignored')));
      return rows.length > 0 && rows;
    }, 'the unconfirmed add to be handled');
    expect(event!.lastError).toMatch(/does not confirm/);
    expect(await stats(channel.id)).toEqual(before);
    expect(await dailyCount(channel.id, 'lina')).toBe(0);
    const linaItems = (await timeline(app, real.externalUserId)).filter((i) => i.kind === 'added');
    expect(linaItems).toHaveLength(1); // zhangwei's real add only
    const { follows } = app.db.t;
    const linaFollow = await app.db
      .select()
      .from(follows)
      .where(and(eq(follows.externalUserId, real.externalUserId), eq(follows.userId, 'lina')));
    expect(linaFollow).toEqual([]);
  });
});
