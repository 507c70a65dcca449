/**
 * Chat messages benchmark (issue "Conversations"), on SQLite (or PostgreSQL with --pg):
 *   1. ingest: N messages archived in the emulator, pulled by the real puller through the stand-in Finance SDK
 *      (decrypt in the SDK process(es): RSA + DecryptData), stored with everything that goes with them (FTS,
 *      timeline items, keyword rules); target ≥ 2,000 messages/s, with the RSA share of the CPU spent;
 *   2. the database grown to 2 M messages (stored through the same store, without the archive: decrypting 2 M
 *      messages would measure the same thing for 15 minutes);
 *   3. at that size, through the real app (inject, a real session): a chat history page (p95 ≤ 10 ms), one
 *      customer's search (p95 ≤ 20 ms), the managers' search (p95 ≤ 100 ms);
 *   4. live: from the emulator's msgaudit_notify to the message in an open stream (HTTP), p99 ≤ 2 s.
 *
 *   npx tsx scripts/bench-messages.ts [--ingest 20000] [--total 2000000] [--decrypt 1] [--db path] [--pg]
 * `--db` keeps (and reuses) the grown SQLite file, so later runs skip step 2.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { buildApp, type App } from '../server/app.js';
import { ensureStandInSdk, STAND_IN_URL_ENV, standInSdkUrl } from '../server/archive/index.js';
import { loadConfig } from '../server/config.js';
import { createEmulator, DEMO_CORP, emulatorPlugin } from '../server/emulator/index.js';
import type { NewMessage } from '../server/modules/messages/normalize.js';
import { percentile } from './percentile.js';
import { startCluster } from './pg-cluster.js';

const CORP = DEMO_CORP.corpId;

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
}

export interface MessagesBenchResult {
  backend: 'sqlite' | 'postgres';
  ingest: {
    messages: number;
    seconds: number;
    perSecond: number;
    decryptProcesses: number;
    cpu: { mainMs: number; sdkMs: number; rsaMs: number; decryptMs: number; jsonMs: number };
    rsaShare: number;
  };
  grown: { total: number; seconds: number; reused: boolean };
  history: Latency;
  customerSearch: Latency;
  managerSearch: Latency;
  live: Latency;
}

const TARGETS = { ingestPerSecond: 2000, historyP95: 10, customerSearchP95: 20, managerSearchP95: 100, liveP99: 2000 };

// Sentences a sales chat is made of; numbers and ids make each message its own.
const CUSTOMER_LINES = [
  '请问什么时候发货？',
  '这款还有货吗？',
  '能便宜一点吗？',
  '我要退款，东西有问题',
  '快递到哪里了？单号多少？',
  '可以开发票吗？',
  '扫地机器人X9和基础款有什么区别？',
  'iPhone15Pro能连这个手表吗？',
  '收到了，谢谢',
  '滤芯多久换一次？',
  '门锁可以上门安装吗？',
  '好的，我考虑一下',
];
const REP_LINES = [
  '您好，今天下午就给您发货。',
  '活动价2999元，本周满1000减100。',
  '顺丰单号SF1234567890，预计明天送到。',
  '支持12期免息分期。',
  '有的，现货充足。',
  '七天无理由退货，运费我们承担。',
  '师傅会提前一天和您确认安装时间。',
  '好的，有问题随时联系我。',
];
const QUERIES = [
  '发货',
  '退款',
  '单号',
  '发票',
  '安装',
  'x9',
  '滤芯',
  '分期',
  '发货 单号',
  'iphone15pro',
  '明天',
  '便宜',
];

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted.at(-1) ?? NaN),
    n: samples.length,
  };
}

function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function timed(n: number, fn: (i: number) => Promise<void>, warmup = 20): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return latency(samples);
}

/** A synthetic chat message between a rep and a customer (grown data). */
function synthetic(i: number, rep: string, customer: string, sentAt: number): NewMessage {
  const fromCustomer = i % 2 === 0;
  const line = (fromCustomer ? CUSTOMER_LINES : REP_LINES)[
    (i * 7) % (fromCustomer ? CUSTOMER_LINES.length : REP_LINES.length)
  ]!;
  const text = `${line} #${i}`;
  return {
    msgid: `bench-${i}`,
    seq: null,
    action: 'send',
    sender: fromCustomer ? customer : rep,
    receivers: [fromCustomer ? rep : customer],
    roomId: null,
    sentAt,
    type: 'text',
    text,
    searchText: text,
    content: { content: text },
    source: 'archive',
    conversation: {
      key: `single:${rep}:${customer}`,
      kind: 'single',
      userId: rep,
      externalUserId: customer,
      roomId: null,
    },
    userId: rep,
    externalUserId: customer,
    direction: fromCustomer ? 'customer_to_rep' : 'rep_to_customer',
    media: [],
    recalls: null,
    consent: null,
  };
}

export async function benchMessages(options: {
  ingest?: number;
  total?: number;
  decrypt?: number;
  db?: string;
  pg?: boolean;
}): Promise<MessagesBenchResult> {
  const ingestCount = options.ingest ?? 20_000;
  const total = options.total ?? 2_000_000;
  const sdkPath = await ensureStandInSdk();

  // WeCom: the emulator, as another machine would be (its answers do cost this process CPU: see the figures).
  let appOrigin = '';
  let emuOrigin = '';
  const emulator = createEmulator({
    corp: DEMO_CORP,
    callbackUrl: () => `${appOrigin}/wecom/callback/${CORP}`,
    publicOrigin: () => emuOrigin,
    archive: { notifyWindowMs: 0, maxMessages: ingestCount + 10_000 },
  });
  const emu = Fastify();
  await emu.register(emulatorPlugin, { prefix: '/emulator', emulator });
  await emu.listen({ port: 0, host: '127.0.0.1' });
  emuOrigin = `http://127.0.0.1:${(emu.server.address() as AddressInfo).port}`;
  const creds = await emulator.archive.credentials();

  const cluster = options.pg ? await startCluster() : null;
  const dbPath = options.db ?? join(mkdtempSync(join(tmpdir(), 'scrm-bench-messages-')), 'scrm.db');
  const reused = !options.pg && existsSync(dbPath);
  const env: Record<string, string> = {
    WECOM_CORP_ID: DEMO_CORP.corpId,
    WECOM_AGENT_ID: String(DEMO_CORP.agentId),
    WECOM_SECRET: DEMO_CORP.secret,
    WECOM_TOKEN: DEMO_CORP.token,
    WECOM_ENCODING_AES_KEY: DEMO_CORP.encodingAesKey,
    WECOM_API_BASE: `${emuOrigin}/emulator`,
    WECOM_OAUTH_BASE: `${emuOrigin}/emulator`,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    LOG_LEVEL: 'silent',
    WECOM_FINANCE_SDK_PATH: sdkPath,
    WECOM_ARCHIVE_SECRET: creds.secret,
    WECOM_ARCHIVE_PRIVATE_KEYS: JSON.stringify(creds.privateKeys),
    ARCHIVE_DECRYPT_PROCESSES: String(options.decrypt ?? 1),
    ...(cluster
      ? {
          DATABASE_URL: await cluster.createDatabase('bench'),
          SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
          DATA_DIR: mkdtempSync(join(tmpdir(), 'scrm-bench-data-')),
        }
      : { DATABASE_PATH: dbPath }),
  };
  const base = loadConfig(env, DEMO_CORP);
  const source = base.archive.source!;
  const config = {
    ...base,
    backgroundJobs: false,
    archive: {
      ...base.archive,
      source: source.kind === 'sdk' ? { ...source, env: { [STAND_IN_URL_ENV]: standInSdkUrl(emuOrigin) } } : source,
    },
  };
  const app: App = await buildApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  appOrigin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const result = {} as MessagesBenchResult;
  result.backend = cluster ? 'postgres' : 'sqlite';
  try {
    await app.modules.directory.service.syncAll(CORP);
    await app.modules.contacts.service.syncAll(CORP);
    await app.modules.keywords.service.seedDemo(CORP);
    const pairs = emulator
      .snapshot()
      .customers.flatMap((c) => c.follow_user.map((f) => ({ rep: f.userid, customer: c.external_userid })));
    const cursor = async () => (await app.modules.archive.repo.cursor(app.db, CORP)).lastSeq;
    // A reused file's cursor is past this run's emulator, whose archive starts at seq 1 again: the puller would wait
    // for seqs that never come, so the ingest starts the cursor over.
    // Work an earlier run left unfinished (a pull still leased by a process that exited, the learning of its
    // messages) belongs to that run's emulator: it would hold the pull's lane until its lease expires and compete
    // with the ingest (a run after a stopped one measured 669 messages/s, ~16 s of it waiting for a stale lease).
    if (reused) {
      await app.db.exec(app.db, sql`UPDATE archive_cursors SET last_seq = 0 WHERE corp_id = ${CORP}`);
      await app.db.exec(app.db, sql`DELETE FROM jobs WHERE status IN ('pending', 'running')`);
    }
    const startSeq = await cursor();

    // ---- 1. ingest through the archive -----------------------------------------------------------------------
    process.stdout.write(`archiving ${ingestCount} messages in the emulator…\n`);
    for (let i = 0; i < ingestCount; i++) {
      const { rep, customer } = pairs[i % pairs.length]!;
      const fromCustomer = i % 3 !== 0;
      const line = fromCustomer ? CUSTOMER_LINES[i % CUSTOMER_LINES.length]! : REP_LINES[i % REP_LINES.length]!;
      await emulator.archive.chat({
        from: fromCustomer ? customer : rep,
        to: fromCustomer ? rep : customer,
        msgtype: 'text',
        text: `${line} #${i}`,
        corrupt: false,
        notify: false,
      });
    }
    const archive = (await app.modules.archive.sources.get(CORP))!;
    // Start the SDK processes before timing (Init talks to WeCom once per process).
    await archive.pull(startSeq + ingestCount + 1, 1);
    const sdkBefore = new Map(archive.pids().map((pid) => [pid, processCpuMs(pid)]));
    const statsBefore = archive.stats();
    const mainBefore = ownCpuMs();
    const t0 = performance.now();
    await app.modules.archive.service.requestPull(CORP, 'bench');
    await until(async () => (await cursor()) >= startSeq + ingestCount, 600_000, 'the ingest');
    const seconds = (performance.now() - t0) / 1000;
    const mainMs = ownCpuMs() - mainBefore;
    const sdkMs = archive.pids().reduce((n, pid) => n + processCpuMs(pid) - (sdkBefore.get(pid) ?? 0), 0);
    const stats = archive.stats();
    const rsaMs = stats.rsaMs - statsBefore.rsaMs;
    result.ingest = {
      messages: ingestCount,
      seconds: Math.round(seconds * 100) / 100,
      perSecond: Math.round(ingestCount / seconds),
      decryptProcesses: config.archive.decryptProcesses,
      cpu: {
        mainMs: Math.round(mainMs),
        sdkMs: Math.round(sdkMs),
        rsaMs: Math.round(rsaMs),
        decryptMs: Math.round(stats.sdkMs - statsBefore.sdkMs),
        jsonMs: Math.round(stats.parseMs - statsBefore.parseMs),
      },
      rsaShare: Math.round((rsaMs / (mainMs + sdkMs)) * 1000) / 10,
    };
    process.stdout.write(`ingest: ${JSON.stringify(result.ingest)}\n`);

    // ---- 2. grow to `total` messages ---------------------------------------------------------------------------
    const { db } = app;
    const [countRow] = await db.rows<{ n: number }>(db, sql`SELECT count(*) AS n FROM messages`);
    const present = countRow?.n ?? 0;
    const heavy = pairs[0]!;
    const reps = [...new Set(pairs.map((p) => p.rep))];
    const grownStart = performance.now();
    let stored = Number(present);
    const batch = 2000;
    const now = Date.now();
    let i = stored;
    while (stored < total) {
      const rows: NewMessage[] = [];
      for (let k = 0; k < batch && stored + k < total; k++, i++) {
        // Every 200th message is the heavy chat's (a long history to page through); the rest spread over 20,000
        // synthetic customers of the corp's reps, 100 messages each.
        const inHeavy = i % 200 === 0;
        const rep = inHeavy ? heavy.rep : reps[i % reps.length]!;
        const customer = inHeavy ? heavy.customer : `wmBench${String(i % 20_000).padStart(24, '0')}`;
        rows.push(synthetic(i, rep, customer, now - (total - i) * 1000));
      }
      await db.tx((tx) => app.modules.messages.store.storeBatch(tx, CORP, rows));
      stored += rows.length;
      if (stored % 100_000 < batch) {
        const s = (performance.now() - grownStart) / 1000;
        process.stdout.write(`  ${stored} messages (${Math.round((stored - Number(present)) / s)}/s)\n`);
      }
    }
    result.grown = {
      total: stored,
      seconds: Math.round((performance.now() - grownStart) / 1000),
      reused: stored === Number(present) && reused,
    };

    // ---- 3. reads at that size ---------------------------------------------------------------------------------
    const { token } = await app.modules.auth.sessions.create({ corpId: CORP, userId: heavy.rep });
    const cookie = `scrm_session=${token}`;
    const get = async (url: string, headers: Record<string, string> = { cookie }) => {
      const res = await app.inject({ url, headers });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json() as { nextCursor: string | null };
    };
    const historyUrl = `/api/customers/${heavy.customer}/messages?limit=30`;
    const cursors: (string | null)[] = [null];
    for (let k = 0; k < 100; k++) {
      const next = (await get(`${historyUrl}${cursors.at(-1) ? `&cursor=${cursors.at(-1)}` : ''}`)).nextCursor;
      if (!next) break;
      cursors.push(next);
    }
    result.history = await timed(1000, async (k) => {
      const c = cursors[k % cursors.length];
      await get(`${historyUrl}${c ? `&cursor=${c}` : ''}`);
    });
    result.customerSearch = await timed(500, async (k) => {
      await get(`/api/customers/${heavy.customer}/messages?q=${encodeURIComponent(QUERIES[k % QUERIES.length]!)}`);
    });
    const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}` };
    const filters = [
      '',
      `&userId=${reps[1]}`,
      `&externalUserId=wmBench${'7'.padStart(24, '0')}`,
      `&from=${now - 86_400_000 * 3}`,
      // One day two weeks back: the words are common in the archive, a day holds few of their matches.
      `&from=${now - 86_400_000 * 15}&to=${now - 86_400_000 * 14}`,
      '&type=text',
    ];
    result.managerSearch = await timed(500, async (k) => {
      const q = encodeURIComponent(QUERIES[k % QUERIES.length]!);
      await get(`/api/messages?q=${q}${filters[k % filters.length]}`, admin);
    });

    // ---- 4. live: notify → stream --------------------------------------------------------------------------------
    const stream = await fetch(`${appOrigin}/api/customers/${heavy.customer}/messages/stream`, {
      headers: { cookie, accept: 'text/event-stream' },
    });
    const arrived = new Map<string, number>();
    const reader = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of stream.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data && block.includes('event: message')) {
            const m = JSON.parse(data.slice(6)) as { msgid: string };
            if (!arrived.has(m.msgid)) arrived.set(m.msgid, performance.now());
          }
        }
      }
    })().catch(() => {});
    const live: number[] = [];
    for (let k = 0; k < 60; k++) {
      const started = performance.now();
      const { msgid } = await emulator.archive.chat({
        from: heavy.customer,
        to: heavy.rep,
        msgtype: 'text',
        text: `实时消息 ${k}：请问发货了吗？`,
        corrupt: false,
        notify: true,
      });
      await until(async () => arrived.has(msgid), 10_000, 'the message in the stream');
      live.push(arrived.get(msgid)! - started);
      await new Promise((r) => setTimeout(r, 50 + (k % 5) * 40));
    }
    result.live = latency(live.slice(5));
    void reader;
  } finally {
    await app.close();
    await emu.close();
    await emulator.close();
    cluster?.stop();
  }
  return result;
}

export function printMessages(r: MessagesBenchResult): boolean {
  const checks: Array<[string, boolean]> = [
    [
      `ingest ${r.ingest.perSecond} messages/s (≥ ${TARGETS.ingestPerSecond})`,
      r.ingest.perSecond >= TARGETS.ingestPerSecond,
    ],
    [`history page p95 ${r.history.p95} ms (≤ ${TARGETS.historyP95})`, r.history.p95 <= TARGETS.historyP95],
    [
      `one customer's search p95 ${r.customerSearch.p95} ms (≤ ${TARGETS.customerSearchP95})`,
      r.customerSearch.p95 <= TARGETS.customerSearchP95,
    ],
    [
      `manager search p95 ${r.managerSearch.p95} ms (≤ ${TARGETS.managerSearchP95})`,
      r.managerSearch.p95 <= TARGETS.managerSearchP95,
    ],
    [`live update p99 ${r.live.p99} ms (≤ ${TARGETS.liveP99})`, r.live.p99 <= TARGETS.liveP99],
  ];
  const c = r.ingest.cpu;
  console.log(`\n## Messages (${r.backend})`);
  console.log(
    `ingest        ${r.ingest.messages} messages in ${r.ingest.seconds} s through pull → decrypt (${r.ingest.decryptProcesses} SDK process(es)) → store`,
  );
  console.log(
    `  CPU         server ${c.mainMs} ms (the in-process emulator's answers included), SDK ${c.sdkMs} ms: RSA ${c.rsaMs} ms (${r.ingest.rsaShare} % of all), DecryptData ${c.decryptMs} ms, JSON ${c.jsonMs} ms`,
  );
  console.log(`  per message ${((c.mainMs + c.sdkMs) / r.ingest.messages).toFixed(3)} ms CPU`);
  console.log(`grown to      ${r.grown.total} messages${r.grown.reused ? ' (reused)' : ` in ${r.grown.seconds} s`}`);
  const line = (name: string, l: Latency) =>
    console.log(`${name.padEnd(14)}p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms (n=${l.n})`);
  line('history', r.history);
  line('cust. search', r.customerSearch);
  line('mgr. search', r.managerSearch);
  line('live', r.live);
  for (const [what, ok] of checks) console.log(`${ok ? 'met    ' : 'NOT met'} ${what}`);
  return checks.every(([, ok]) => ok);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      ingest: { type: 'string' },
      total: { type: 'string' },
      decrypt: { type: 'string' },
      db: { type: 'string' },
      pg: { type: 'boolean' },
    },
  });
  const ok = printMessages(
    await benchMessages({
      ingest: values.ingest ? Number(values.ingest) : undefined,
      total: values.total ? Number(values.total) : undefined,
      decrypt: values.decrypt ? Number(values.decrypt) : undefined,
      db: values.db,
      pg: values.pg,
    }),
  );
  process.exit(ok ? 0 : 1);
}
