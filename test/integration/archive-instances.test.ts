import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { STAND_IN_SDK_PATH, standInSdkUrl } from '../../server/archive/index.js';
import type { Config } from '../../server/config.js';
import type { Message, MessagePage } from '../../shared/schemas/messages.js';
import { startApp, testConfig, waitFor } from '../support/app.js';
import {
  archiveErrors,
  archiveSettled,
  chat,
  CORP,
  cursorOf,
  messageRows,
  openStream,
  people,
  startArchiveApp,
} from '../support/archive.js';
import { login, repClient } from '../support/sidebar.js';

/**
 * Two instances on one database (a SQLite file, or PostgreSQL), both able to pull the corp's archive through the
 * stand-in SDK (reading the first instance's emulator): a message is never stored twice, whether their pulls are
 * serialised by the job lane or forced to race; and a stream open on one instance hears what the other stored.
 */

describe('two instances, one archive', () => {
  let config: Config;
  let a: App;
  let b: App;
  let p: ReturnType<typeof people>;

  const expectOnce = async (total: number) => {
    const rows = await messageRows(a);
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.msgid)).size).toBe(total);
    expect(rows.map((r) => r.seq).sort((x, y) => x! - y!)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await cursorOf(a)).toBe(total);
  };

  beforeAll(async () => {
    config = testConfig();
    a = await startArchiveApp({}, config);
    p = people(a);
    const origin = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
    const creds = await a.emulator!.archive.credentials();
    // The second instance: the same database and data folder, WeCom (and the archive) behind the first's emulator.
    b = await startApp({
      ...config,
      emulator: false,
      wecom: { ...config.wecom, apiBase: `${origin}/emulator`, oauthBase: `${origin}/emulator` },
      archive: {
        ...config.archive,
        source: {
          kind: 'sdk',
          sdkPath: STAND_IN_SDK_PATH,
          secret: creds.secret,
          privateKeys: new Map(Object.entries(creds.privateKeys).map(([v, pem]) => [Number(v), pem])),
          proxy: '',
          proxyPassword: '',
          env: { WECOM_FINANCE_STANDIN_URL: standInSdkUrl(origin) },
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('never stores a message twice: pulls queued on both instances, and pulls forced to race', async () => {
    let total = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 700; i++) await chat(a, { from: p.customer, to: p.rep, text: `第${round}轮 第${i}条` });
      total += 700;
      await Promise.all([
        a.modules.archive.service.requestPull(CORP, 'a'),
        b.modules.archive.service.requestPull(CORP, 'b'),
        a.modules.archive.service.requestPull(CORP, 'a2'),
      ]);
      await archiveSettled(a, 60_000);
      await expectOnce(total);
    }

    // Without the lane: both instances pull the same batches at the same time. One stores each batch; the other
    // finds it stored (or the cursor moved) and stores nothing.
    for (let i = 0; i < 1500; i++) await chat(a, { from: p.rep, to: p.customer, text: `并发 ${i}` });
    total += 1500;
    const race = async (app: App) => {
      const archive = (await app.modules.archive.sources.get(CORP))!;
      try {
        return await app.modules.archive.puller.pull(archive, 60_000);
      } catch (err) {
        return (err as Error).name;
      }
    };
    const outcomes = await Promise.all([race(a), race(b)]);
    // Whoever lost a batch catches up: nothing is left, nothing doubled.
    await race(a);
    await race(b);
    await expectOnce(total);
    expect(outcomes.length).toBe(2);
    expect(await archiveErrors(a)).toEqual([]);
  }, 240_000);

  it('streams on one instance what the other stored, within 2 s', async () => {
    // Sessions live in the database: signed in through the first instance, the cookie works on the second.
    const cookie = await login(a, p.rep);
    const page = (
      await repClient(b, cookie).get(`/api/customers/${p.customer}/messages?limit=1`)
    ).json() as MessagePage;
    const origin = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`;
    const stream = await openStream(`${origin}/api/customers/${p.customer}/messages/stream?since=${page.version}`, {
      cookie,
    });
    try {
      await stream.next((e) => e.event === 'ready');
      const sent = await chat(a, { from: p.customer, to: p.rep, text: '跨实例的新消息' });
      const started = performance.now();
      // Stored by the first instance only (its own pull, not a queued job the second could take).
      const archive = (await a.modules.archive.sources.get(CORP))!;
      await a.modules.archive.puller.pull(archive, 10_000);
      const event = await stream.next((e) => e.event === 'message' && (e.data as Message).msgid === sent.msgid);
      expect(event.at - started).toBeLessThan(2000);
      expect(b.modules.messages.live.watching()).toBe(1);
    } finally {
      await stream.close();
    }
    await waitFor(() => b.modules.messages.live.watching() === 0, 'the stream to end');
  }, 60_000);
});
