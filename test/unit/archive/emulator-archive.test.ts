import { createDecipheriv, createHash, createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rsaDecryptPkcs1v15 } from '../../../server/archive/pkcs1.js';
import { ARCHIVE_MSG_TYPES, TINY_PNG } from '../../../server/emulator/archive-messages.js';
import type { ArchiveChatData } from '../../../server/emulator/archive.js';
import { createEmulator, DEMO_CORP, type EmulatorOptions } from '../../../server/emulator/index.js';
import { openCallback } from '../../../server/wecom/crypto.js';
import { parseEnvelope, parseEvent } from '../../../server/wecom/events.js';
import {
  BASE_MS,
  buildEmulatorApp,
  CRED,
  ORIGIN,
  startReceiver,
  type CallbackReceiver,
  type TestEmulator,
} from '../emulator/helpers.js';
import { ARCHIVE_TEST_KEY } from './fixtures/keys.js';

type Json = Record<string, unknown>;

/** Opens an archived item the way the SDK's user does, in plain Node: RSA (PKCS#1 v1.5), then AES-256-CBC. */
function openItem(item: ArchiveChatData, privateKeys: Record<number, string>): Json {
  const pem = privateKeys[item.publickey_ver];
  if (!pem) throw new Error(`no key ${item.publickey_ver}`);
  const randomKey = rsaDecryptPkcs1v15(createPrivateKey(pem), Buffer.from(item.encrypt_random_key, 'base64'));
  if (!randomKey) throw new Error('random key does not open');
  expect(randomKey.toString('latin1')).toMatch(/^[A-Za-z0-9]{32}$/);
  const d = createDecipheriv('aes-256-cbc', randomKey, randomKey.subarray(0, 16));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(Buffer.from(item.encrypt_chat_msg, 'base64')), d.final()]);
  const pad = plain.at(-1) ?? 0;
  expect(pad).toBeGreaterThanOrEqual(1);
  expect(pad).toBeLessThanOrEqual(32);
  expect(plain.length % 32).toBe(0);
  return JSON.parse(plain.subarray(0, plain.length - pad).toString('utf8')) as Json;
}

describe('emulator: the chat archive', () => {
  let t: TestEmulator;
  let receiver: CallbackReceiver;
  let customer: string;
  let rep: string;
  let otherRep: string;

  beforeEach(async () => {
    receiver = await startReceiver();
    t = await buildEmulatorApp({
      callbackUrl: () => receiver.url,
      archive: { notifyWindowMs: 0, keyPair: ARCHIVE_TEST_KEY },
    });
    const snapshot = t.emulator.snapshot();
    const c = snapshot.customers.find((x) => x.follow_user.length > 0)!;
    customer = c.external_userid;
    rep = c.follow_user[0]!.userid;
    otherRep = snapshot.reps.find((r) => r.userid !== rep)!.userid;
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  const chat = (payload: Json) => t.app.inject({ method: 'POST', url: '/emulator/_chat', payload });
  const sdk = async (op: string, fields: Record<string, string>) => {
    const { secret } = await t.emulator.archive.credentials();
    return t.app.inject({
      method: 'POST',
      url: `/emulator/finance-sdk/${op}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ corpid: DEMO_CORP.corpId, secret, ...fields }).toString(),
    });
  };
  const pull = async (seq = 0, limit = 1000): Promise<ArchiveChatData[]> => {
    const res = await sdk('chatdata', { seq: String(seq), limit: String(limit) });
    expect(res.headers['x-finance-ret']).toBe('0');
    const body = res.json() as { errcode: number; errmsg: string; chatdata: ArchiveChatData[] };
    expect(body.errcode).toBe(0);
    return body.chatdata;
  };
  const opened = async (seq = 0) => {
    const { privateKeys } = await t.emulator.archive.credentials();
    return (await pull(seq)).map((item) => openItem(item, privateKeys));
  };

  it('archives a message: {msgid, seq} back, the item encrypted for the current key as WeCom does', async () => {
    const res = await chat({ from: customer, to: rep, text: '你好，请问有优惠吗？' });
    expect(res.statusCode).toBe(200);
    const { msgid, seq } = res.json() as { msgid: string; seq: number };
    expect(seq).toBe(1);
    expect(msgid).toMatch(/^[A-Za-z0-9+/]{31}=_external$/);
    const [item] = await pull();
    expect(item).toMatchObject({ seq: 1, msgid, publickey_ver: 1 });
    expect(Buffer.from(item!.encrypt_random_key, 'base64')).toHaveLength(256);
    expect(openItem(item!, (await t.emulator.archive.credentials()).privateKeys)).toEqual({
      msgid,
      action: 'send',
      from: customer,
      tolist: [rep],
      roomid: '',
      msgtime: BASE_MS,
      msgtype: 'text',
      text: { content: '你好，请问有优惠吗？' },
    });
    const internal = (await chat({ from: rep, to: otherRep, text: '客户要报价' })).json() as { msgid: string };
    expect(internal.msgid).not.toMatch(/_external$/);
  });

  it('gives seq in order, and GetChatData returns from seq + 1, at most limit', async () => {
    for (let i = 0; i < 5; i++) await chat({ from: rep, to: customer, text: `第${i}条`, notify: false });
    expect((await pull(0)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await pull(2, 2)).map((m) => m.seq)).toEqual([3, 4]);
    expect(await pull(5)).toEqual([]);
    for (const limit of ['0', '1001', 'x']) {
      expect((await sdk('chatdata', { seq: '0', limit })).headers['x-finance-ret']).toBe('10000');
    }
  });

  it('builds every message type of §6.3 with its object, media stored with their md5', async () => {
    const { msgid: firstId } = (await chat({ from: customer, to: rep, text: '先发一条' })).json() as { msgid: string };
    const picture = Buffer.concat([TINY_PNG, Buffer.from('x')]);
    for (const msgtype of ARCHIVE_MSG_TYPES) {
      const payload: Json =
        msgtype === 'revoke'
          ? { from: customer, to: rep, msgtype, preMsgid: firstId }
          : msgtype === 'switch'
            ? { from: rep, msgtype }
            : msgtype === 'image'
              ? { from: customer, to: rep, image: `data:image/png;base64,${picture.toString('base64')}` }
              : { from: customer, to: rep, msgtype, text: '文字' };
      const res = await chat(payload);
      expect(res.statusCode, `${msgtype}: ${res.body}`).toBe(200);
    }
    const messages = await opened(1);
    expect(messages.map((m) => m.msgtype ?? m.action)).toEqual(
      ARCHIVE_MSG_TYPES.map((x) => (x === 'switch' ? 'switch' : x)),
    );
    const byType = new Map(messages.map((m) => [(m.msgtype ?? m.action) as string, m]));
    expect(byType.get('text')?.text).toEqual({ content: '文字' });
    expect(byType.get('revoke')).toMatchObject({ action: 'recall', revoke: { pre_msgid: firstId } });
    expect(byType.get('agree')).toMatchObject({ from: customer, agree: { userid: customer, agree_time: BASE_MS } });
    expect(byType.get('disagree')).toMatchObject({ disagree: { userid: customer, disagree_time: BASE_MS } });
    expect(byType.get('switch')).toEqual({ msgid: expect.any(String), action: 'switch', time: BASE_MS, user: rep });
    expect(Object.keys(byType.get('link')!.link as Json).sort()).toEqual([
      'description',
      'image_url',
      'link_url',
      'title',
    ]);
    expect(Object.keys(byType.get('weapp')!.weapp as Json).sort()).toEqual([
      'description',
      'displayname',
      'title',
      'username',
    ]);
    expect(Object.keys(byType.get('location')!.location as Json).sort()).toEqual([
      'address',
      'latitude',
      'longitude',
      'title',
      'zoom',
    ]);
    expect(byType.get('card')!.card).toEqual({ corpname: '星河优选', userid: 'zhangwei' });
    const mixed = byType.get('mixed')!.mixed as { item: { type: string; content: string }[] };
    expect(mixed.item.map((i) => [i.type, Object.keys(JSON.parse(i.content) as Json).sort()])).toEqual([
      ['text', ['content']],
      ['image', ['filesize', 'md5sum', 'sdkfileid']],
    ]);
    const record = byType.get('chatrecord')!.chatrecord as { item: Json[] };
    expect(Object.keys(record.item[0]!).sort()).toEqual(['content', 'from_chatroom', 'msgtime', 'type']);

    // Media: sizes and md5 as served in pieces by the SDK's media call.
    const image = byType.get('image')!.image as { sdkfileid: string; md5sum: string; filesize: number };
    expect(image.filesize).toBe(picture.length);
    expect(image.md5sum).toBe(createHash('md5').update(picture).digest('hex'));
    const res = await sdk('media', { sdkfileid: image.sdkfileid, indexbuf: '' });
    expect(res.headers['x-finance-ret']).toBe('0');
    expect(res.headers['x-finance-is-finish']).toBe('1');
    expect(res.rawPayload).toEqual(picture);
    const file = byType.get('file')!.file as Json;
    expect(file).toMatchObject({ filename: '产品报价单.pdf', fileext: 'pdf', filesize: 24_000 });
    const voice = byType.get('voice')!.voice as Json;
    expect(Object.keys(voice).sort()).toEqual(['md5sum', 'play_length', 'sdkfileid', 'voice_size']);
    const video = byType.get('video')!.video as Json;
    expect(Object.keys(video).sort()).toEqual(['filesize', 'md5sum', 'play_length', 'sdkfileid']);
    const emotion = byType.get('emotion')!.emotion as Json;
    expect(Object.keys(emotion).sort()).toEqual(['height', 'imagesize', 'md5sum', 'sdkfileid', 'type', 'width']);
  });

  it('serves a media file in pieces of 512 KB with an index, until is_finish', async () => {
    await chat({ from: rep, to: customer, msgtype: 'file', content: { filename: '合同.pdf', filesize: 1_300_000 } });
    const [message] = await opened();
    const file = message!.file as { sdkfileid: string; md5sum: string; filesize: number };
    const pieces: Buffer[] = [];
    let index = '';
    for (;;) {
      const res = await sdk('media', { sdkfileid: file.sdkfileid, indexbuf: index });
      expect(res.headers['x-finance-ret']).toBe('0');
      pieces.push(res.rawPayload);
      if (res.headers['x-finance-is-finish'] === '1') break;
      index = res.headers['x-finance-outindexbuf'] as string;
    }
    expect(pieces.map((p) => p.length)).toEqual([524_288, 524_288, 251_424]);
    const whole = Buffer.concat(pieces);
    expect(createHash('md5').update(whole).digest('hex')).toBe(file.md5sum);
    expect(whole.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await sdk('media', { sdkfileid: 'nope', indexbuf: '' })).headers['x-finance-ret']).toBe('10005');
    expect((await sdk('media', { sdkfileid: file.sdkfileid, indexbuf: 'offset:x' })).headers['x-finance-ret']).toBe(
      '10000',
    );
    expect(
      (await sdk('media', { sdkfileid: file.sdkfileid, indexbuf: 'offset:9999999' })).headers['x-finance-ret'],
    ).toBe('10000');
  });

  it('group chats: tolist is the other members, roomid the group', async () => {
    const room = t.emulator.snapshot().groupChats[0]!;
    const sender = room.member_list[0]!.userid;
    const res = await chat({ from: sender, roomId: room.chat_id, text: '大家好' });
    expect(res.statusCode).toBe(200);
    const [message] = await opened();
    expect(message).toMatchObject({
      from: sender,
      roomid: room.chat_id,
      tolist: room.member_list.slice(1).map((m) => m.userid),
    });
    expect((res.json() as { msgid: string }).msgid).toMatch(/_external$/);
  });

  it('refuses chats WeCom would not archive, saying why', async () => {
    const otherCustomer = t.emulator.snapshot().customers.find((c) => !c.follow_user.some((f) => f.userid === rep))!;
    const room = t.emulator.snapshot().groupChats[0]!;
    const outsider = t.emulator.snapshot().reps.find((r) => !room.member_list.some((m) => m.userid === r.userid))!;
    const cases: [Json, RegExp][] = [
      [{ from: 'nobody', to: rep, text: 'x' }, /unknown sender "nobody"/],
      [{ from: rep, to: 'nobody', text: 'x' }, /unknown recipient "nobody"/],
      [{ from: rep, to: customer, roomId: room.chat_id, text: 'x' }, /exactly one of to \(1:1 chat\) and roomId/],
      [{ from: rep, text: 'x' }, /exactly one of to/],
      [{ from: customer, to: otherCustomer.external_userid, text: 'x' }, /one side must be a rep/],
      [{ from: otherCustomer.external_userid, to: rep, text: 'x' }, /is not a customer of/],
      [{ from: rep, to: customer }, /text is required/],
      [{ from: rep, to: customer, msgtype: 'todo' }, /msgtype must be one of/],
      [{ from: rep, to: customer, msgtype: 'revoke' }, /preMsgid is required/],
      [{ from: rep, to: customer, msgtype: 'revoke', preMsgid: 'x' }, /preMsgid x is not an archived message/],
      [{ from: rep, to: customer, image: 'not a picture!' }, /image must be base64/],
      [{ from: rep, to: customer, msgtype: 'agree' }, /made by the external contact/],
      [{ from: rep, to: customer, msgtype: 'switch' }, /a switch record has no to or roomId/],
      [{ from: customer, msgtype: 'switch' }, /a switch record is made by a rep/],
      [{ from: rep, to: customer, text: 'x', publickeyVer: 7 }, /publickeyVer 7 is not a registered key version/],
      [{ from: rep, roomId: 'wrUnknown', text: 'x' }, /unknown roomId/],
      [{ from: outsider.userid, roomId: room.chat_id, text: 'x' }, new RegExp(`${outsider.userid} is not a member`)],
      [{ from: rep, to: customer, msgtype: 'file', content: { filesize: 30_000_000 } }, /content.filesize must be/],
    ];
    for (const [payload, message] of cases) {
      const res = await chat(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect((res.json() as { message: string }).message).toMatch(message);
    }
    expect(await pull()).toEqual([]);
  });

  it('sends msgaudit_notify through the encrypted callback, as WeCom does', async () => {
    await chat({ from: customer, to: rep, text: '在吗' });
    expect(receiver.received).toHaveLength(1);
    const cb = receiver.received[0]!;
    const envelope = parseEnvelope(cb.body);
    const xml = openCallback(
      CRED,
      { msgSignature: cb.query.msg_signature!, timestamp: cb.query.timestamp!, nonce: cb.query.nonce! },
      envelope.encrypt,
    );
    expect(parseEvent(xml)).toMatchObject({ kind: 'msgaudit_notify', agentId: String(DEMO_CORP.agentId) });
    expect(xml).toContain('<FromUserName><![CDATA[sys]]></FromUserName>');
    expect(t.emulator.archive.notifies()).toEqual([
      { at: BASE_MS, lastSeq: 1, attempts: [expect.objectContaining({ status: 200 })] },
    ]);
    await chat({ from: customer, to: rep, text: '不通知', notify: false });
    expect(receiver.received).toHaveLength(1);
  });

  it('sends at most one notify per window: chats inside it wait for the one at its end', async () => {
    const windowed = await buildEmulatorApp({
      callbackUrl: () => receiver.url,
      archive: { notifyWindowMs: 400, keyPair: ARCHIVE_TEST_KEY },
    });
    try {
      await windowed.emulator.archive.credentials();
      const send = (text: string) =>
        windowed.app.inject({ method: 'POST', url: '/emulator/_chat', payload: { from: customer, to: rep, text } });
      const started = performance.now();
      expect((await send('一')).statusCode).toBe(200);
      expect(performance.now() - started).toBeLessThan(300);
      const [a, b] = await Promise.all([send('二'), send('三')]);
      const waited = performance.now() - started;
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      expect(waited).toBeGreaterThanOrEqual(380);
      expect(receiver.received).toHaveLength(2);
      expect(windowed.emulator.archive.notifies().map((n) => n.lastSeq)).toEqual([1, 3]);
    } finally {
      await windowed.close();
    }
  });

  it('answers the consent APIs: Default_Agree until the customer chooses, then Agree or Disagree', async () => {
    const { secret } = await t.emulator.archive.credentials();
    const token = await t.get('/cgi-bin/gettoken', { corpid: DEMO_CORP.corpId, corpsecret: secret, access_token: '' });
    expect(token.errcode).toBe(0);
    const check = () =>
      t.post('/cgi-bin/msgaudit/check_single_agree', { info: [{ userid: rep, exteranalopenid: customer }] });
    expect((await check()).agreeinfo).toEqual([
      { status_change_time: expect.any(Number), userid: rep, exteranalopenid: customer, agree_status: 'Default_Agree' },
    ]);
    expect((await chat({ from: customer, to: rep, msgtype: 'disagree' })).statusCode).toBe(200);
    expect((await check()).agreeinfo).toEqual([
      { status_change_time: BASE_MS / 1000, userid: rep, exteranalopenid: customer, agree_status: 'Disagree' },
    ]);
    const refused = await chat({ from: rep, to: customer, text: '还在吗' });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as { message: string }).message).toMatch(/disagreed to archiving/);
    expect((await chat({ from: customer, to: rep, msgtype: 'agree' })).statusCode).toBe(200);
    expect(((await check()).agreeinfo as Json[])[0]!.agree_status).toBe('Agree');
    expect((await chat({ from: rep, to: customer, text: '还在吗' })).statusCode).toBe(200);

    const bad = await t.post('/cgi-bin/msgaudit/check_single_agree', {
      info: [{ userid: rep, exteranalopenid: 'wmNo' }],
    });
    expect(bad.errcode).toBe(40096);
    expect((await t.post('/cgi-bin/msgaudit/check_single_agree', { info: [] })).errcode).toBe(40058);
    const permit = await t.post('/cgi-bin/msgaudit/get_permit_user_list', {});
    expect(permit.ids).toEqual(t.emulator.snapshot().reps.map((r) => r.userid));
    const room = t.emulator.snapshot().groupChats[0]!;
    const roomAgree = await t.post('/cgi-bin/msgaudit/check_room_agree', { roomid: room.chat_id });
    expect((roomAgree.agreeinfo as Json[]).map((a) => a.exteranalopenid)).toEqual(
      room.member_list.filter((m) => m.type === 2).map((m) => m.userid),
    );
    expect((await t.post('/cgi-bin/msgaudit/check_room_agree', { roomid: 'wrNo' })).errcode).toBe(40050);
  });

  it('checks the corpid and Secret on every SDK call (10000 when wrong)', async () => {
    const wrong = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/emulator/finance-sdk/init',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      });
    const { secret } = await t.emulator.archive.credentials();
    expect((await wrong({ corpid: DEMO_CORP.corpId, secret })).headers['x-finance-ret']).toBe('0');
    expect((await wrong({ corpid: DEMO_CORP.corpId, secret: DEMO_CORP.secret })).headers['x-finance-ret']).toBe(
      '10000',
    );
    expect((await wrong({ corpid: 'wwother', secret })).headers['x-finance-ret']).toBe('10000');
    expect(t.emulator.calls('/finance-sdk/init').map((c) => c.response)).toEqual([
      { ret: 0, bytes: 0 },
      { ret: 10000, bytes: 0 },
      { ret: 10000, bytes: 0 },
    ]);
    expect(JSON.stringify(t.emulator.calls('/finance-sdk/init'))).not.toContain(secret);
  });

  it('plays SDK faults: return codes, WeCom errcodes, delays, crashes, dropped connections', async () => {
    const faults = (payload: Json) => t.app.inject({ method: 'POST', url: '/emulator/_archive/faults', payload });
    expect((await faults({ op: 'chatdata', count: 1, ret: 10002 })).statusCode).toBe(201);
    expect((await faults({ op: 'chatdata', count: 1, errcode: 45009 })).statusCode).toBe(201);
    expect((await faults({ op: 'media', count: 1, abort: true })).statusCode).toBe(201);
    expect((await faults({ op: 'chatdata', count: 1, delayMs: 150 })).statusCode).toBe(201);
    expect((await sdk('chatdata', { seq: '0', limit: '10' })).headers['x-finance-ret']).toBe('10002');
    const api = await sdk('chatdata', { seq: '0', limit: '10' });
    expect(api.headers['x-finance-ret']).toBe('0');
    expect(api.json()).toMatchObject({ errcode: 45009, chatdata: [] });
    expect((await sdk('media', { sdkfileid: 'x', indexbuf: '' })).headers['x-finance-abort']).toBe('1');
    const started = performance.now();
    expect((await sdk('chatdata', { seq: '0', limit: '10' })).headers['x-finance-ret']).toBe('0');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(t.emulator.archive.sdkFaults()).toEqual([]);

    for (const [payload, message] of [
      [{ op: 'pull', count: 1, ret: 1 }, /op must be one of init, chatdata, media/],
      [{ op: 'chatdata', count: 0, ret: 10001 }, /count must be/],
      [{ op: 'chatdata', count: 1 }, /needs ret, errcode, abort, drop or delayMs/],
      [{ op: 'chatdata', count: 1, ret: 10001, abort: true }, /one effect/],
      [{ op: 'media', count: 1, errcode: 1 }, /errcode applies to chatdata only/],
    ] as const) {
      const res = await faults(payload);
      expect(res.statusCode).toBe(400);
      expect((res.json() as { message: string }).message).toMatch(message);
    }
  });

  it('registers new key versions; a message can be encrypted for any registered one', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/emulator/_archive/keys' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ publickey_ver: 2 });
    await chat({ from: rep, to: customer, text: 'v2' });
    await chat({ from: rep, to: customer, text: 'v1', publickeyVer: 1 });
    expect((await pull()).map((m) => m.publickey_ver)).toEqual([2, 1]);
    const texts = (await opened()).map((m) => (m.text as Json).content);
    expect(texts).toEqual(['v2', 'v1']);
    const summary = (await t.app.inject({ url: '/emulator/_archive' })).json() as Json;
    expect(summary).toMatchObject({ initialized: true, currentVersion: 2, keyVersions: [1, 2], messages: 2 });
    const { secret } = await t.emulator.archive.credentials();
    expect(JSON.stringify(summary)).not.toContain(secret);
    expect(JSON.stringify(summary)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(t.emulator.snapshot().archive)).not.toContain('PRIVATE KEY');
  });

  it('stores a corrupted message when asked (its ciphertext no longer decrypts)', async () => {
    await chat({ from: rep, to: customer, text: '损坏', corrupt: true });
    const { privateKeys } = await t.emulator.archive.credentials();
    const [item] = await pull();
    expect(() => openItem(item!, privateKeys)).toThrow();
  });
});

describe('emulator: the archive persists and stays bounded', () => {
  const options = (extra: Partial<EmulatorOptions> = {}): EmulatorOptions => ({
    corp: DEMO_CORP,
    callbackUrl: () => 'http://127.0.0.1:9/never',
    publicOrigin: () => ORIGIN,
    now: () => BASE_MS,
    retryDelayMs: 0,
    archive: { keyPair: ARCHIVE_TEST_KEY },
    ...extra,
  });

  it('keeps its Secret, keys and seq across a restart', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'archive-state-')), 'emulator-state.json');
    const first = createEmulator(options({ statePath }));
    const customer = first.snapshot().customers.find((c) => c.follow_user.length > 0)!;
    const input = {
      from: customer.follow_user[0]!.userid,
      to: customer.external_userid,
      msgtype: 'text' as const,
      text: 'a',
      corrupt: false,
      notify: false,
    };
    await first.archive.chat(input);
    await first.archive.chat(input);
    const before = await first.archive.credentials();
    await first.close();

    const second = createEmulator(options({ statePath }));
    expect(await second.archive.credentials()).toEqual(before);
    expect((await second.archive.chat(input)).seq).toBe(3);
    expect(second.archive.summary()).toMatchObject({ messages: 3, firstSeq: 1, lastSeq: 3 });
    await second.close();
  });

  it('drops the oldest messages beyond maxMessages', async () => {
    const emulator = createEmulator(options({ archive: { maxMessages: 5, keyPair: ARCHIVE_TEST_KEY } }));
    const customer = emulator.snapshot().customers.find((c) => c.follow_user.length > 0)!;
    for (let i = 0; i < 8; i++)
      await emulator.archive.chat({
        from: customer.external_userid,
        to: customer.follow_user[0]!.userid,
        msgtype: 'text',
        text: String(i),
        corrupt: false,
        notify: false,
      });
    expect(emulator.archive.summary()).toMatchObject({ messages: 5, firstSeq: 4, lastSeq: 8 });
    await emulator.close();
  });
});
