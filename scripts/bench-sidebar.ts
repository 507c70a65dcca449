/**
 * Sidebar benchmark (issue "The rep sidebar"):
 *   1. the gzip size of the built sidebar's JavaScript (dist/sidebar/assets/*.js, `npm run build`), target ≤ 200 KB;
 *   2. a temp database seeded with 100,000 customers (follows by 10 reps, tags, channels) and 1,000,000 timeline items,
 *      with a progress bar;
 *   3. p50/p95 of GET /api/customers/:id (the card) and of the first timeline page, through the real app (inject,
 *      with real session cookies) over a few thousand random customers, target p95 ≤ 10 ms;
 *   4. the query plans of every statement those requests run: no full scan of a big table.
 * Run alone with `tsx scripts/bench-sidebar.ts`.
 */
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import Sqlite from 'better-sqlite3';
import cliProgress from 'cli-progress';
import { buildApp, type App } from '../server/app.js';
import { loadConfig, type Config } from '../server/config.js';
import { openSqlite } from '../server/db/sqlite.js';
import { DEMO_CORP } from '../server/emulator/index.js';
import { percentile } from './percentile.js';

const CUSTOMERS = 100_000;
const TIMELINE_ITEMS = 1_000_000;
const REPS = 10;
const SAMPLES = 3_000;
const WARMUP = 300;
/** One chatty customer: filter chips and deep pages must stay indexed however long the history. */
const HEAVY_ITEMS = 50_000;
const JS_BUDGET_BYTES = 200 * 1024;
const P95_BUDGET_MS = 10;

/** Tables big enough that a full scan is a bug. */
const BIG_TABLES = ['contacts', 'follows', 'follow_tags', 'timeline_items', 'sessions', 'script_sends'];

export interface LatencyFigures {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SidebarBenchResult {
  js: { files: { name: string; bytes: number; gzipBytes: number }[]; gzipBytes: number } | null;
  seed: { customers: number; follows: number; timelineItems: number; seconds: number };
  samples: number;
  card: LatencyFigures;
  timeline: LatencyFigures;
  customerList: LatencyFigures;
  /** The chatty customer: first page, the notes chip, and a page 25,000 items deep. */
  heavy: { items: number; firstPage: LatencyFigures; notes: LatencyFigures; deepPage: LatencyFigures };
  plans: { sql: string; plan: string[]; fullScan: boolean }[];
}

// ---- data ----------------------------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹';
const GIVEN = [
  '浩然',
  '子轩',
  '雨桐',
  '欣怡',
  '梓涵',
  '俊杰',
  '诗琪',
  '志强',
  '晓燕',
  '婉婷',
  '思远',
  '慧敏',
  '海涛',
  '若曦',
  '鹏飞',
];
const TIMELINE_KINDS = [
  'message',
  'message',
  'message',
  'note',
  'tagged',
  'script_sent',
  'message',
  'stage_changed',
  'message',
];
const DAY = 86_400_000;

/** Seeds the SQLite file directly (its schema applied by openSqlite), before the app opens it. */
function seed(sqlite: Sqlite.Database, bar: cliProgress.SingleBar) {
  const corpId = DEMO_CORP.corpId;
  const random = mulberry32(20240618);
  const now = Date.now();
  sqlite.pragma('synchronous = OFF');

  const reps = Array.from({ length: REPS }, (_, i) => `rep${String(i).padStart(2, '0')}`);
  const tagIds = Array.from({ length: 20 }, (_, i) => `etBenchTag${String(i).padStart(4, '0')}`);
  let channelIds: number[] = [];

  sqlite.transaction(() => {
    const rep = sqlite.prepare('INSERT INTO reps (corp_id, user_id, name, position, avatar) VALUES (?, ?, ?, ?, ?)');
    reps.forEach((userId, i) =>
      rep.run(corpId, userId, `销售${i}`, '销售顾问', `https://example.invalid/${userId}.png`),
    );
    const group = sqlite.prepare('INSERT INTO tag_groups (corp_id, group_id, name, "order") VALUES (?, ?, ?, ?)');
    const tag = sqlite.prepare('INSERT INTO tags (corp_id, tag_id, group_id, name, "order") VALUES (?, ?, ?, ?, ?)');
    for (let g = 0; g < 4; g++) {
      group.run(corpId, `etBenchGroup${g}`, `标签组${g}`, 4 - g);
      for (let t = 0; t < 5; t++) tag.run(corpId, tagIds[g * 5 + t], `etBenchGroup${g}`, `标签${g}-${t}`, 5 - t);
    }
    const channel = sqlite.prepare(
      'INSERT INTO channels (corp_id, name, state, config_id, qr_code) VALUES (?, ?, ?, ?, ?) RETURNING id',
    );
    channelIds = Array.from(
      { length: 8 },
      (_, i) => (channel.get(corpId, `渠道${i}`, `bench_${i}`, `cfg${i}`, '') as { id: number }).id,
    );
  })();

  const contact = sqlite.prepare(
    'INSERT INTO contacts (corp_id, external_user_id, name, avatar, type, gender) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const follow = sqlite.prepare(
    `INSERT INTO follows (corp_id, user_id, external_user_id, remark, description, added_at, channel_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const followTag = sqlite.prepare(
    'INSERT INTO follow_tags (corp_id, user_id, external_user_id, tag_id) VALUES (?, ?, ?, ?)',
  );
  const item = sqlite.prepare(
    `INSERT INTO timeline_items (corp_id, external_user_id, user_id, kind, content, payload, occurred_at)
     VALUES (?, ?, ?, ?, ?, '{}', ?)`,
  );

  const itemsPerCustomer = TIMELINE_ITEMS / CUSTOMERS;
  const ids: { externalUserId: string; userId: string }[] = [];
  let follows = 0;
  const BATCH = 2_000;
  for (let start = 0; start < CUSTOMERS; start += BATCH) {
    sqlite.transaction(() => {
      for (let i = start; i < Math.min(CUSTOMERS, start + BATCH); i++) {
        const externalUserId = `wmBench${String(i).padStart(25, '0')}`;
        const name = `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(random() * GIVEN.length)]}`;
        contact.run(
          corpId,
          externalUserId,
          name,
          `https://example.invalid/a/${i}.png`,
          random() < 0.3 ? 2 : 1,
          1 + (i % 2),
        );
        const addedAt = now - Math.floor(random() * 365 * DAY);
        const followers = i % 5 === 0 ? [reps[i % REPS]!, reps[(i + 3) % REPS]!] : [reps[i % REPS]!];
        for (const userId of followers) {
          const channelId = random() < 0.6 ? channelIds[i % channelIds.length]! : null;
          follow.run(corpId, userId, externalUserId, `${name.slice(0, 1)}先生`, '关注智能手表', addedAt, channelId);
          for (const t of [tagIds[i % 5]!, tagIds[5 + (i % 5)]!, tagIds[10 + ((i * 7) % 5)]!])
            followTag.run(corpId, userId, externalUserId, t);
          follows += 1;
        }
        for (let k = 0; k < itemsPerCustomer; k++) {
          const kind = k === 0 ? 'added' : TIMELINE_KINDS[(i + k) % TIMELINE_KINDS.length]!;
          const occurredAt = addedAt + k * Math.floor(random() * DAY + 60_000);
          item.run(
            corpId,
            externalUserId,
            kind === 'message' ? null : followers[0],
            kind,
            `第${k}条 ${kind}`,
            occurredAt,
          );
        }
        ids.push({ externalUserId, userId: followers[0]! });
      }
    })();
    bar.increment(Math.min(BATCH, CUSTOMERS - start) * (1 + itemsPerCustomer));
  }
  const heavy = 'wmBenchHeavy00000000000000000000';
  sqlite.transaction(() => {
    contact.run(corpId, heavy, '话痨客户', '', 1, 1);
    follow.run(corpId, reps[0], heavy, '', '', now - 400 * DAY, null);
    for (let k = 0; k < HEAVY_ITEMS; k++) {
      const kind = k % 10_000 === 5_000 ? 'note' : 'message';
      item.run(corpId, heavy, kind === 'note' ? reps[0] : null, kind, `第${k}条`, now - 400 * DAY + k * 600_000);
    }
  })();
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('ANALYZE');
  return { reps, ids, follows: follows + 1, heavy };
}

// ---- measuring -----------------------------------------------------------------------------------------------------

function figures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  const at = (p: number) => round(percentile(sorted, p));
  return { p50: at(50), p95: at(95), p99: at(99), max: round(sorted.at(-1) ?? NaN) };
}

async function timed(app: App, url: string, cookie: string): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await app.inject({ url, headers: { cookie } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return ms;
}

/**
 * Every statement one card + timeline + list request runs, with its plan; `fullScan` flags a scan of a big table.
 * The app's statements are heard on better-sqlite3's Statement (the driver stays inside server/db/); the plans are
 * asked of a read-only connection of their own.
 */
async function capturePlans(app: App, path: string, url: string[], cookie: string) {
  const reader = new Sqlite(path, { readonly: true });
  const statement = Object.getPrototypeOf(reader.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  const captured = new Map<string, unknown[]>();
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  for (const method of ['all', 'get']) {
    const fn = statement[method]!;
    originals.set(method, fn);
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      if (/^\s*select/i.test(this.source)) captured.set(this.source, args);
      return fn.apply(this, args);
    };
  }
  try {
    for (const u of url) await app.inject({ url: u, headers: { cookie } });
  } finally {
    for (const [method, fn] of originals) statement[method] = fn;
  }
  const plans = [...captured].map(([sql, args]) => {
    const plan = (
      reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...((args[0] ?? []) as never[])) as { detail: string }[]
    ).map((r) => r.detail);
    const fullScan = plan.some((d) =>
      BIG_TABLES.some((t) => new RegExp(`^SCAN ${t}\\b(?! USING (COVERING )?INDEX)`).test(d)),
    );
    return { sql, plan, fullScan };
  });
  reader.close();
  return plans;
}

function sidebarJs(): SidebarBenchResult['js'] {
  const dir = resolve(import.meta.dirname, '../dist/sidebar/assets');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.js'));
  } catch {
    return null;
  }
  if (names.length === 0) return null;
  const files = names.map((name) => {
    const data = readFileSync(join(dir, name));
    return { name, bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
  });
  return { files, gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0) };
}

export async function benchSidebar(): Promise<SidebarBenchResult> {
  const js = sidebarJs();
  const dir = mkdtempSync(join(tmpdir(), 'scrm-bench-sidebar-'));
  const path = join(dir, 'scrm.db');
  const config: Config = {
    ...loadConfig({ ADMIN_TOKEN: 'bench-admin-token-0123456789' }, DEMO_CORP),
    database: { backend: 'sqlite', path },
    dataDir: dir,
    logLevel: 'silent',
    backgroundJobs: false,
  };
  await openSqlite(path).close();
  const bar = new cliProgress.SingleBar(
    { format: 'seeding  [{bar}] {percentage}% | {value}/{total} rows | {duration}s', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(CUSTOMERS + TIMELINE_ITEMS, 0);
  const seeder = new Sqlite(path);
  const seeded = seed(seeder, bar);
  seeder.close();
  bar.stop();
  const seedSeconds = Math.round((Date.now() - started) / 100) / 10;

  const app = await buildApp(config, { logger: false });
  try {
    await app.ready();
    const corpId = DEMO_CORP.corpId;
    const cookies = new Map<string, string>();
    for (const userId of seeded.reps) {
      const { token } = await app.modules.auth.sessions.create({ corpId, userId });
      cookies.set(userId, `scrm_session=${token}`);
    }
    const random = mulberry32(7);
    const pick = () => seeded.ids[Math.floor(random() * seeded.ids.length)]!;

    for (let i = 0; i < WARMUP; i++) {
      const c = pick();
      await timed(app, `/api/customers/${c.externalUserId}`, cookies.get(c.userId)!);
      await timed(app, `/api/customers/${c.externalUserId}/timeline`, cookies.get(c.userId)!);
    }
    const card: number[] = [];
    const timeline: number[] = [];
    const customerList: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const c = pick();
      const cookie = cookies.get(c.userId)!;
      card.push(await timed(app, `/api/customers/${c.externalUserId}`, cookie));
      timeline.push(await timed(app, `/api/customers/${c.externalUserId}/timeline`, cookie));
      if (i % 10 === 0) customerList.push(await timed(app, '/api/customers?limit=20', cookie));
    }

    const heavyCookie = cookies.get(seeded.reps[0]!)!;
    const heavyUrl = `/api/customers/${seeded.heavy}/timeline`;
    const middle = await app.inject({ url: `${heavyUrl}?limit=100`, headers: { cookie: heavyCookie } });
    let deepCursor = (middle.json() as { nextCursor: string }).nextCursor;
    for (let i = 0; i < 249; i++) {
      const page = await app.inject({
        url: `${heavyUrl}?limit=100&cursor=${deepCursor}`,
        headers: { cookie: heavyCookie },
      });
      deepCursor = (page.json() as { nextCursor: string }).nextCursor;
    }
    const heavyRuns = async (url: string) => {
      const runs: number[] = [];
      for (let i = 0; i < 200; i++) runs.push(await timed(app, url, heavyCookie));
      return figures(runs);
    };
    const heavy = {
      items: HEAVY_ITEMS,
      firstPage: await heavyRuns(heavyUrl),
      notes: await heavyRuns(`${heavyUrl}?filter=notes`),
      deepPage: await heavyRuns(`${heavyUrl}?cursor=${deepCursor}`),
    };

    const sample = seeded.ids[42]!;
    const firstPage = await app.inject({
      url: `/api/customers/${sample.externalUserId}/timeline?limit=3`,
      headers: { cookie: cookies.get(sample.userId)! },
    });
    const cursor = (firstPage.json() as { nextCursor: string }).nextCursor;
    const plans = await capturePlans(
      app,
      path,
      [
        `/api/customers/${sample.externalUserId}`,
        `/api/customers/${sample.externalUserId}/timeline`,
        `/api/customers/${sample.externalUserId}/timeline?filter=notes`,
        `/api/customers/${sample.externalUserId}/timeline?cursor=${cursor}`,
        '/api/customers?limit=20',
        `${heavyUrl}?filter=notes`,
        `${heavyUrl}?filter=events&cursor=${deepCursor}`,
      ],
      cookies.get(sample.userId)!,
    );

    return {
      js,
      seed: { customers: CUSTOMERS, follows: seeded.follows, timelineItems: TIMELINE_ITEMS, seconds: seedSeconds },
      samples: SAMPLES,
      card: figures(card),
      timeline: figures(timeline),
      customerList: figures(customerList),
      heavy,
      plans,
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printSidebar(r: SidebarBenchResult): boolean {
  console.log('\n## Rep sidebar');
  if (r.js) {
    for (const f of r.js.files)
      console.log(
        `  ${f.name.padEnd(32)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KB   gzip ${(f.gzipBytes / 1024).toFixed(1).padStart(7)} KB`,
      );
    console.log(
      `sidebar JavaScript, gzip: ${(r.js.gzipBytes / 1024).toFixed(1)} KB   (target ≤ ${JS_BUDGET_BYTES / 1024} KB)`,
    );
  } else {
    console.log('sidebar JavaScript: dist/sidebar/assets/*.js is missing — run `npm run build` first');
  }
  console.log(
    `database: ${r.seed.customers.toLocaleString('en')} customers, ${r.seed.follows.toLocaleString('en')} follows, ${r.seed.timelineItems.toLocaleString('en')} timeline items (seeded in ${r.seed.seconds} s)`,
  );
  const line = (label: string, f: LatencyFigures) =>
    console.log(`${label.padEnd(44)} p50 ${f.p50} ms   p95 ${f.p95} ms   p99 ${f.p99} ms   max ${f.max} ms`);
  line(`GET /api/customers/:id (${r.samples} samples)`, r.card);
  line(`GET /api/customers/:id/timeline (first page)`, r.timeline);
  line(`GET /api/customers?limit=20 (${Math.ceil(r.samples / 10)} samples)`, r.customerList);
  line(`timeline of a ${r.heavy.items.toLocaleString('en')}-item customer: first page`, r.heavy.firstPage);
  line('  … the notes chip', r.heavy.notes);
  line('  … a page 25,000 items deep', r.heavy.deepPage);
  const scans = r.plans.filter((p) => p.fullScan);
  console.log(
    `query plans: ${r.plans.length} statements, ${scans.length === 0 ? 'all big tables read through an index' : `${scans.length} FULL SCANS`}`,
  );
  for (const p of scans) console.log(`  ${p.sql}\n    ${p.plan.join('\n    ')}`);
  if (process.env.BENCH_VERBOSE) for (const p of r.plans) console.log(`  ${p.sql}\n    ${p.plan.join('\n    ')}`);
  const ok =
    r.js !== null &&
    r.js.gzipBytes <= JS_BUDGET_BYTES &&
    r.card.p95 <= P95_BUDGET_MS &&
    r.timeline.p95 <= P95_BUDGET_MS &&
    r.heavy.notes.p95 <= P95_BUDGET_MS &&
    r.heavy.deepPage.p95 <= P95_BUDGET_MS &&
    scans.length === 0;
  console.log(ok ? 'sidebar targets: met' : 'sidebar targets: NOT met');
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = printSidebar(await benchSidebar());
  process.exit(ok ? 0 : 1);
}
