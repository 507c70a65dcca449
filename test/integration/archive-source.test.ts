import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveApiError,
  ArchiveMediaError,
  ArchiveSourceClosedError,
  ArchiveWorkerCrashedError,
  ArchiveWorkerTimeoutError,
  createFinanceArchiveSource,
  ensureStandInSdk,
  FinanceSdkError,
  standInSdkUrl,
  type ArchivedMessage,
  type FinanceArchiveSource,
  type FinanceArchiveSourceOptions,
  type MediaChunk,
} from '../../server/archive/index.js';
import { ARCHIVE_MSG_TYPES, MEDIA_MSG_TYPES, type ChatInput } from '../../server/emulator/archive-messages.js';
import { createEmulator, DEMO_CORP, emulatorPlugin, type Emulator } from '../../server/emulator/index.js';
import { openCallback } from '../../server/wecom/crypto.js';
import { parseEnvelope, parseEvent } from '../../server/wecom/events.js';
import { CRED, startReceiver, type CallbackReceiver } from '../unit/emulator/helpers.js';
import { ARCHIVE_TEST_KEY, OTHER_TEST_KEY } from '../unit/archive/fixtures/keys.js';

/**
 * The archive source against the stand-in Finance SDK compiled from C (native/finance-sdk), fed by the real
 * emulator over HTTP: the SDK runs in a supervised child process, exactly as in production.
 */

async function waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the archive source: stand-in Finance SDK (C) fed by the emulator', () => {
  let receiver: CallbackReceiver;
  let emulator: Emulator;
  let app: FastifyInstance;
  let origin: string;
  let sdkPath: string;
  let source: FinanceArchiveSource;
  const extraSources: FinanceArchiveSource[] = [];
  let customer: string;
  let rep: string;

  const options = async (extra: Partial<FinanceArchiveSourceOptions> = {}): Promise<FinanceArchiveSourceOptions> => {
    const creds = await emulator.archive.credentials();
    return {
      sdkPath,
      corpId: creds.corpId,
      secret: creds.secret,
      privateKeys: { 1: ARCHIVE_TEST_KEY.privateKey },
      timeoutSeconds: 10,
      env: { ...process.env, WECOM_FINANCE_STANDIN_URL: standInSdkUrl(origin) },
      restartDelayMs: { initial: 50, max: 1000 },
      ...extra,
    };
  };
  const another = async (extra: Partial<FinanceArchiveSourceOptions>) => {
    const s = createFinanceArchiveSource(await options(extra));
    extraSources.push(s);
    return s;
  };
  const chat = (input: Partial<ChatInput>) =>
    emulator.archive.chat({
      from: customer,
      to: rep,
      msgtype: 'text',
      text: '在吗？',
      corrupt: false,
      notify: false,
      ...input,
    } as ChatInput);
  const lastSeq = () => emulator.archive.summary().lastSeq ?? 0;
  beforeAll(async () => {
    sdkPath = await ensureStandInSdk();
    receiver = await startReceiver();
    emulator = createEmulator({
      corp: DEMO_CORP,
      callbackUrl: () => receiver.url,
      publicOrigin: () => origin,
      retryDelayMs: 0,
      archive: { notifyWindowMs: 0, keyPair: ARCHIVE_TEST_KEY, maxMessages: 10_000, maxMediaBytes: 64 * 1024 * 1024 },
    });
    app = Fastify();
    await app.register(emulatorPlugin, { prefix: '/emulator', emulator });
    await app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const c = emulator.snapshot().customers.find((x) => x.follow_user.length > 0)!;
    customer = c.external_userid;
    rep = c.follow_user[0]!.userid;
    source = createFinanceArchiveSource(await options());
  });

  afterAll(async () => {
    await Promise.all([source, ...extraSources].map((s) => s?.close()));
    await emulator?.close();
    await app?.close();
    await receiver?.close();
  });

  it('POST /emulator/_chat answers {msgid, seq} once archived and notified; the message pulls and decrypts', async () => {
    const res = await fetch(`${origin}/emulator/_chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: customer, to: rep, text: '你好，想了解一下会员价' }),
    });
    expect(res.status).toBe(200);
    const { msgid, seq } = (await res.json()) as { msgid: string; seq: number };
    expect(receiver.received).toHaveLength(1);
    const cb = receiver.received[0]!;
    const xml = openCallback(
      CRED,
      { msgSignature: cb.query.msg_signature!, timestamp: cb.query.timestamp!, nonce: cb.query.nonce! },
      parseEnvelope(cb.body).encrypt,
    );
    expect(parseEvent(xml).kind).toBe('msgaudit_notify');

    const [item] = await source.pull(seq - 1, 10);
    expect(item).toMatchObject({ seq, msgid, publickey_ver: 1 });
    expect(await source.decrypt(item!)).toEqual({
      status: 'ok',
      message: {
        msgid,
        action: 'send',
        from: customer,
        tolist: [rep],
        roomid: '',
        msgtime: expect.any(Number),
        msgtype: 'text',
        text: { content: '你好，想了解一下会员价' },
      },
    });
  });

  it('pulls 1,500 messages in two batches (limit 1000) with seq continuity; every one decrypts', async () => {
    const base = lastSeq();
    const sent: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const from = i % 2 === 0 ? customer : rep;
      const result = await chat({ from, to: from === rep ? customer : rep, text: `第 ${i} 条消息` });
      sent.push(result.msgid);
    }
    await emulator.archive.notify();

    const first = await source.pull(base, 1000);
    const second = await source.pull(first.at(-1)!.seq, 1000);
    expect(first).toHaveLength(1000);
    expect(second).toHaveLength(500);
    expect([...first, ...second].map((i) => i.seq)).toEqual(Array.from({ length: 1500 }, (_, n) => base + 1 + n));
    expect([...first, ...second].map((i) => i.msgid)).toEqual(sent);
    expect(await source.pull(second.at(-1)!.seq, 1000)).toEqual([]);

    const results = await Promise.all([...first, ...second].map((i) => source.decrypt(i)));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    const texts = results.map((r) => (r.status === 'ok' ? (r.message.text as { content: string }).content : null));
    expect(texts).toEqual(sent.map((_, i) => `第 ${i} 条消息`));
    expect(await rejection(source.pull(base, 1001))).toBeInstanceOf(RangeError);
  });

  it('decrypts every message type; media come back whole and match their md5', async () => {
    const firstId = (await chat({ text: '要撤回的消息' })).msgid;
    const room = emulator.snapshot().groupChats[0]!;
    const expected: ArchivedMessage[] = [];
    const base = lastSeq();
    for (const msgtype of ARCHIVE_MSG_TYPES) {
      const input: Partial<ChatInput> =
        msgtype === 'revoke'
          ? { msgtype, preMsgid: firstId }
          : msgtype === 'switch'
            ? { from: rep, to: undefined, msgtype }
            : { msgtype, text: '图文' };
      expected.push((await chat(input)).message as ArchivedMessage);
    }
    // The disagree record stops the archive of this chat: the customer agrees again.
    expected.push((await chat({ msgtype: 'agree' })).message as ArchivedMessage);
    expected.push(
      (await chat({ from: room.member_list[0]!.userid, to: undefined, roomId: room.chat_id, text: '群里的消息' }))
        .message as ArchivedMessage,
    );
    const items = await source.pull(base, 1000);
    const results = await Promise.all(items.map((i) => source.decrypt(i)));
    expect(results).toEqual(expected.map((message) => ({ status: 'ok', message })));

    for (const message of expected) {
      if (!(MEDIA_MSG_TYPES as readonly string[]).includes(message.msgtype ?? '')) continue;
      const media = message[message.msgtype!] as { sdkfileid: string; md5sum: string } & Record<string, number>;
      const size = media.filesize ?? media.voice_size ?? media.imagesize ?? -1;
      const got: Buffer[] = [];
      const fetched = await source.fetchMedia(media.sdkfileid, (c) => void got.push(c.data), { md5sum: media.md5sum });
      expect(fetched).toEqual({ bytes: size, chunks: 1, md5: media.md5sum });
      expect(Buffer.concat(got)).toHaveLength(size);
    }
  });

  it('a message for a publickey_ver with no private key is undecryptable (no_key), the others still decrypt', async () => {
    const { publickey_ver } = await emulator.archive.registerKey();
    expect(publickey_ver).toBe(2);
    const base = lastSeq();
    await chat({ text: '新密钥加密' });
    await chat({ text: '旧密钥加密', publickeyVer: 1 });
    const items = await source.pull(base, 10);
    expect(items.map((i) => i.publickey_ver)).toEqual([2, 1]);
    const [v2, v1] = await Promise.all(items.map((i) => source.decrypt(i)));
    expect(v2).toEqual({
      status: 'undecryptable',
      reason: 'no_key',
      publickeyVer: 2,
      detail: 'no private key for publickey_ver 2',
    });
    expect(v1).toMatchObject({ status: 'ok', message: { text: { content: '旧密钥加密' } } });
  });

  it('a wrong private key fails decryption (key_rejected); every historical key configured, each decrypts its own', async () => {
    const creds = await emulator.archive.credentials();
    const wrongV1 = await another({ privateKeys: { 1: OTHER_TEST_KEY.privateKey, 2: creds.privateKeys[2]! } });
    const base = lastSeq();
    await chat({ text: 'v1 消息', publickeyVer: 1 });
    await chat({ text: 'v2 消息', publickeyVer: 2 });
    const items = await wrongV1.pull(base, 10);
    const [v1, v2] = await Promise.all(items.map((i) => wrongV1.decrypt(i)));
    expect(v1).toEqual({
      status: 'undecryptable',
      reason: 'key_rejected',
      publickeyVer: 1,
      detail: 'the private key of publickey_ver 1 does not decrypt the random key',
    });
    expect(v2).toMatchObject({ status: 'ok', message: { text: { content: 'v2 消息' } } });
  });

  it('a corrupted message is a typed result, not an exception', async () => {
    const base = lastSeq();
    await chat({ text: '这条会损坏', corrupt: true, publickeyVer: 1 });
    const [item] = await source.pull(base, 10);
    const result = await source.decrypt(item!);
    expect(result).toMatchObject({ status: 'corrupted' });
    // Almost always DecryptData's 10006 (bad padding); else the bytes decrypt but are not the message JSON.
    expect([10006, undefined]).toContain(result.status === 'corrupted' ? result.sdkCode : 'not corrupted');
  });

  it('fetches a media file in several pieces, in order, and checks its md5', async () => {
    const { message } = await chat({
      from: rep,
      to: customer,
      msgtype: 'file',
      content: { filename: '年度合同.pdf', filesize: 1_300_000 },
      publickeyVer: 1,
    });
    const file = message.file as { sdkfileid: string; md5sum: string; filesize: number };
    const chunks: MediaChunk[] = [];
    const result = await source.fetchMedia(
      file.sdkfileid,
      async (chunk) => {
        await new Promise((r) => setTimeout(r, 5)); // a slow consumer is awaited before the next piece
        chunks.push(chunk);
      },
      { md5sum: file.md5sum },
    );
    expect(chunks.map((c) => [c.offset, c.data.length, c.finished])).toEqual([
      [0, 524_288, false],
      [524_288, 524_288, false],
      [1_048_576, 251_424, true],
    ]);
    expect(result).toEqual({ bytes: 1_300_000, chunks: 3, md5: file.md5sum });
    expect(
      createHash('md5')
        .update(Buffer.concat(chunks.map((c) => c.data)))
        .digest('hex'),
    ).toBe(file.md5sum);

    const mismatch = await rejection(source.fetchMedia(file.sdkfileid, () => {}, { md5sum: '0'.repeat(32) }));
    expect(mismatch).toBeInstanceOf(ArchiveMediaError);
    expect(mismatch.message).toMatch(/md5 .* of 1300000 bytes, the message says 0{32}/);

    // A retryable failure of one piece is asked again; the file still comes back whole, exactly once per piece.
    emulator.archive.addSdkFault({ op: 'media', count: 1, ret: 10001 });
    const offsets: number[] = [];
    await source.fetchMedia(file.sdkfileid, (c) => void offsets.push(c.offset), { md5sum: file.md5sum });
    expect(offsets).toEqual([0, 524_288, 1_048_576]);

    const unknown = await rejection(source.fetchMedia('no-such-file', () => {}));
    expect(unknown).toBeInstanceOf(FinanceSdkError);
    expect(unknown).toMatchObject({ code: 10005, retryable: false, operation: 'media' });
  });

  it('maps SDK return codes to typed errors: 10001–10003 retryable, others final; WeCom errcodes too', async () => {
    const cases: [Parameters<Emulator['archive']['addSdkFault']>[0], unknown][] = [
      [
        { op: 'chatdata', count: 1, ret: 10001 },
        { code: 10001, retryable: true },
      ],
      [
        { op: 'chatdata', count: 1, ret: 10002 },
        { code: 10002, retryable: true },
      ],
      [
        { op: 'chatdata', count: 1, ret: 10003 },
        { code: 10003, retryable: true },
      ],
      [
        { op: 'chatdata', count: 1, ret: 10009 },
        { code: 10009, retryable: false },
      ],
      [
        { op: 'chatdata', count: 1, ret: 10010 },
        { code: 10010, retryable: false },
      ],
      [
        { op: 'chatdata', count: 1, drop: true },
        { code: 10001, retryable: true },
      ],
    ];
    for (const [fault, expected] of cases) {
      emulator.archive.addSdkFault(fault);
      const err = await rejection(source.pull(0, 10));
      expect(err, JSON.stringify(fault)).toBeInstanceOf(FinanceSdkError);
      expect(err).toMatchObject({ ...(expected as object), operation: 'pull' });
    }
    emulator.archive.addSdkFault({ op: 'chatdata', count: 1, errcode: 45009 });
    expect(await rejection(source.pull(0, 10))).toMatchObject({ errcode: 45009, retryable: true });
    emulator.archive.addSdkFault({ op: 'chatdata', count: 1, errcode: 301042 });
    const final = await rejection(source.pull(0, 10));
    expect(final).toBeInstanceOf(ArchiveApiError);
    expect(final).toMatchObject({ errcode: 301042, retryable: false });
    expect(await source.pull(0, 1)).toHaveLength(1);
    expect(source.workerCrashes()).toBe(0);
  });

  it('the SDK gives up after its timeout (10001, retryable)', async () => {
    const quick = await another({ timeoutSeconds: 1 });
    expect(await quick.pull(0, 1)).toHaveLength(1);
    emulator.archive.addSdkFault({ op: 'chatdata', count: 1, delayMs: 2500 });
    const started = Date.now();
    expect(await rejection(quick.pull(0, 1))).toMatchObject({ code: 10001, retryable: true });
    expect(Date.now() - started).toBeLessThan(2400);
  });

  it('a wrong Secret fails at Init with the SDK’s code (final); no SDK process is left running', async () => {
    const wrong = await another({ secret: 'not-the-archive-secret' });
    const err = await rejection(wrong.pull(0, 10));
    expect(err).toBeInstanceOf(FinanceSdkError);
    expect(err).toMatchObject({ code: 10000, operation: 'init', retryable: false });
    expect(wrong.workerPid()).toBeNull();
  });

  it('makes one SDK call at a time, whatever the callers do', async () => {
    const { message } = await chat({ msgtype: 'image', publickeyVer: 1 });
    const image = message.image as { sdkfileid: string };
    emulator.archive.addSdkFault({ op: 'chatdata', count: 1, delayMs: 300 });
    await Promise.all([source.pull(0, 5), source.fetchMedia(image.sdkfileid, () => {}), source.pull(5, 5)]);
    // The emulator logs a call when it answers: the delayed pull was answered before the others even arrived.
    const ours = emulator
      .calls()
      .map((c) => c.body as Record<string, string>)
      .filter((body) => body.limit === '5' || body.sdkfileid === image.sdkfileid);
    expect(ours).toEqual([
      expect.objectContaining({ seq: '0', limit: '5' }),
      expect.objectContaining({ sdkfileid: image.sdkfileid }),
      expect.objectContaining({ seq: '5', limit: '5' }),
    ]);
  });

  it('the SDK process killed mid-call: the call fails retryably, it is restarted, the next call works', async () => {
    expect(await source.pull(0, 1)).toHaveLength(1);
    const pid = source.workerPid()!;
    expect(isAlive(pid)).toBe(true);
    emulator.archive.addSdkFault({ op: 'chatdata', count: 1, delayMs: 10_000 });
    const pending = rejection(source.pull(0, 10));
    // The emulator took the fault: the call is in the library, waiting for its answer.
    await waitFor(() => emulator.archive.sdkFaults().length === 0, 'the call to reach the emulator');
    process.kill(pid, 'SIGKILL');
    const err = await pending;
    expect(err).toBeInstanceOf(ArchiveWorkerCrashedError);
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toMatch(/signal SIGKILL/);

    const restarted = await waitFor(() => {
      const next = source.workerPid();
      return next !== null && next !== pid && next;
    }, 'the supervisor to restart the SDK process');
    expect(isAlive(pid)).toBe(false);
    expect(await source.pull(0, 3)).toHaveLength(3);
    expect(source.workerPid()).toBe(restarted);
    expect(source.workerCrashes()).toBe(1);
  });

  it('a crash inside the native library (abort) fails only the call in flight; the server process lives on', async () => {
    const pid = source.workerPid();
    emulator.archive.addSdkFault({ op: 'chatdata', count: 1, abort: true });
    const err = await rejection(source.pull(0, 10));
    expect(err).toBeInstanceOf(ArchiveWorkerCrashedError);
    expect(err.message).toMatch(/signal SIGABRT/);
    expect(await source.pull(0, 2)).toHaveLength(2);
    expect(source.workerPid()).not.toBe(pid);
    expect(source.workerCrashes()).toBe(2);
    expect(isAlive(process.pid)).toBe(true);
  });

  it('a hung SDK process (stopped) is killed past its deadline: the call fails retryably, a new one serves', async () => {
    const hung = await another({ timeoutSeconds: 1, hangGraceMs: 500 });
    await chat({ publickeyVer: 1 });
    await chat({ publickeyVer: 1 });
    expect(await hung.pull(0, 1)).toHaveLength(1);
    const pid = hung.workerPid()!;
    process.kill(pid, 'SIGSTOP');
    const started = Date.now();
    const err = await rejection(hung.pull(0, 1));
    expect(err).toBeInstanceOf(ArchiveWorkerTimeoutError);
    expect(err).toMatchObject({ retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(await hung.pull(0, 2)).toHaveLength(2);
    expect(hung.workerPid()).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
  });

  it('close() waits for the call in flight, then stops the SDK process; later calls fail', async () => {
    const closing = await another({});
    expect(await closing.pull(0, 1)).toHaveLength(1);
    const pid = closing.workerPid()!;
    emulator.archive.addSdkFault({ op: 'chatdata', count: 1, delayMs: 300 });
    const inFlight = closing.pull(0, 4);
    await waitFor(() => emulator.archive.sdkFaults().length === 0, 'the call to reach the emulator');
    const queued = rejection(closing.pull(4, 4));
    await closing.close();
    expect(await inFlight).toHaveLength(4);
    expect(await queued).toBeInstanceOf(ArchiveSourceClosedError);
    expect(await rejection(closing.pull(0, 1))).toBeInstanceOf(ArchiveSourceClosedError);
    expect(closing.workerPid()).toBeNull();
    expect(isAlive(pid)).toBe(false);
  });
});
