/**
 * The large dataset the console and automation benchmarks run on (issue "Console" / "Automations"), generated into a
 * real database through the product's data layer (`db.t.*` tables, multi-row inserts inside large transactions):
 *   - 200 reps in 10 departments (under a root department), 20 channel codes, 8 corp tags;
 *   - 1,000,000 customers (contacts) and their relationships (follows) added over the last 365 days, ~60 % through a
 *     channel code, ~15 % lost since (by the customer or the rep), a quarter tagged;
 *   - every add and loss as the events' hooks record them (customer_movements, channel_movements);
 *   - 5,000,000 chat messages in 1:1 conversations (a customer's question, the rep's reply minutes or hours later;
 *     some questions unanswered), with their conversations' counters, as the conversations module keeps them;
 *   - the dashboards' daily rollups of the 365 past days, made by the product's own rollup (the worker's
 *     `console_rollup` job body: dashboards/rollup.ts), not invented.
 * BENCH_SCALE (default 1) scales customers and messages (0.01: 10,000 customers, 50,000 messages); reps, departments,
 * channels and days stay. The SQLite file of a scale is cached under the temp dir (per corp-day: the data is laid out
 * relative to the day it was made) and copied for each run; PostgreSQL is generated into each throwaway cluster.
 *
 *   npx tsx scripts/bench-data.ts [--pg]   (generates and prints the row counts)
 */
import { getTableName, sql } from 'drizzle-orm';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayInZone } from '../shared/time-zone.js';
import { buildApp, type App } from '../server/app.js';
import { loadConfig, type Config } from '../server/config.js';
import type { Database, Executor } from '../server/db/database.js';
import { DEMO_CORP } from '../server/emulator/index.js';
import { parseLocalDay } from '../server/modules/channels/local-day.js';
import { addDays } from '../server/modules/dashboards/days.js';
import { movementKey } from '../server/modules/dashboards/movements.js';
import { searchTerms } from '../server/modules/messages/segment.js';
import { startCluster, type PgCluster } from './pg-cluster.js';

export const CORP = DEMO_CORP.corpId;
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const DAY_MS = 86_400_000;
const DAYS = 365;
/** Bumped when the generated data changes: a cached file of another version is not reused. */
const DATASET_VERSION = 3;

export const REP_COUNT = 200;
export const DEPARTMENT_COUNT = 10;
export const CHANNEL_COUNT = 20;
/** Each channel code serves 10 reps (its customers go to them); the 20 codes cover the 200 reps. */
const REPS_PER_CHANNEL = 10;
/** Department ids: the root, then the 10 sales departments. */
export const ROOT_DEPARTMENT = 1;
export const departmentIds = Array.from({ length: DEPARTMENT_COUNT }, (_, i) => 101 + i);
export const repIds = Array.from({ length: REP_COUNT }, (_, i) => `rep${String(i + 1).padStart(3, '0')}`);
/** A rep's department (every rep is in one, 20 per department). */
export const departmentOf = (repIndex: number) => departmentIds[repIndex % DEPARTMENT_COUNT]!;

export function benchScale(): number {
  const raw = process.env.BENCH_SCALE?.trim();
  const scale = raw ? Number(raw) : 1;
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10)
    throw new Error(`BENCH_SCALE must be in (0, 10], got ${raw}`);
  return scale;
}

export interface DatasetInfo {
  scale: number;
  backend: 'sqlite' | 'postgres';
  /** Rows per table after generation. */
  counts: Record<string, number>;
  /** Seconds: inserts, rollups, total (0 when the cached file was used). */
  insertSeconds: number;
  rollupSeconds: number;
  seconds: number;
  cached: boolean;
  /** When the data was laid out (ms): adds and chats run up to shortly before it. */
  madeAt: number;
  /** The first and last rolled-up corp-days. */
  firstDay: string;
  lastDay: string;
  channelIds: number[];
  tagIds: string[];
}

/** Deterministic pseudo-random numbers (mulberry32): the same scale gives the same data. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An external_userid as WeCom issues them: `wm` and 30 characters, opaque order (a hash first, the index after). */
export function customerId(i: number): string {
  const h = (Math.imul(i + 1, 2654435761) >>> 0).toString(36).padStart(7, '0');
  return `wm${h}${String(i).padStart(23, '0')}`;
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '平',
  '刚',
  '桂英',
  '晨',
  '欣怡',
  '子涵',
  '浩然',
  '雨桐',
];
const CUSTOMER_LINES = [
  '请问什么时候发货？',
  '这款还有货吗？',
  '能便宜一点吗？',
  '我要退款，东西有问题',
  '快递到哪里了？单号多少？',
  '可以开发票吗？',
  '扫地机器人X9和基础款有什么区别？',
  '滤芯多久换一次？',
  '门锁可以上门安装吗？',
  '有没有分期付款？',
  '收到了，谢谢',
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
const TAGS = [
  { groupId: 'bench-level', group: '客户等级', tags: ['重要客户', '普通客户', '潜在客户', '流失风险'] },
  { groupId: 'bench-intent', group: '购买意向', tags: ['高意向', '中意向', '低意向', '已成交'] },
];

type Tables = Database['t'];
type Row<K extends keyof Tables> = Tables[K]['$inferInsert'];

/** Multi-row inserts of `rows` (statements of `per` rows), in the transaction `tx`. */
async function insertRows<K extends keyof Tables>(ex: Executor, table: Tables[K], rows: Row<K>[], per: number) {
  for (let i = 0; i < rows.length; i += per) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one generic insert over every table of db.t
    await ex.insert(table as any).values(rows.slice(i, i + per) as any);
  }
}

/**
 * Rows produced in order and written in large transactions: `push` collects, every `txRows` rows a transaction
 * writes them in multi-row statements of `per` rows. Full statements are the db layer's prepared statements (built
 * once, run with placeholders): drizzle building a 500-row insert costs more than SQLite running it. On PostgreSQL
 * the db layer builds a transaction's prepared statement per call (its handle is new per transaction), so there it
 * saves nothing but costs nothing either.
 */
function writer<K extends keyof Tables>(db: Database, table: Tables[K], per: number, txRows = 20_000) {
  let buffer: Row<K>[] = [];
  let written = 0;
  let statement: ((ex: Executor, params: Record<string, unknown>) => Promise<unknown>) | null = null;
  let columns: string[] = [];
  const prepare = (first: Row<K>) => {
    columns = Object.keys(first);
    const placeholders = Array.from({ length: per }, (_, i) =>
      Object.fromEntries(columns.map((c, j) => [c, sql.placeholder(`p${i}_${j}`)])),
    );
    return db.prepared<Record<string, unknown>, unknown>(
      `bench_insert_${getTableName(table)}_${per}_${columns.length}`,
      (ex) =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one generic insert over every table of db.t
        ex.insert(table as any).values(placeholders as any) as any,
    );
  };
  const flush = async () => {
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    statement ??= prepare(rows[0]!);
    await db.tx(async (tx) => {
      let i = 0;
      for (; i + per <= rows.length; i += per) {
        const params: Record<string, unknown> = {};
        for (let r = 0; r < per; r++) {
          const row = rows[i + r] as Record<string, unknown>;
          for (let j = 0; j < columns.length; j++) params[`p${r}_${j}`] = row[columns[j]!] ?? null;
        }
        await statement!(tx, params);
      }
      if (i < rows.length) await insertRows<K>(tx, table, rows.slice(i), per);
    });
    written += rows.length;
  };
  return {
    async push(row: Row<K>) {
      buffer.push(row);
      if (buffer.length >= txRows) await flush();
    },
    flush,
    get written() {
      return written + buffer.length;
    },
  };
}

async function count(db: Database, table: string): Promise<number> {
  const [row] = await db.rows<{ n: number }>(db, sql`SELECT count(*) AS n FROM ${sql.identifier(table)}`);
  return Number(row?.n ?? 0);
}

export const COUNTED_TABLES = [
  'departments',
  'reps',
  'channels',
  'contacts',
  'follows',
  'follow_tags',
  'customer_movements',
  'channel_movements',
  'conversations',
  'messages',
  'movement_daily',
  'active_daily',
  'rep_daily',
  'rollup_days',
] as const;

export async function tableCounts(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of COUNTED_TABLES) out[t] = await count(db, t);
  return out;
}

/**
 * Writes the dataset into the (migrated, otherwise empty) database of `app`, then rolls up the 365 past corp-days
 * with the product's rollup. `log` hears progress.
 */
export async function generateDataset(
  app: App,
  scale: number,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<Omit<DatasetInfo, 'backend' | 'cached'>> {
  const { db } = app;
  const t = db.t;
  const zone = app.config.timeZone;
  const rand = random(20261207);
  const started = performance.now();
  const madeAt = Date.now();
  const today = dayInZone(madeAt, zone);
  const firstDay = addDays(today, -DAYS);
  const lastDay = addDays(today, -1);
  const yearStart = parseLocalDay(firstDay, zone)!;
  // Adds and chats stop an hour before now: the rollups of past days and today's live figures both have data.
  const end = madeAt - 3_600_000;
  const customers = Math.max(100, Math.round(1_000_000 * scale));
  const messagesWanted = Math.max(500, Math.round(5_000_000 * scale));
  log(
    `generating scale ${scale}: ${customers} customers, ${messagesWanted} messages, ${DAYS} days (${firstDay} … ${lastDay})`,
  );

  // ---- directory, channels, tags ------------------------------------------------------------------------------------
  await db.tx(async (tx) => {
    await tx
      .insert(t.departments)
      .values([
        { corpId: CORP, departmentId: ROOT_DEPARTMENT, name: '总部', parentId: null, order: 0 },
        ...departmentIds.map((id, i) => ({
          corpId: CORP,
          departmentId: id,
          name: `销售${'一二三四五六七八九十'[i]}部`,
          parentId: ROOT_DEPARTMENT,
          order: i + 1,
        })),
      ])
      .onConflictDoNothing();
    await insertRows(
      tx,
      t.reps,
      repIds.map((userId, i) => ({
        corpId: CORP,
        userId,
        name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${i + 1}`,
        position: '销售顾问',
        departmentIds: [departmentOf(i)],
        status: 1,
      })),
      100,
    );
    await insertRows(
      tx,
      t.tagGroups,
      TAGS.map((g, i) => ({ corpId: CORP, groupId: g.groupId, name: g.group, order: i })),
      10,
    );
    await insertRows(
      tx,
      t.tags,
      TAGS.flatMap((g) =>
        g.tags.map((name, i) => ({ corpId: CORP, tagId: `${g.groupId}-${i}`, groupId: g.groupId, name, order: i })),
      ),
      20,
    );
  });
  const tagIds = TAGS.flatMap((g) => g.tags.map((_, i) => `${g.groupId}-${i}`));
  const channelRows = await db
    .insert(t.channels)
    .values(
      Array.from({ length: CHANNEL_COUNT }, (_, i) => ({
        corpId: CORP,
        name: `渠道活码${i + 1}`,
        groupName: i < 10 ? '线下门店' : '线上投放',
        state: `bench${i + 1}`,
        configId: `bench-config-${i + 1}`,
        qrCode: `https://example.invalid/qr/bench${i + 1}.png`,
      })),
    )
    .returning({ id: t.channels.id, state: t.channels.state });
  const channels = channelRows.map((c) => ({ id: c.id, state: c.state }));
  await insertRows(
    db,
    t.channelReps,
    channels.flatMap((c, i) =>
      Array.from({ length: REPS_PER_CHANNEL }, (_, k) => ({
        channelId: c.id,
        userId: repIds[(i * REPS_PER_CHANNEL + k) % REP_COUNT]!,
        role: 'primary' as const,
        order: k,
      })),
    ),
    100,
  );

  // ---- customers, relationships, movements ---------------------------------------------------------------------------
  // What the chats need of each relationship, kept in typed arrays (1 M entries).
  const repOf = new Uint16Array(customers);
  const addedAtOf = new Float64Array(customers);
  const lostAtOf = new Float64Array(customers); // 0: not lost
  const contacts = writer<'contacts'>(db, t.contacts, 500);
  const follows = writer<'follows'>(db, t.follows, 400);
  const followTags = writer<'followTags'>(db, t.followTags, 1000);
  const movements = writer<'customerMovements'>(db, t.customerMovements, 800);
  const channelMoves = writer<'channelMovements'>(db, t.channelMovements, 800);
  const span = end - yearStart;
  for (let i = 0; i < customers; i++) {
    const externalUserId = customerId(i);
    // A mild skew: the first reps of each department have more customers.
    // Through a channel code, one of the code's reps; otherwise a mild skew (the first reps have more customers).
    const channelIndex = rand() < 0.6 ? Math.floor(rand() * CHANNEL_COUNT) : -1;
    const channel = channelIndex >= 0 ? channels[channelIndex]! : null;
    const repIndex = channel
      ? (channelIndex * REPS_PER_CHANNEL + Math.floor(rand() * REPS_PER_CHANNEL)) % REP_COUNT
      : Math.min(REP_COUNT - 1, Math.floor(REP_COUNT * rand() ** 1.3));
    const userId = repIds[repIndex]!;
    const addedAt = Math.floor(yearStart + rand() * span);
    let lostAt: number | null = null;
    let lostReason: string | null = null;
    if (rand() < 0.15) {
      const r = rand();
      const delay = r < 0.3 ? rand() * 7 * DAY_MS : r < 0.6 ? rand() * 30 * DAY_MS : rand() * 200 * DAY_MS;
      if (addedAt + delay < end) {
        lostAt = Math.floor(addedAt + delay);
        lostReason = rand() < 0.7 ? 'deleted_by_customer' : 'deleted_by_rep';
      }
    }
    repOf[i] = repIndex;
    addedAtOf[i] = addedAt;
    lostAtOf[i] = lostAt ?? 0;
    await contacts.push({
      corpId: CORP,
      externalUserId,
      name: `${SURNAMES[Math.floor(rand() * SURNAMES.length)]}${GIVEN[Math.floor(rand() * GIVEN.length)]}`,
      type: rand() < 0.9 ? 1 : 2,
      gender: Math.floor(rand() * 3),
      corpName: rand() < 0.1 ? '某某科技有限公司' : '',
      createdAt: addedAt,
      updatedAt: addedAt,
    });
    await follows.push({
      corpId: CORP,
      userId,
      externalUserId,
      remark: rand() < 0.3 ? `老客户${i % 1000}` : '',
      state: channel?.state ?? '',
      addWay: channel ? 1 : 3,
      channelId: channel?.id ?? null,
      addedAt,
      status: lostAt === null ? 'active' : 'lost',
      lostAt,
      lostReason,
      createdAt: addedAt,
      updatedAt: lostAt ?? addedAt,
    });
    if (rand() < 0.25) {
      await followTags.push({
        corpId: CORP,
        userId,
        externalUserId,
        tagId: tagIds[Math.floor(rand() * tagIds.length)]!,
        createdAt: addedAt,
      });
    }
    await movements.push({
      corpId: CORP,
      userId,
      externalUserId,
      kind: 'add',
      channelId: channel?.id ?? null,
      at: addedAt,
      sourceKey: movementKey('add', userId, externalUserId, addedAt),
    });
    if (channel) {
      await channelMoves.push({
        corpId: CORP,
        channelId: channel.id,
        userId,
        externalUserId,
        kind: 'add',
        at: addedAt,
        sourceKey: `follow:${userId}:${externalUserId}:${addedAt}:added`,
      });
    }
    if (lostAt !== null) {
      await movements.push({
        corpId: CORP,
        userId,
        externalUserId,
        kind: 'loss',
        reason: lostReason,
        channelId: channel?.id ?? null,
        at: lostAt,
        sourceKey: movementKey('loss', userId, externalUserId, lostAt),
      });
      if (channel) {
        await channelMoves.push({
          corpId: CORP,
          channelId: channel.id,
          userId,
          externalUserId,
          kind: 'loss',
          at: lostAt,
          sourceKey: `loss:${userId}:${externalUserId}:${lostAt}`,
        });
      }
    }
    if ((i + 1) % 200_000 === 0) log(`  ${i + 1} customers (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  for (const w of [contacts, follows, followTags, movements, channelMoves]) await w.flush();
  log(`  customers done in ${Math.round((performance.now() - started) / 1000)} s`);

  // ---- chats ------------------------------------------------------------------------------------------------------------
  const customerTerms = CUSTOMER_LINES.map(searchTerms);
  const repTerms = REP_LINES.map(searchTerms);
  const [maxIds] = await db.rows<{ c: number | null; m: number | null }>(
    db,
    sql`SELECT (SELECT max(id) FROM conversations) AS c, (SELECT max(id) FROM messages) AS m`,
  );
  let conversationId = Number(maxIds?.c ?? 0);
  let messageId = Number(maxIds?.m ?? 0);
  const conversationsW = writer<'conversations'>(db, t.conversations, 500);
  const messagesW = writer<'messages'>(db, t.messages, 500);
  // Half the customers chat; each chat has about messagesWanted / chats messages.
  const chatting = Math.max(1, Math.round(customers * 0.5));
  let messages = 0;
  const chatStarted = performance.now();
  for (let c = 0; c < chatting && messages < messagesWanted; c++) {
    const i = Math.floor((c * customers) / chatting);
    const userId = repIds[repOf[i]!]!;
    const externalUserId = customerId(i);
    const start = addedAtOf[i]! + 60_000 + rand() * 3_600_000;
    const stop = Math.min(lostAtOf[i]! || end, end);
    if (start >= stop) continue;
    const left = chatting - c;
    const target = Math.max(
      1,
      Math.min(messagesWanted - messages, Math.round(((messagesWanted - messages) / left) * (0.4 + rand() * 1.2))),
    );
    conversationId += 1;
    const conv = conversationId;
    const rows: Row<'messages'>[] = [];
    let at = start;
    let lastCustomer: { id: number; at: number } | null = null;
    // Turns: the customer writes 1–2 messages, the rep answers 10 s … 6 h later (most within minutes); the last turn
    // of some chats is unanswered. Turns are spread over the time the relationship lasted.
    const turns = Math.max(1, Math.round(target / 2.5));
    const gap = (stop - start) / (turns + 1);
    for (let turn = 0; turn < turns && rows.length < target && at < stop; turn++) {
      const asks = rand() < 0.7 ? 1 : 2;
      for (let k = 0; k < asks && rows.length < target && at < stop; k++) {
        messageId += 1;
        const line = Math.floor(rand() * CUSTOMER_LINES.length);
        rows.push(
          message(
            messageId,
            conv,
            userId,
            externalUserId,
            'customer_to_rep',
            at,
            CUSTOMER_LINES[line]!,
            customerTerms[line]!,
            rows.length + 1,
          ),
        );
        lastCustomer = { id: messageId, at: Math.floor(at) };
        at += 5_000 + rand() * 60_000;
      }
      const lastTurn = turn === turns - 1 || rows.length >= target - 1;
      if (lastTurn && rand() < 0.2) break;
      const delay =
        rand() < 0.6
          ? 10_000 + rand() * 300_000
          : rand() < 0.8
            ? 300_000 + rand() * 3_600_000
            : 3_600_000 + rand() * 5 * 3_600_000;
      at += delay;
      while (rows.length < target && at < stop) {
        messageId += 1;
        const line = Math.floor(rand() * REP_LINES.length);
        rows.push(
          message(
            messageId,
            conv,
            userId,
            externalUserId,
            'rep_to_customer',
            at,
            REP_LINES[line]!,
            repTerms[line]!,
            rows.length + 1,
          ),
        );
        at += 5_000 + rand() * 30_000;
        if (rand() < 0.7) break;
      }
      at = Math.max(at, start + gap * (turn + 1) * (0.5 + rand()));
    }
    if (rows.length === 0) {
      conversationId -= 1;
      continue;
    }
    const last = rows[rows.length - 1]!;
    await conversationsW.push({
      id: conv,
      corpId: CORP,
      key: `single:${userId}:${externalUserId}`,
      kind: 'single',
      userId,
      externalUserId,
      version: rows.length,
      messageCount: rows.length,
      lastMessageAt: last.sentAt,
      lastMessageId: last.id!,
      lastCustomerMessageAt: lastCustomer?.at ?? null,
      lastCustomerMessageId: lastCustomer?.id ?? null,
      createdAt: rows[0]!.sentAt,
      updatedAt: last.sentAt,
    });
    for (const r of rows) await messagesW.push(r);
    messages += rows.length;
    if (Math.floor(messages / 500_000) !== Math.floor((messages - rows.length) / 500_000)) {
      const s = (performance.now() - chatStarted) / 1000;
      log(`  ${messages} messages (${Math.round(messages / s)}/s)`);
    }
  }
  await conversationsW.flush();
  await messagesW.flush();
  if (db.backend === 'postgres') {
    // Ids were given explicitly (a conversation's counters name its messages): the identities continue after them.
    for (const table of ['conversations', 'messages']) {
      await db.exec(
        db,
        sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), (SELECT max(id) FROM ${sql.identifier(table)}))`,
      );
    }
    // What autovacuum does shortly after a bulk load: the planner's statistics.
    await db.exec(db, sql`ANALYZE`);
  }
  const insertSeconds = (performance.now() - started) / 1000;
  log(`  inserts done in ${Math.round(insertSeconds)} s`);

  // ---- the dashboards' rollups, by the product's rollup (as the worker's console_rollup job runs it) ---------------
  const rollupStarted = performance.now();
  const { rollup } = app.modules.dashboards;
  for (let day = firstDay, n = 0; day <= lastDay; day = addDays(day, 1), n++) {
    await rollup.rollUp(CORP, day);
    if ((n + 1) % 60 === 0)
      log(`  rolled up ${n + 1} days (${Math.round((performance.now() - rollupStarted) / 1000)} s)`);
  }
  const rollupSeconds = (performance.now() - rollupStarted) / 1000;
  // A year of a corp's tables has been through autovacuum many times; a bulk load has not. Vacuumed, the visibility
  // map lets an index-only scan skip the rows' pages (the customers list and export read ids that way).
  if (db.backend === 'postgres') await db.exec(db, sql`VACUUM (ANALYZE)`);
  const counts = await tableCounts(db);
  return {
    scale,
    counts,
    insertSeconds: round1(insertSeconds),
    rollupSeconds: round1(rollupSeconds),
    seconds: round1((performance.now() - started) / 1000),
    madeAt,
    firstDay,
    lastDay,
    channelIds: channels.map((c) => c.id),
    tagIds,
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Closes the app, keeping the process alive meanwhile: the SQLite checkpointer thread is unref'd, so a process with
 * nothing else to wait for would exit (code 13) while close() waits for the thread's last checkpoint.
 */
export async function closeApp(app: App): Promise<void> {
  const alive = setInterval(() => undefined, 1000);
  try {
    await app.close();
  } finally {
    clearInterval(alive);
  }
}

/** A stored chat message as the conversations module writes an archived text message. */
export function message(
  id: number,
  conversationId: number,
  userId: string,
  externalUserId: string,
  direction: 'customer_to_rep' | 'rep_to_customer',
  at: number,
  text: string,
  terms: string,
  rev: number,
): Row<'messages'> {
  const fromCustomer = direction === 'customer_to_rep';
  const sentAt = Math.floor(at);
  return {
    id,
    corpId: CORP,
    msgid: `bench-${id}`,
    seq: id,
    action: 'send',
    sender: fromCustomer ? externalUserId : userId,
    receivers: [fromCustomer ? userId : externalUserId],
    roomId: null,
    sentAt,
    type: 'text',
    text,
    content: { content: text },
    searchTerms: terms,
    conversationId,
    userId,
    externalUserId,
    direction,
    recalled: false,
    source: 'archive',
    rev,
    createdAt: sentAt,
    updatedAt: sentAt,
  };
}

/** The app's configuration on a database (demo corp, the emulator as WeCom, no cron). */
export function benchConfig(database: { path: string } | { url: string }, dataDir: string): Config {
  const env: Record<string, string> = {
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    SECRET_KEY,
    DATA_DIR: dataDir,
    ...('path' in database ? { DATABASE_PATH: database.path } : { DATABASE_URL: database.url }),
  };
  return { ...loadConfig(env, DEMO_CORP), backgroundJobs: false };
}

export interface PreparedDatabase {
  backend: 'sqlite' | 'postgres';
  config: Config;
  info: DatasetInfo;
  /** Removes this run's copy (SQLite) and data folder; the cluster is the caller's. */
  remove(): void;
}

const sqliteCacheDir = () => join(tmpdir(), 'scrm-bench-data');

/**
 * A database holding the dataset of `scale`, for one run: on SQLite a copy of the cached file (generated first if
 * missing), on PostgreSQL a new database of `cluster`, generated now.
 */
export async function prepareDatabase(
  backend: 'sqlite' | 'postgres',
  scale: number,
  cluster: PgCluster | null,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<PreparedDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'scrm-bench-run-'));
  if (backend === 'postgres') {
    if (!cluster) throw new Error('PostgreSQL needs a cluster');
    const url = await cluster.createDatabase(`bench_${Date.now()}`);
    const config = benchConfig({ url }, dataDir);
    const app = await buildApp(config, { logger: false });
    try {
      await app.ready();
      const made = await generateDataset(app, scale, log);
      return {
        backend,
        config,
        info: { ...made, backend, cached: false },
        remove: () => rmSync(dataDir, { recursive: true, force: true }),
      };
    } finally {
      await closeApp(app);
    }
  }

  mkdirSync(sqliteCacheDir(), { recursive: true });
  const day = dayInZone(Date.now(), benchConfig({ path: ':memory:' }, dataDir).timeZone);
  const cached = join(sqliteCacheDir(), `scale-${scale}-${day}-v${DATASET_VERSION}.db`);
  const infoFile = `${cached}.json`;
  let info: DatasetInfo;
  if (existsSync(cached) && existsSync(infoFile)) {
    info = { ...(JSON.parse(readFileSync(infoFile, 'utf8')) as DatasetInfo), cached: true };
    log(`using the cached SQLite dataset ${cached} (made in ${info.seconds} s)`);
  } else {
    const building = `${cached}.building`;
    rmSync(building, { force: true });
    const config = benchConfig({ path: building }, dataDir);
    const app = await buildApp(config, { logger: false });
    let made;
    try {
      await app.ready();
      made = await generateDataset(app, scale, log);
      await app.db.exec(app.db, sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    } finally {
      await closeApp(app);
    }
    rmSync(`${building}-wal`, { force: true });
    rmSync(`${building}-shm`, { force: true });
    renameSync(building, cached);
    info = { ...made, backend: 'sqlite', cached: false };
    writeFileSync(infoFile, JSON.stringify(info));
    log(`cached the SQLite dataset as ${cached}`);
  }
  const path = join(dataDir, 'scrm.db');
  copyFileSync(cached, path);
  return {
    backend,
    config: benchConfig({ path }, dataDir),
    info,
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export function printDataset(info: DatasetInfo): void {
  const how = info.cached
    ? `cached file reused (generation took ${info.seconds} s when it was made)`
    : `generated in ${info.seconds} s (inserts ${info.insertSeconds} s, rollups ${info.rollupSeconds} s)`;
  console.log(
    `dataset (${info.backend}, scale ${info.scale}): ${how}; rolled-up days ${info.firstDay} … ${info.lastDay}`,
  );
  console.log(
    `  rows: ${Object.entries(info.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pg = process.argv.includes('--pg');
  const cluster = pg ? await startCluster() : null;
  try {
    const prepared = await prepareDatabase(pg ? 'postgres' : 'sqlite', benchScale(), cluster);
    printDataset(prepared.info);
    prepared.remove();
  } finally {
    cluster?.stop();
  }
}
