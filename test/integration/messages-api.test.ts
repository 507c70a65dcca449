import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, MessagePage, SentMessage } from '../../shared/schemas/messages.js';
import type { App } from '../../server/app.js';
import { waitFor } from '../support/app.js';
import {
  archiveSettled,
  chat,
  CORP,
  deliverEvent,
  deliverNotify,
  jobsOfKind,
  messageRows,
  openStream,
  pullNow,
  startArchiveApp,
} from '../support/archive.js';
import { adminCall, login, repClient, sharedCustomers, type RepClient } from '../support/sidebar.js';

/**
 * The rep's chat history API on the run's backend, fed through the real archive (stand-in SDK ← emulator): pages,
 * search within the chat, message types and media, recalls, sends from the sidebar reconciled with their archived
 * copies, consent, the live stream, and who may read what.
 */

describe('the chat history API', () => {
  let app: App;
  let origin: string;
  let repA: string;
  let repB: string;
  let shared: string;
  let onlyA: string;
  let a: RepClient;
  let b: RepClient;
  let cookieA: string;

  const page = async (client: RepClient, customer: string, query = '') => {
    const res = await client.get(`/api/customers/${customer}/messages${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as MessagePage;
  };

  beforeAll(async () => {
    app = await startArchiveApp();
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const snapshot = app.emulator!.snapshot();
    const reps = snapshot.reps.map((r) => r.userid);
    // Two reps who share a customer; rep A also has a customer of their own.
    for (const x of reps) {
      for (const y of reps) {
        if (x === y) continue;
        const both = await sharedCustomers(app, x, y);
        const mine = snapshot.customers
          .filter((c) => c.follow_user.some((f) => f.userid === x) && !c.follow_user.some((f) => f.userid === y))
          .map((c) => c.external_userid);
        if (both.length > 0 && mine.length > 0) {
          [repA, repB, shared, onlyA] = [x, y, both[0]!, mine[0]!];
          break;
        }
      }
      if (repA) break;
    }
    cookieA = await login(app, repA);
    a = repClient(app, cookieA);
    b = repClient(app, await login(app, repB));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('pages the chat backwards, newest at the bottom, with every type made readable and media fetched', async () => {
    const first = await chat(app, { from: onlyA, to: repA, text: '你好，请问扫地机器人X9还有货吗？' });
    await chat(app, { from: repA, to: onlyA, text: '有的，今天下单明天就能发货。' });
    await chat(app, { from: onlyA, to: repA, msgtype: 'image' });
    await chat(app, { from: onlyA, to: repA, msgtype: 'voice', content: { play_length: 5 } });
    await chat(app, {
      from: repA,
      to: onlyA,
      msgtype: 'file',
      content: { filename: 'X9报价单.pdf', filesize: 1_300_000 },
    });
    await chat(app, { from: repA, to: onlyA, msgtype: 'link' });
    await chat(app, { from: onlyA, to: repA, msgtype: 'location' });
    await chat(app, { from: onlyA, to: repA, msgtype: 'mixed', text: '看看这款：' });
    await chat(app, { from: repA, to: onlyA, text: '这条发错了' });
    const recalled = (await messageRows(app)).length; // (nothing stored yet: the pull comes below)
    expect(recalled).toBe(0);
    const wrong = await chat(app, { from: repA, to: onlyA, text: '稍后给您打电话' });
    await chat(app, { from: repA, to: onlyA, msgtype: 'revoke', preMsgid: wrong.msgid });
    await pullNow(app, 60_000);

    const newest = await page(a, onlyA, '?limit=4');
    expect(newest.items.map((m) => m.text)).toEqual([
      '[位置] 人民广场 上海市黄浦区人民大道200号',
      '看看这款：[图片]',
      '这条发错了',
      '稍后给您打电话',
    ]);
    expect(newest.items.at(-1)!.recalled).toBe(true);
    expect(newest.nextCursor).not.toBeNull();
    const older = await page(a, onlyA, `?limit=4&cursor=${newest.nextCursor}`);
    expect(older.items.map((m) => m.type)).toEqual(['image', 'voice', 'file', 'link']);
    const oldest = await page(a, onlyA, `?limit=4&cursor=${older.nextCursor}`);
    expect(oldest.items.map((m) => m.text)).toEqual([
      '你好，请问扫地机器人X9还有货吗？',
      '有的，今天下单明天就能发货。',
    ]);
    expect(oldest.nextCursor).toBeNull();
    expect(oldest.items[0]).toMatchObject({
      msgid: first.msgid,
      direction: 'customer_to_rep',
      source: 'archive',
      archived: true,
    });
    expect(oldest.items[0]!.sender).toMatchObject({ id: onlyA, kind: 'customer' });

    const voice = older.items[1]!;
    expect(voice.text).toBe('[语音] 5秒');
    const file = older.items[2]!;
    expect(file.text).toBe('[文件] X9报价单.pdf');
    // 1.3 MB in 512 KB pieces: three GetMediaData calls, checked against the message's md5.
    expect(file.media).toEqual([
      expect.objectContaining({
        kind: 'file',
        status: 'stored',
        size: 1_300_000,
        mime: 'application/pdf',
        name: 'X9报价单.pdf',
      }),
    ]);
    expect(JSON.stringify(file.content)).not.toContain('sdkfileid');
    const download = await a.get(file.media[0]!.url!);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.length).toBe(1_300_000);
    const { messageMedia } = app.db.t;
    const [ref] = await app.db.select().from(messageMedia).where(eq(messageMedia.messageId, file.id));
    const pieces = app
      .emulator!.calls('/finance-sdk/media')
      .filter((c) => (c.body as { sdkfileid?: string }).sdkfileid === ref!.sdkFileId);
    expect(pieces.map((c) => (c.body as { indexbuf: string }).indexbuf)).toEqual([
      '',
      'offset:524288',
      'offset:1048576',
    ]);
    expect(older.items[0]!.media[0]).toMatchObject({ kind: 'image', status: 'stored', mime: 'image/png' });

    // Search within the chat: a 2-character word, segmented on both sides.
    const found = await page(a, onlyA, `?q=${encodeURIComponent('发货')}`);
    expect(found.items.map((m) => m.text)).toEqual(['有的，今天下单明天就能发货。']);
    // Letters and digits: the model number in a sentence and in a file name.
    const model = await page(a, onlyA, `?q=x9`);
    expect(model.items.map((m) => m.type)).toEqual(['text', 'file']);
    expect((await a.get(`/api/customers/${onlyA}/messages?q=${encodeURIComponent('，。')}`)).statusCode).toBe(400);
  }, 120_000);

  it('lets a rep read only their own chats: 403 for another rep, media included, and the timeline shows their own', async () => {
    await chat(app, { from: shared, to: repA, text: 'A的会话：我想要退货' });
    await chat(app, { from: shared, to: repB, text: 'B的会话：什么时候到货？' });
    await chat(app, { from: shared, to: repA, msgtype: 'image' });
    await pullNow(app);

    const forbidden = await b.get(`/api/customers/${onlyA}/messages`);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: 'forbidden', message: '这不是你跟进的客户' });
    expect((await b.get(`/api/customers/${onlyA}/messages/stream`)).statusCode).toBe(403);
    expect((await b.post(`/api/customers/${onlyA}/messages`, { text: '你好' })).statusCode).toBe(403);

    // The same customer: each rep sees their own chat with them.
    expect((await page(a, shared)).items.map((m) => m.text)).toEqual(['A的会话：我想要退货', '[图片]']);
    expect((await page(b, shared)).items.map((m) => m.text)).toEqual(['B的会话：什么时候到货？']);

    const image = (await page(a, shared)).items[1]!.media[0]!;
    expect((await a.get(image.url!)).statusCode).toBe(200);
    expect((await b.get(image.url!)).statusCode).toBe(403);
    expect((await adminCall(app, 'GET', image.url!)).statusCode).toBe(200);
    expect((await a.get(`/api/media/${'0'.repeat(64)}`)).statusCode).toBe(404);

    const timeline = (client: RepClient) =>
      client
        .get(`/api/customers/${shared}/timeline?filter=messages`)
        .then((r) => r.json().items as { content: string }[]);
    expect((await timeline(a)).map((i) => i.content)).toEqual(['[图片]', 'A的会话：我想要退货']);
    expect((await timeline(b)).map((i) => i.content)).toEqual(['B的会话：什么时候到货？']);
  }, 60_000);

  it('records a sidebar send at once and keeps one message when its archived copy arrives (either order)', async () => {
    const sent = await a.post(`/api/customers/${onlyA}/messages`, { text: '您好，X9今天有活动价 2999 元' });
    expect(sent.statusCode, sent.body).toBe(201);
    const { message, chatMessage } = sent.json() as SentMessage;
    expect(chatMessage).toEqual({ msgtype: 'text', text: { content: '您好，X9今天有活动价 2999 元' } });
    expect(message).toMatchObject({ source: 'sidebar', archived: false, direction: 'rep_to_customer' });
    expect(message.msgid).toMatch(/^sidebar:/);

    const archived = await chat(app, { from: repA, to: onlyA, text: '您好，X9今天有活动价  2999 元' });
    // A different message from the rep at the same time stays a message of its own.
    await chat(app, { from: repA, to: onlyA, text: '另外赠送一年延保' });
    await pullNow(app);
    const items = (await page(a, onlyA)).items;
    const same = items.filter((m) => m.text.includes('活动价'));
    expect(same).toHaveLength(1);
    expect(same[0]).toMatchObject({ id: message.id, msgid: archived.msgid, source: 'sidebar', archived: true });
    expect(items.at(-1)!.text).toBe('另外赠送一年延保');

    // The archive first, the sidebar's record after: the archived copy is claimed, nothing is added.
    const copy = await chat(app, { from: repA, to: onlyA, text: '好的，稍后发您物流单号' });
    await pullNow(app);
    const late = (
      await a.post(`/api/customers/${onlyA}/messages`, { text: '好的，稍后发您物流单号' })
    ).json() as SentMessage;
    expect(late.message).toMatchObject({ msgid: copy.msgid, source: 'sidebar', archived: true });
    expect((await page(a, onlyA)).items.filter((m) => m.text === '好的，稍后发您物流单号')).toHaveLength(1);

    // A script sent from the sidebar is recorded the same way.
    const scripts = await adminCall(app, 'POST', '/api/script-groups', { name: '测试话术' });
    const script = await adminCall(app, 'POST', '/api/scripts', {
      groupId: scripts.json().id,
      title: '发货说明',
      kind: 'text',
      content: '亲，我们48小时内发货，顺丰包邮。',
    });
    const send = await a.post(`/api/scripts/${script.json().id}/sends`, { externalUserId: onlyA });
    expect(send.statusCode, send.body).toBe(201);
    await chat(app, { from: repA, to: onlyA, text: '亲，我们48小时内发货，顺丰包邮。' });
    await pullNow(app);
    const scripted = (await page(a, onlyA)).items.filter((m) => m.text.startsWith('亲，我们48小时'));
    expect(scripted).toHaveLength(1);
    expect(scripted[0]).toMatchObject({ source: 'sidebar', archived: true });
  }, 60_000);

  it('streams new and changed messages within 2 s of the notify', async () => {
    const { version } = await page(a, onlyA);
    const stream = await openStream(`${origin}/api/customers/${onlyA}/messages/stream?since=${version}`, {
      cookie: cookieA,
    });
    try {
      expect(stream.status).toBe(200);
      await stream.next((e) => e.event === 'ready');
      const live = await chat(app, { from: onlyA, to: repA, text: '刚刚付款了，麻烦尽快发货' });
      const notifiedAt = performance.now();
      expect(await deliverNotify(app)).toBe(200);
      const event = await stream.next((e) => e.event === 'message' && (e.data as Message).msgid === live.msgid);
      expect(event.at - notifiedAt).toBeLessThan(2000);
      expect(Number(event.id)).toBe((event.data as Message).rev);

      // A recall changes a message the stream already sent: it comes again, recalled.
      await chat(app, { from: onlyA, to: repA, msgtype: 'revoke', preMsgid: live.msgid });
      await deliverNotify(app, Math.floor(Date.now() / 1000) + 1);
      const again = await stream.next(
        (e) => e.event === 'message' && (e.data as Message).msgid === live.msgid && (e.data as Message).recalled,
      );
      expect((again.data as Message).id).toBe((event.data as Message).id);

      // Only a client that reads event streams gets one.
      const plain = await a.get(`/api/customers/${onlyA}/messages/stream`);
      expect(plain.statusCode).toBe(406);
      expect(plain.json().message).toContain('EventSource');

      // A reconnect with Last-Event-ID gets what it missed, nothing more.
      const missed = await chat(app, { from: onlyA, to: repA, text: '在吗？' });
      await pullNow(app);
      const resumed = await openStream(`${origin}/api/customers/${onlyA}/messages/stream`, {
        cookie: cookieA,
        'last-event-id': again.id!,
      });
      const first = await resumed.next((e) => e.event === 'message');
      expect((first.data as Message).msgid).toBe(missed.msgid);
      await resumed.close();
    } finally {
      await stream.close();
    }
  }, 60_000);

  it('pulls a chat someone has open without waiting for msgaudit_notify (WeCom sends one per 15 s at most)', async () => {
    const { version } = await page(a, onlyA);
    const stream = await openStream(`${origin}/api/customers/${onlyA}/messages/stream?since=${version}`, {
      cookie: cookieA,
    });
    try {
      await stream.next((e) => e.event === 'ready');
      const notifies = app.emulator!.archive.notifies().length;
      // Archived without a notify, and no pull asked for (cron is off in tests): only the live pull can bring it.
      const live = await chat(app, { from: onlyA, to: repA, text: '还有一个问题，能开专票吗？' });
      const event = await stream.next((e) => e.event === 'message' && (e.data as Message).msgid === live.msgid);
      expect((event.data as Message).text).toBe('还有一个问题，能开专票吗？');
      expect(app.emulator!.archive.notifies().length).toBe(notifies);
      const pulls = (await jobsOfKind(app, 'archive_pull')).filter((j) => String(j.dedupeKey).startsWith('live:'));
      expect(pulls.length).toBeGreaterThan(0);
    } finally {
      await stream.close();
    }
    // Nobody watching: no more live pulls are queued.
    await archiveSettled(app);
    const before = (await jobsOfKind(app, 'archive_pull')).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await jobsOfKind(app, 'archive_pull')).length).toBe(before);
  }, 60_000);

  it('keeps consent per customer and rep: agree/disagree records, msg_audit_approved, and WeCom’s answer', async () => {
    await archiveSettled(app);
    // Pairs seen in chats were asked about (check_single_agree): the emulator archives until the customer chooses.
    expect((await page(a, shared)).consent.status).toBe('default_agree');
    const checks = app.emulator!.calls('/cgi-bin/msgaudit/check_single_agree');
    expect(checks.length).toBeGreaterThan(0);

    await chat(app, { from: onlyA, to: repA, msgtype: 'disagree' });
    await pullNow(app);
    expect((await page(a, onlyA)).consent.status).toBe('disagree');

    expect(
      await deliverEvent(app, {
        Event: 'change_external_contact',
        ChangeType: 'msg_audit_approved',
        UserID: repA,
        ExternalUserID: onlyA,
      }),
    ).toBe(200);
    await waitFor(async () => (await page(a, onlyA)).consent.status === 'agree', 'the approval event');
    const history = await page(a, onlyA);
    expect(history.items.at(-1)!.text).toBe('[拒绝存档] 客户不同意会话内容存档');
    expect(CORP).toBeTruthy();
  }, 60_000);
});
