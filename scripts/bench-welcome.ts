/**
 * Welcome benchmark (issue "Channel codes, tags and welcome messages"): the real app on a temp SQLite file; the
 * emulator plays WeCom. Customers add reps through 3 channel codes at a steady rate (default 200 adds/s for 30 s);
 * each add is a real encrypted callback over HTTP, then the worker syncs the contact, tags it (mark_tag) and sends
 * the welcome (send_welcome_msg) over HTTP.
 *
 * Measured: callback received → welcome sent (send_welcome_msg answered), from the database (events.received_at,
 * jobs.done_at); duplicates and misses of tags and welcomes, from what the emulator received (mark_tag and
 * send_welcome_msg calls, the tags on each follow); CPU per add of the server process.
 *
 * `wecom: 'separate'` (default) runs the emulator and the customers in a child process, as WeCom is another
 * machine in production; `'in-process'` runs them inside the server process (one event loop for everything).
 *
 * Run alone: `tsx scripts/bench-welcome.ts [addsPerSecond] [seconds] [separate|in-process]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp, type App } from '../server/app.js';
import { loadConfig, type Config } from '../server/config.js';
import { DEMO_CORP } from '../server/emulator/index.js';
import { CustomerDriver, type Counted, type DriveCode, type Driven } from './bench-welcome-customers.js';
import type { FromWecom, ToWecom } from './bench-welcome-wecom.js';
import { percentile } from './percentile.js';

export interface BenchWelcomeOptions {
  addsPerSecond?: number;
  durationSeconds?: number;
  wecom?: 'separate' | 'in-process';
  /** How long to wait for the backlog after the last add. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface BenchWelcomeResult {
  adds: number;
  /** Callback received → welcome sent, over every add whose welcome was sent. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  welcomesSent: number;
  tagDuplicates: number;
  tagMisses: number;
  welcomeDuplicates: number;
  welcomeMisses: number;
  /** Adds started per second (the driver may fall behind the target under load). */
  achievedRate: number;
  /** CPU time (user + system) of the server process per add, from the first add until the backlog drained. */
  cpuMsPerAdd: number;
  wecom: 'separate' | 'in-process';
}

/** What the benchmark needs from "WeCom": its API address, and customers to drive and count. */
interface WecomSide {
  apiBase: string | null;
  configure(callbackUrl: string): void;
  drive(rate: number, seconds: number, codes: DriveCode[]): Promise<Driven>;
  collect(): Promise<Counted>;
  close(): Promise<void>;
}

const CORP = DEMO_CORP.corpId;
const CHANNELS = [
  { name: '门店海报', reps: ['zhangwei', 'lina'], tags: ['线下门店', '潜在客户'] },
  { name: '快递包裹卡', reps: ['sunli', 'zhouxin'], tags: ['电商包裹卡'] },
  { name: '官网落地页', reps: ['liuyang', 'chenjing', 'zhaolei'], tags: ['官网咨询', '潜在客户'] },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The emulator and the customers in a child process, talked to over IPC. */
async function separateWecom(): Promise<WecomSide> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'bench-welcome-wecom.ts');
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends FromWecom['type']>(type: T) =>
    new Promise<Extract<FromWecom, { type: T }>>((resolve, reject) => {
      const onMessage = (msg: FromWecom) => {
        if (msg.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(msg as Extract<FromWecom, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the WeCom process exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const post = (msg: ToWecom) => child.send(msg);
  const { port } = await next('ready');
  return {
    apiBase: `http://127.0.0.1:${port}/emulator`,
    configure: (callbackUrl) => post({ type: 'configure', callbackUrl }),
    async drive(rate, seconds, codes) {
      const done = next('driven');
      post({ type: 'drive', rate, seconds, codes });
      const { type: _type, ...driven } = await done;
      return driven;
    },
    async collect() {
      const done = next('collected');
      post({ type: 'collect' });
      const { type: _type, ...counted } = await done;
      return counted;
    },
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

async function startServer(wecomApiBase: string | null): Promise<App> {
  const base = loadConfig({ ADMIN_TOKEN: 'bench-admin-token-0123456789' }, DEMO_CORP);
  const config: Config = {
    ...base,
    databasePath: join(mkdtempSync(join(tmpdir(), 'scrm-bench-welcome-')), 'scrm.db'),
    // Not demo mode: no emulator state file, so only the measured work touches the disk.
    demo: false,
    emulator: wecomApiBase === null,
    wecom: { ...base.wecom, apiBase: wecomApiBase },
    logLevel: 'silent',
    backgroundJobs: false,
  };
  const app = await buildApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

export async function benchWelcome(opts: BenchWelcomeOptions = {}): Promise<BenchWelcomeResult> {
  const rate = opts.addsPerSecond ?? 200;
  const seconds = opts.durationSeconds ?? 30;
  const mode = opts.wecom ?? 'separate';
  const log = opts.log ?? (() => {});

  const outside = mode === 'separate' ? await separateWecom() : null;
  const app = await startServer(outside?.apiBase ?? null);
  let wecom: WecomSide;
  if (outside) {
    wecom = outside;
  } else {
    const customers = new CustomerDriver(app.emulator!);
    wecom = {
      apiBase: null,
      configure: () => undefined,
      drive: (r, s, codes) => customers.drive(r, s, codes),
      collect: async () => customers.collect(),
      close: async () => undefined,
    };
  }
  try {
    wecom.configure(`${app.origin.internal()}/wecom/callback/${CORP}`);
    const { directory, tags, channels } = app.services;
    await directory.syncAll(CORP);
    await tags.syncAll(CORP);
    const tagByName = new Map(tags.list(CORP).groups.flatMap((g) => g.tags.map((t) => [t.name, t.id] as const)));
    const codes: DriveCode[] = [];
    for (const c of CHANNELS) {
      const created = await channels.create(CORP, {
        name: c.name,
        reps: c.reps,
        tagIds: c.tags.map((n) => tagByName.get(n)!),
        welcome: {
          text: '{客户昵称}您好，我是{员工姓名}，欢迎！',
          attachments: [{ type: 'link', title: '新人礼', url: 'https://www.example.com/gift' }],
        },
      });
      codes.push({ state: created.state, reps: c.reps, tagIds: created.tagIds });
    }

    log(
      `driving ${rate * seconds} adds at ${rate}/s (WeCom ${mode === 'separate' ? 'in its own process' : 'in this process'}) …`,
    );
    const cpuStart = process.cpuUsage();
    const driven = await wecom.drive(rate, seconds, codes);
    log(`all callbacks delivered; waiting for the worker …`);
    const db = app.db.$client;
    const backlog = db.prepare(
      `SELECT (SELECT count(*) FROM events WHERE status IN ('pending','processing')) +
              (SELECT count(*) FROM jobs WHERE status IN ('pending','running')) AS n`,
    );
    const until = Date.now() + (opts.drainTimeoutMs ?? 120_000);
    while ((backlog.get() as { n: number }).n > 0 && Date.now() < until) await sleep(100);
    const cpu = process.cpuUsage(cpuStart);
    if (driven.failures.length > 0) log(`${driven.failures.length} adds failed, e.g. ${driven.failures[0]}`);

    const latencies = (
      db
        .prepare(
          `SELECT j.done_at - e.received_at AS ms FROM jobs j JOIN events e ON e.id = json_extract(j.payload, '$.eventId')
           WHERE j.kind = 'send_welcome' AND j.status = 'done'`,
        )
        .all() as { ms: number }[]
    )
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    const counted = await wecom.collect();
    const lost = driven.adds - (driven.adds - driven.failures.length);
    return {
      adds: driven.adds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? NaN,
      welcomesSent: latencies.length,
      tagDuplicates: counted.tagDuplicates,
      tagMisses: counted.tagMisses + lost,
      welcomeDuplicates: counted.welcomeDuplicates,
      welcomeMisses: counted.welcomeMisses + lost,
      achievedRate: driven.achievedRate,
      cpuMsPerAdd: Math.round(((cpu.user + cpu.system) / 1000 / driven.adds) * 100) / 100,
      wecom: mode,
    };
  } finally {
    await app.close();
    await wecom.close();
    rmSync(dirname(app.config.databasePath), { recursive: true, force: true });
  }
}

export function printWelcome(r: BenchWelcomeResult, rate = 200, seconds = 30): boolean {
  const ok = r.p99Ms <= 2000 && r.tagDuplicates + r.tagMisses + r.welcomeDuplicates + r.welcomeMisses === 0;
  const where = r.wecom === 'separate' ? 'WeCom emulator in its own process' : 'WeCom emulator in the server process';
  console.log(`\n## Channel adds → tags + welcome (${rate} adds/s for ${seconds} s; ${where})`);
  console.log(
    `adds: ${r.adds} (driven at ${r.achievedRate}/s), welcomes sent: ${r.welcomesSent}, server CPU ${r.cpuMsPerAdd} ms per add`,
  );
  console.log(
    `callback → welcome sent: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms   (target p99 ≤ 2000 ms)`,
  );
  console.log(
    `tags: ${r.tagDuplicates} duplicates, ${r.tagMisses} misses   welcomes: ${r.welcomeDuplicates} duplicates, ${r.welcomeMisses} misses   (target 0 and 0)`,
  );
  console.log(ok ? 'welcome targets: met' : 'welcome targets: NOT met');
  return ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rate = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 30);
  const wecom = process.argv[4] === 'in-process' ? 'in-process' : 'separate';
  const result = await benchWelcome({
    addsPerSecond: rate,
    durationSeconds: seconds,
    wecom,
    log: (l) => console.log(l),
  });
  process.exit(printWelcome(result, rate, seconds) ? 0 : 1);
}
