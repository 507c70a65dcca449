import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import type { Config } from '../../server/config.js';
import { testConfig, waitFor } from '../support/app.js';
import {
  archiveErrors,
  archiveSettled,
  chat,
  CORP,
  cursorOf,
  deliverNotify,
  jobsOfKind,
  messageRows,
  people,
  pullNow,
  startArchiveApp,
} from '../support/archive.js';

/**
 * The archive puller against the stand-in Finance SDK (C, native/finance-sdk) fed by the app's own emulator, on the
 * run's backend: batches and the cursor, replays, restarts, a killed or crashing SDK process, SDK error codes, and
 * items that do not decrypt.
 */

/** Seqs stored are exactly 1..n: no gap, no duplicate. */
async function expectContinuous(app: App, n: number): Promise<void> {
  const seqs = (await messageRows(app)).map((m) => m.seq).filter((s): s is number => s !== null);
  const errors = (await archiveErrors(app)).filter((e) => e.msgid !== null && e.resolvedAt === null).map((e) => e.seq);
  const all = [...seqs, ...errors].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(await cursorOf(app)).toBe(n);
}

async function archiveMany(app: App, count: number, from: string, to: string, label: string): Promise<void> {
  for (let i = 0; i < count; i++)
    await chat(app, { from, to, text: `${label} 第${i + 1}条：请问这款扫地机器人什么时候发货？` });
}

describe('the archive puller (stand-in SDK fed by the emulator)', () => {
  let config: Config;
  let app: App;
  let p: ReturnType<typeof people>;
  let total = 0;

  beforeAll(async () => {
    config = testConfig();
    app = await startArchiveApp({}, config);
    p = people(app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('stores 1,500 messages in two batches, with the cursor, on msgaudit_notify; a replay adds nothing', async () => {
    await archiveMany(app, 1500, p.customer, p.rep, '批量');
    total += 1500;
    expect(await deliverNotify(app)).toBe(200);
    await waitFor(async () => (await cursorOf(app)) === 1500, 'the pull of 1,500 messages', 60_000);
    await archiveSettled(app);
    await expectContinuous(app, total);
    const [pull] = (await jobsOfKind(app, 'archive_pull')).filter((j) => j.status === 'done');
    expect(JSON.parse(pull!.result!)).toMatchObject({ batches: 2, pulled: 1500, stored: 1500, caughtUp: true });

    // WeCom hands the same items again (the cursor rewound): nothing is stored twice.
    const { archiveCursors } = app.db.t;
    await app.db.update(archiveCursors).set({ lastSeq: 0 }).where(eq(archiveCursors.corpId, CORP));
    await pullNow(app, 60_000);
    expect(await messageRows(app)).toHaveLength(1500);
    await expectContinuous(app, total);
  }, 180_000);

  it('retries retryable SDK codes with backoff and records final ones with their code', async () => {
    await app.emulator!.archive.addSdkFault({ op: 'chatdata', count: 2, ret: 10001 });
    await archiveMany(app, 3, p.customer, p.rep, '网络');
    total += 3;
    await pullNow(app);
    await expectContinuous(app, total);
    const retried = (await jobsOfKind(app, 'archive_pull')).at(-1)!;
    expect(retried.status).toBe('done');
    expect(retried.attempts).toBe(3);

    await app.emulator!.archive.addSdkFault({ op: 'chatdata', count: 1, ret: 10009 });
    await archiveMany(app, 2, p.rep, p.customer, '权限');
    total += 2;
    await pullNow(app);
    const failed = (await jobsOfKind(app, 'archive_pull')).at(-1)!;
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toContain('10009');
    const pullError = (await archiveErrors(app)).find((e) => e.kind === 'sdk');
    expect(pullError).toMatchObject({ code: 10009, msgid: null, seq: total - 2 });
    expect(await cursorOf(app)).toBe(total - 2);

    await app.emulator!.archive.addSdkFault({ op: 'chatdata', count: 1, errcode: 45009 });
    await app.emulator!.archive.addSdkFault({ op: 'chatdata', count: 1, errcode: 301042 });
    await pullNow(app);
    expect((await archiveErrors(app)).find((e) => e.kind === 'api')).toMatchObject({ code: 301042 });
    // The next pull (no fault left) catches up.
    await pullNow(app);
    await expectContinuous(app, total);
  }, 120_000);

  it('records an item whose publickey_ver has no key and a corrupted one, and moves past both', async () => {
    await chat(app, { from: p.customer, to: p.rep, text: '密钥之前' });
    await chat(app, { from: p.customer, to: p.rep, text: '这条是坏的', corrupt: true });
    const { publickey_ver } = await app.emulator!.archive.registerKey();
    await chat(app, { from: p.customer, to: p.rep, text: '新密钥加密的消息' });
    await app.emulator!.archive.chat({
      from: p.rep,
      to: p.customer,
      msgtype: 'text',
      text: '旧密钥加密的消息',
      publickeyVer: 1,
      corrupt: false,
      notify: false,
    });
    total += 4;
    await pullNow(app);
    await expectContinuous(app, total);
    const errors = await archiveErrors(app);
    expect(errors.find((e) => e.kind === 'corrupted')).toMatchObject({ seq: total - 2, publickeyVer: 1 });
    const noKey = errors.find((e) => e.kind === 'no_key')!;
    expect(noKey).toMatchObject({ seq: total - 1, code: 10007, publickeyVer: publickey_ver, resolvedAt: null });
    expect(noKey.item).toMatchObject({ seq: total - 1, publickey_ver });
    const texts = (await messageRows(app)).slice(-2).map((m) => m.text);
    expect(texts).toEqual(['密钥之前', '旧密钥加密的消息']);
  }, 60_000);

  it('survives the SDK process killed mid-batch and crashing inside the library; the server keeps serving', async () => {
    const archive = (await app.modules.archive.sources.get(CORP))!;
    await archiveMany(app, 40, p.customer, p.rep, '中断');
    total += 40;
    await app.emulator!.archive.addSdkFault({ op: 'chatdata', count: 1, delayMs: 1500 });
    await app.modules.archive.service.requestPull(CORP, 'kill');
    const pid = await waitFor(() => archive.primary.workerPid(), 'the SDK process');
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, 'SIGKILL');
    await archiveSettled(app);
    await expectContinuous(app, total);

    await archiveMany(app, 5, p.rep, p.customer, '崩溃');
    total += 5;
    const crashes = archive.primary.workerCrashes();
    await app.emulator!.archive.addSdkFault({ op: 'chatdata', count: 1, abort: true, delayMs: 300 });
    await app.modules.archive.service.requestPull(CORP, 'abort');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await archiveSettled(app);
    expect(archive.primary.workerCrashes()).toBeGreaterThan(crashes);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await expectContinuous(app, total);
  }, 60_000);

  it('continues from its cursor after a restart (a pull interrupted by the shutdown included), and decrypts kept items once their key is there', async () => {
    await archiveMany(app, 1200, p.customer, p.rep, '重启');
    total += 1200;
    await app.emulator!.archive.addSdkFault({ op: 'chatdata', count: 1, delayMs: 800 });
    await app.modules.archive.service.requestPull(CORP, 'restart');
    await new Promise((r) => setTimeout(r, 200));
    await app.close();

    // The new process reads the emulator's keys again: the version registered above is configured now.
    app = await startArchiveApp({}, config);
    await pullNow(app, 60_000);
    await expectContinuous(app, total);
    const noKey = (await archiveErrors(app)).find((e) => e.kind === 'no_key')!;
    expect(noKey.resolvedAt).not.toBeNull();
    expect((await messageRows(app)).some((m) => m.text === '新密钥加密的消息' && m.seq === noKey.seq)).toBe(true);
    expect(new Set((await messageRows(app)).map((m) => m.msgid)).size).toBe((await messageRows(app)).length);
  }, 180_000);
});
