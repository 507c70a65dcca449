/**
 * Channel adds → tags + welcome (issues "Channel codes, tags and welcome messages" and "storage"): customers add reps
 * through 3 channel codes at a steady rate (default 200 adds/s for 30 s). WeCom (the emulator and the customers) runs
 * in a process of its own (scripts/bench-welcome-wecom.ts) and sends each add's encrypted callback to the server in
 * real-corp mode, in its own process(es); the server syncs the contact, tags it (mark_tag) and sends the welcome
 * (send_welcome_msg), over HTTP to the emulator.
 *
 * Targets, side by side and interleaved (BENCH_WELCOME_ROUNDS rounds, default 2): the implementation before the data
 * layer on SQLite, this one on SQLite, on PostgreSQL with 1 instance and with 3 instances on one database.
 * Measured from WeCom's side: the add (the emulator starting its callback) → WeCom accepting send_welcome_msg;
 * duplicates and misses of tags and welcomes (every mark_tag and send_welcome_msg call, the tags on each follow);
 * and the server's CPU per add (the sum of every instance's, from /proc, from the first add until the backlog is
 * drained), PostgreSQL's beside it.
 *
 * `tsx scripts/bench-welcome.ts [addsPerSecond] [seconds]`; BENCH_WELCOME_TARGETS=previous,sqlite,pg1,pg3.
 */
import { pathToFileURL } from 'node:url';
import { checkout, type Checkout } from './bench-checkout.js';
import { PREVIOUS } from './bench-callback.js';
import { admin, loadAverage, median, startSystem, type System, type Target } from './bench-system.js';
import type { DriveCode } from './bench-welcome-customers.js';
import { percentile } from './percentile.js';
import { startCluster, type PgCluster } from './pg-cluster.js';

const P99_TARGET_MS = 2000;
const CPU_TARGET_MS = 2;
/** CPU per add with 3 instances may be at most this much above one instance's. */
const INSTANCES_CPU_SLACK = 0.25;
/** WeCom accepts send_welcome_msg within 20 s of the add. */
export const WECOM_WINDOW_MS = 20_000;

export type WelcomeKey = 'previous' | 'baseline' | 'sqlite' | 'pg1' | 'pg3';

export interface WelcomeRun {
  adds: number;
  achievedRate: number;
  welcomesSent: number;
  /** Welcomes WeCom accepted within 20 s of the add. */
  inWindow: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  tagDuplicates: number;
  tagMisses: number;
  welcomeDuplicates: number;
  welcomeMisses: number;
  /** Server CPU (all instances) per add, ms. */
  cpuMsPerAdd: number;
  /** PostgreSQL's CPU per add, ms (0 on SQLite). */
  dbCpuMsPerAdd: number;
  /** The backlog was not drained within the timeout. */
  undrained: number;
  /** WeCom API calls per add, by path. */
  callsPerAdd: Record<string, number>;
  /** The machine's load average at the end of the run (shared machine, 2 cores). */
  load: number;
}

export interface WelcomeTargetResult {
  key: WelcomeKey;
  label: string;
  runs: WelcomeRun[];
}

export interface BenchWelcomeResult {
  rate: number;
  seconds: number;
  targets: WelcomeTargetResult[];
}

const CHANNELS = [
  { name: '门店海报', reps: ['zhangwei', 'lina'], tags: ['线下门店', '潜在客户'] },
  { name: '快递包裹卡', reps: ['sunli', 'zhouxin'], tags: ['电商包裹卡'] },
  { name: '官网落地页', reps: ['liuyang', 'chenjing', 'zhaolei'], tags: ['官网咨询', '潜在客户'] },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The three channel codes, created through the admin API once the instance has synced the reps and tags. */
export async function createChannels(system: System): Promise<DriveCode[]> {
  const base = system.servers[0]!.url;
  const codes: DriveCode[] = [];
  let tagByName = new Map<string, string>();
  for (let i = 0; ; i++) {
    try {
      await admin(base, 'POST', '/api/tags/sync');
      const library = await admin<{ groups: { tags: { id: string; name: string }[] }[] }>(base, 'GET', '/api/tags');
      tagByName = new Map(library.groups.flatMap((g) => g.tags.map((t) => [t.name, t.id] as const)));
      for (const c of CHANNELS.slice(codes.length)) {
        const created = await admin<{ state: string; tagIds: string[] }>(base, 'POST', '/api/channels', {
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
      return codes;
    } catch (err) {
      // The reps are synced by the start-up job: until then a channel naming them is refused.
      if (i >= 100) throw err;
      await sleep(300);
    }
  }
}

/**
 * Whether inbox events or due jobs are unfinished (either implementation's statuses). Polled while the backlog
 * drains, so it stops at the first row: counting thousands of rows every 100 ms was PostgreSQL CPU charged to the
 * adds (2.5 s of a run).
 */
async function busy(system: System): Promise<boolean> {
  const [row] = await system.probe.rows<{ b: boolean | number }>(
    `SELECT (EXISTS (SELECT 1 FROM events WHERE status IN ('pending', 'running', 'processing')) OR
             EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ${Date.now()})) AS b`,
  );
  return Boolean(row?.b);
}

/** Inbox events and jobs not finished yet (either implementation's statuses). */
export async function backlog(system: System): Promise<number> {
  const [row] = await system.probe.rows<{ n: number | string }>(
    `SELECT (SELECT count(*) FROM events WHERE status IN ('pending', 'running', 'processing')) +
            (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ${Date.now()}) AS n`,
  );
  return Number(row?.n ?? 0);
}

export async function welcomeRun(
  target: Target,
  cluster: PgCluster | null,
  rate: number,
  seconds: number,
  drainTimeoutMs = 120_000,
): Promise<WelcomeRun> {
  const system = await startSystem(target, cluster);
  try {
    const codes = await createChannels(system);
    // The start-up jobs (directory, contacts and tags sync) finish before the measurement starts.
    for (let i = 0; i < 300 && (await busy(system)); i++) await sleep(100);
    const cpu0 = system.serverCpuUs();
    const db0 = system.databaseCpuUs();
    const driven = await system.wecom.drive(rate, seconds, codes);
    const until = Date.now() + drainTimeoutMs;
    while ((await busy(system)) && Date.now() < until) await sleep(100);
    const left = await backlog(system);
    const cpuMs = (system.serverCpuUs() - cpu0) / 1000;
    const dbMs = (system.databaseCpuUs() - db0) / 1000;
    if (driven.failures.length > 0) {
      process.stderr.write(`${driven.failures.length} adds failed, e.g. ${driven.failures[0]}\n`);
    }
    const counted = await system.wecom.collect();
    const latencies = [...counted.welcomeLatencies].sort((a, b) => a - b);
    const lost = driven.failures.length;
    const per = (ms: number) => Math.round((ms / driven.adds) * 100) / 100;
    return {
      adds: driven.adds,
      achievedRate: driven.achievedRate,
      welcomesSent: latencies.length,
      inWindow: latencies.filter((ms) => ms <= WECOM_WINDOW_MS).length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? NaN,
      tagDuplicates: counted.tagDuplicates,
      tagMisses: counted.tagMisses + lost,
      welcomeDuplicates: counted.welcomeDuplicates,
      welcomeMisses: counted.welcomeMisses + lost,
      cpuMsPerAdd: per(cpuMs),
      dbCpuMsPerAdd: per(dbMs),
      undrained: left,
      load: loadAverage(),
      callsPerAdd: Object.fromEntries(
        Object.entries(counted.calls).map(([path, n]) => [
          path.replace('/cgi-bin/', ''),
          Math.round((n / driven.adds) * 100) / 100,
        ]),
      ),
    };
  } finally {
    await system.stop();
  }
}

export async function benchWelcome(rate = 200, seconds = 30): Promise<BenchWelcomeResult> {
  const wanted = process.env.BENCH_WELCOME_TARGETS?.split(',').map((k) => k.trim()) ?? null;
  const include = (key: WelcomeKey) => wanted === null || wanted.includes(key);
  const rounds = Number(process.env.BENCH_WELCOME_ROUNDS ?? 2);
  let previous: Checkout | null = null;
  let baseline: Checkout | null = null;
  let cluster: PgCluster | null = null;
  try {
    const targets: Array<{ key: WelcomeKey; target: Target }> = [];
    // BENCH_BASELINE=<commit>: that commit's server on SQLite beside this one (a before/after of one change).
    const baselineCommit = process.env.BENCH_BASELINE?.trim();
    if (baselineCommit) {
      baseline = checkout(baselineCommit);
      targets.push({
        key: 'baseline',
        target: { label: `before (${baselineCommit}), SQLite`, backend: 'sqlite', root: baseline.root },
      });
    }
    if (include('previous')) {
      previous = checkout(PREVIOUS);
      targets.push({
        key: 'previous',
        target: { label: `previous (${PREVIOUS}), SQLite`, backend: 'sqlite', root: previous.root },
      });
    }
    if (include('sqlite')) targets.push({ key: 'sqlite', target: { label: 'SQLite', backend: 'sqlite' } });
    if (include('pg1') || include('pg3')) cluster = await startCluster();
    if (include('pg1')) {
      targets.push({ key: 'pg1', target: { label: 'PostgreSQL, 1 instance', backend: 'postgres', instances: 1 } });
    }
    if (include('pg3')) {
      targets.push({ key: 'pg3', target: { label: 'PostgreSQL, 3 instances', backend: 'postgres', instances: 3 } });
    }
    const runs = new Map<WelcomeKey, WelcomeRun[]>(targets.map((t) => [t.key, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const { key, target } of order) {
        const run = await welcomeRun(target, cluster, rate, seconds);
        runs.get(key)!.push(run);
        process.stderr.write(
          `round ${round + 1}/${rounds} ${target.label}: ${run.welcomesSent}/${run.adds} welcomed, p99 ${run.p99Ms} ms, ${run.cpuMsPerAdd} ms CPU/add (+${run.dbCpuMsPerAdd} database)\n`,
        );
      }
    }
    return {
      rate,
      seconds,
      targets: targets.map(({ key, target }) => ({ key, label: target.label, runs: runs.get(key)! })),
    };
  } finally {
    cluster?.stop();
    previous?.remove();
    baseline?.remove();
  }
}

const med = (t: WelcomeTargetResult, f: (r: WelcomeRun) => number) => median(t.runs.map(f));
const sum = (t: WelcomeTargetResult, f: (r: WelcomeRun) => number) => t.runs.reduce((s, r) => s + f(r), 0);

export function printWelcome(r: BenchWelcomeResult): boolean {
  console.log(`\n## Channel adds → tags + welcome (${r.rate} adds/s for ${r.seconds} s per run; medians over runs)`);
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${'target'.padEnd(34)}${pad('welcomed', 14)}${pad('p50', 8)}${pad('p99', 8)}${pad('max', 8)}${pad('CPU ms/add', 12)}  tag dup/miss, welcome dup/miss`,
  );
  for (const t of r.targets) {
    const db = med(t, (x) => x.dbCpuMsPerAdd).toFixed(2);
    console.log(
      `${t.label.padEnd(34)}${pad(`${sum(t, (x) => x.welcomesSent)}/${sum(t, (x) => x.adds)}`, 14)}${pad(
        Math.round(med(t, (x) => x.p50Ms)),
        8,
      )}${pad(Math.round(med(t, (x) => x.p99Ms)), 8)}${pad(Math.round(med(t, (x) => x.maxMs)), 8)}${pad(
        ` ${med(t, (x) => x.cpuMsPerAdd).toFixed(2)}`,
        12,
      )}${t.runs.some((x) => x.dbCpuMsPerAdd > 0) ? ` +${db} db` : ''}  ${sum(t, (x) => x.tagDuplicates)}/${sum(t, (x) => x.tagMisses)}, ${sum(t, (x) => x.welcomeDuplicates)}/${sum(t, (x) => x.welcomeMisses)}`,
    );
    console.log(
      `    runs: ${t.runs.map((x) => `${x.inWindow} in 20 s, p99 ${x.p99Ms} ms, ${x.cpuMsPerAdd} ms/add, load ${x.load}`).join(' | ')}`,
    );
    console.log(`    WeCom calls per add: ${JSON.stringify(t.runs[0]?.callsPerAdd ?? {})}`);
  }
  const checks: Array<[string, boolean]> = [];
  for (const t of r.targets) {
    if (t.key === 'previous' || t.key === 'baseline') continue;
    const clean =
      sum(t, (x) => x.tagDuplicates + x.tagMisses + x.welcomeDuplicates + x.welcomeMisses + x.undrained) === 0;
    checks.push([
      `${t.label}: p99 ≤ ${P99_TARGET_MS} ms, no duplicate or missed tag or welcome`,
      med(t, (x) => x.p99Ms) <= P99_TARGET_MS && clean,
    ]);
  }
  const sqlite = r.targets.find((t) => t.key === 'sqlite');
  if (sqlite) {
    const cpu = med(sqlite, (x) => x.cpuMsPerAdd);
    checks.push([`SQLite: server CPU per add ≤ ${CPU_TARGET_MS} ms (${cpu} ms)`, cpu <= CPU_TARGET_MS]);
  }
  const [pg1, pg3] = (['pg1', 'pg3'] as const).map((k) => r.targets.find((t) => t.key === k));
  if (pg1 && pg3) {
    const ratio = med(pg3, (x) => x.cpuMsPerAdd) / med(pg1, (x) => x.cpuMsPerAdd);
    checks.push([
      `PostgreSQL: CPU per add with 3 instances within ${INSTANCES_CPU_SLACK * 100} % of 1 instance's (${(ratio * 100).toFixed(0)} %)`,
      ratio <= 1 + INSTANCES_CPU_SLACK,
    ]);
  }
  for (const [what, ok] of checks) console.log(`${ok ? '✔' : '✘'} ${what}`);
  const ok = checks.every(([, met]) => met);
  console.log(ok ? 'welcome targets: met' : 'welcome targets: NOT met');
  return ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rate = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 30);
  process.exit(printWelcome(await benchWelcome(rate, seconds)) ? 0 : 1);
}
