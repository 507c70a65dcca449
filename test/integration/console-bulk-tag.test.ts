import { and, eq, like } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { buildApp } from '../../server/app.js';
import type { Config, DatabaseConfig } from '../../server/config.js';
import { appTableCounts, testConfig, testDatabase, waitFor } from '../support/app.js';
import { consoleClient, consoleLogin, createLocalAccount, type ConsoleClient } from '../support/console.js';
import { calls, EC, wecomTagsOf } from '../support/scrm.js';
import { adminCall, CORP, sql, syncCorp } from '../support/sidebar.js';

/**
 * Bulk tagging in the console (POST /api/console/customers/bulk-tag, GET …/bulk-tag/:batchId): selected
 * relationships or every match of the list's filter, tags added and removed in WeCom (the emulator) with one durable
 * job per relationship, mirrored locally; a manager's scope; refusals that write nothing; WeCom failures retried and
 * counted; a batch that survives a restart.
 */

const SALES1 = ['zhangwei', 'lina', 'wangfang'];
const SALES2 = ['liuyang', 'chenjing', 'zhaolei'];
const MARK_TAG = `${EC}/mark_tag`;

interface Batch {
  batchId: number;
  total: number;
  done: number;
  failed: number;
  pending: number;
  add: { tagId: string; name: string; groupName: string }[];
  remove: { tagId: string; name: string; groupName: string }[];
  createdAt: number;
  createdBy: string;
}
interface Follow {
  userId: string;
  externalUserId: string;
}

const apps: App[] = [];
let app: App;
let admin: ConsoleClient;
let sales1: ConsoleClient;
let tagIds: string[];

async function start(config: Config): Promise<App> {
  const a = await buildApp(config, { logger: process.env.DEBUG_LOG ? { level: 'error' } : false });
  await a.listen({ port: 0, host: '127.0.0.1' });
  apps.push(a);
  return a;
}

async function activeFollows(a: App, reps: string[]): Promise<Follow[]> {
  const rows = await sql<{ user_id: string; external_user_id: string }>(
    a,
    `SELECT user_id, external_user_id FROM follows WHERE corp_id = ? AND status = 'active' ORDER BY id`,
    CORP,
  );
  return rows
    .filter((r) => reps.includes(r.user_id))
    .map((r) => ({ userId: r.user_id, externalUserId: r.external_user_id }));
}

async function localTags(a: App, f: Follow): Promise<string[]> {
  const { followTags } = a.db.t;
  const rows = await a.db
    .select({ tagId: followTags.tagId })
    .from(followTags)
    .where(
      and(
        eq(followTags.corpId, CORP),
        eq(followTags.userId, f.userId),
        eq(followTags.externalUserId, f.externalUserId),
      ),
    );
  return rows.map((r) => r.tagId).sort();
}

/** The tags the console's customer card shows on one relationship. */
async function cardTags(client: ConsoleClient, f: Follow): Promise<string[]> {
  const res = await client.get(`/api/console/customers/${encodeURIComponent(f.externalUserId)}`);
  expect(res.statusCode, res.body).toBe(200);
  const follower = (res.json() as { followers: { userId: string; tags: { tagId: string }[] }[] }).followers.find(
    (x) => x.userId === f.userId,
  );
  return (follower?.tags ?? []).map((t) => t.tagId).sort();
}

async function count(a: App, query: string, ...params: unknown[]): Promise<number> {
  const [row] = await sql<{ n: number }>(a, query, ...params);
  return Number(row!.n);
}

/** Polls the batch until nothing is pending; every answer adds up to the total. */
async function finished(get: () => Promise<{ statusCode: number; body: string; json(): unknown }>): Promise<Batch> {
  let last: Batch | undefined;
  await waitFor(
    async () => {
      const res = await get();
      expect(res.statusCode, res.body).toBe(200);
      last = res.json() as Batch;
      expect(last.done + last.failed + last.pending).toBe(last.total);
      return last.pending === 0;
    },
    'the batch to finish',
    30_000,
  );
  return last!;
}

const progressOf = (client: ConsoleClient, batchId: number) => () =>
  client.get(`/api/console/customers/bulk-tag/${batchId}`);

/** What a refused request must leave untouched: every table's row count and WeCom (no call at all). */
async function snapshot(a: App) {
  return { tables: await appTableCounts(a), wecom: (await calls(a)).length };
}

async function fault(a: App, body: { count: number; errcode?: number; delayMs?: number }) {
  const res = await a.inject({ method: 'POST', url: '/emulator/_faults', payload: { path: MARK_TAG, ...body } });
  expect(res.statusCode, res.body).toBe(201);
}

/** New corp tags (made through the admin API, so WeCom has them too): no relationship carries them yet. */
async function newTags(a: App, n: number): Promise<string[]> {
  const res = await adminCall(a, 'POST', '/api/tags/groups', {
    name: `批量测试${Date.now() % 100_000}`,
    tags: Array.from({ length: n }, (_, i) => ({ name: `批量标签${i + 1}` })),
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { tags: { id: string }[] }).tags.map((t) => t.id);
}

describe('bulk tagging', () => {
  beforeAll(async () => {
    app = await start(testConfig());
    await syncCorp(app);
    await createLocalAccount(app, { username: 'boss', role: 'admin', name: '老板' });
    await createLocalAccount(app, { username: 'sales1', role: 'manager', departmentIds: [2], name: '一部经理' });
    admin = consoleClient(app, await consoleLogin(app, 'boss'));
    sales1 = consoleClient(app, await consoleLogin(app, 'sales1'));
    tagIds = await newTags(app, 6);
  });
  afterAll(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });
  afterEach(async () => {
    await app.inject({ method: 'DELETE', url: '/emulator/_faults' });
  });

  it('an admin tags selected relationships: WeCom has the tags, the console shows them, one audit entry', async () => {
    const [t1, t2] = tagIds as [string, string];
    const targets = [(await activeFollows(app, SALES1))[0]!, ...(await activeFollows(app, SALES2)).slice(0, 2)];
    const auditBefore = await count(app, 'SELECT count(*) AS n FROM audit_log');
    const res = await admin.post('/api/console/customers/bulk-tag', { targets, add: [t1, t2] });
    expect(res.statusCode, res.body).toBe(202);
    const created = res.json() as Batch;
    expect(created).toMatchObject({ total: 3, createdBy: '老板' });
    expect(created.add.map((t) => t.tagId)).toEqual([t1, t2]);
    expect(created.add.every((t) => t.name !== '' && t.name !== t.tagId)).toBe(true);
    expect(created.remove).toEqual([]);

    const batch = await finished(progressOf(admin, created.batchId));
    expect(batch).toMatchObject({ total: 3, done: 3, failed: 0, pending: 0 });
    for (const f of targets) {
      expect(await wecomTagsOf(app, f.externalUserId, f.userId)).toEqual(expect.arrayContaining([t1, t2]));
      expect(await localTags(app, f)).toEqual(expect.arrayContaining([t1, t2]));
      expect(await cardTags(admin, f)).toEqual(expect.arrayContaining([t1, t2]));
      const marks = (await calls(app, MARK_TAG)).filter((c) => {
        const body = c.body as { userid: string; external_userid: string };
        return body.external_userid === f.externalUserId && body.userid === f.userId;
      });
      expect(marks.map((c) => c.body)).toEqual([
        { userid: f.userId, external_userid: f.externalUserId, add_tag: [t1, t2] },
      ]);
    }
    // The rep's timeline says what happened, as after a tag change in the sidebar.
    const items = await sql<{ kind: string; content: string }>(
      app,
      'SELECT kind, content FROM timeline_items WHERE corp_id = ? AND external_user_id = ? AND user_id = ?',
      CORP,
      targets[0]!.externalUserId,
      targets[0]!.userId,
    );
    expect(items.filter((i) => i.kind === 'tagged' && i.content.includes('批量打标签'))).toHaveLength(1);

    // One audit entry for the batch (not one per relationship, nor a second one from the route).
    expect(await count(app, 'SELECT count(*) AS n FROM audit_log')).toBe(auditBefore + 1);
    const audit = await admin.get('/api/console/audit?action=customer.bulk_tag');
    expect(audit.statusCode, audit.body).toBe(200);
    const entry = (
      audit.json() as { items: { actor: { name: string }; summary: string; detail: { batchId: number } }[] }
    ).items[0]!;
    expect(entry.detail.batchId).toBe(created.batchId);
    expect(entry.actor.name).toBe('老板');
    expect(entry.summary).toMatch(/批量修改 3 段/);

    // Removing one of them again, on one relationship: WeCom and the mirror lose it, the other tag stays.
    const again = await admin.post('/api/console/customers/bulk-tag', { targets: [targets[1]], remove: [t1] });
    expect(again.statusCode, again.body).toBe(202);
    expect(await finished(progressOf(admin, (again.json() as Batch).batchId))).toMatchObject({ done: 1, failed: 0 });
    expect(await wecomTagsOf(app, targets[1]!.externalUserId, targets[1]!.userId)).not.toContain(t1);
    expect(await localTags(app, targets[1]!)).toEqual(expect.arrayContaining([t2]));
    expect(await localTags(app, targets[1]!)).not.toContain(t1);
    expect(await cardTags(admin, targets[1]!)).not.toContain(t1);
    // A finished batch keeps its tally.
    const settled = await sql<{ done: number; failed: number; finished_at: number | null }>(
      app,
      'SELECT done, failed, finished_at FROM tag_batches WHERE id = ?',
      created.batchId,
    );
    expect(settled.map((r) => [Number(r.done), Number(r.failed), r.finished_at !== null])).toEqual([[3, 0, true]]);
  });

  it('a manager tags every match of a filter: only the relationships of their departments', async () => {
    const t3 = tagIds[2]!;
    const mine = await activeFollows(app, SALES1);
    const theirs = await activeFollows(app, SALES2);
    expect(mine.length).toBeGreaterThan(0);
    expect(theirs.length).toBeGreaterThan(0);
    // status=all: lost relationships are never tagged (WeCom has no relation to tag any more).
    const res = await sales1.post('/api/console/customers/bulk-tag', { filter: { status: 'all' }, add: [t3] });
    expect(res.statusCode, res.body).toBe(202);
    const batch = await finished(progressOf(sales1, (res.json() as Batch).batchId));
    expect(batch).toMatchObject({ total: mine.length, done: mine.length, failed: 0, createdBy: '一部经理' });

    const tagged = await sql<{ user_id: string }>(app, 'SELECT user_id FROM follow_tags WHERE tag_id = ?', t3);
    expect(tagged).toHaveLength(mine.length);
    expect(tagged.every((r) => SALES1.includes(r.user_id))).toBe(true);
    const marked = (await calls(app, MARK_TAG)).filter((c) =>
      ((c.body as { add_tag?: string[] }).add_tag ?? []).includes(t3),
    );
    expect(marked.map((c) => (c.body as { userid: string }).userid).every((u) => SALES1.includes(u))).toBe(true);
    expect(marked).toHaveLength(mine.length);
    for (const f of theirs) expect(await wecomTagsOf(app, f.externalUserId, f.userId)).not.toContain(t3);
    for (const f of mine.slice(0, 3)) expect(await wecomTagsOf(app, f.externalUserId, f.userId)).toContain(t3);

    // The filter's own fields narrow it further: one rep of the manager's own.
    const t4 = tagIds[3]!;
    const lina = await activeFollows(app, ['lina']);
    const one = await sales1.post('/api/console/customers/bulk-tag', { filter: { userId: 'lina' }, add: [t4] });
    expect(one.statusCode, one.body).toBe(202);
    expect(await finished(progressOf(sales1, (one.json() as Batch).batchId))).toMatchObject({
      total: lina.length,
      done: lina.length,
    });
    const withT4 = await sql<{ user_id: string }>(app, 'SELECT user_id FROM follow_tags WHERE tag_id = ?', t4);
    expect(withT4.map((r) => r.user_id)).toEqual(lina.map(() => 'lina'));
  });

  it('a manager is refused another department’s relationships (403) and nothing is written or sent', async () => {
    const t5 = tagIds[4]!;
    const mine = (await activeFollows(app, SALES1))[0]!;
    const theirs = (await activeFollows(app, ['chenjing']))[0]!;
    const before = await snapshot(app);
    for (const body of [
      { targets: [mine, theirs], add: [t5] },
      { targets: [theirs], remove: [t5] },
      { filter: { userId: 'chenjing' }, add: [t5] },
      { filter: { departmentId: 3 }, add: [t5] },
    ]) {
      const res = await sales1.post('/api/console/customers/bulk-tag', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(403);
      expect(res.json().message).toMatch(/不在您负责/);
    }
    expect(await snapshot(app)).toEqual(before);
    expect(await wecomTagsOf(app, theirs.externalUserId, theirs.userId)).not.toContain(t5);
    // The admin's batches are not a manager's to read.
    const adminBatch = await count(app, 'SELECT min(id) AS n FROM tag_batches');
    const read = await sales1.get(`/api/console/customers/bulk-tag/${adminBatch}`);
    expect(read.statusCode).toBe(403);
    expect(read.json().message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('bad requests are refused with a Chinese message and write nothing', async () => {
    const [t5, t6] = [tagIds[4]!, tagIds[5]!];
    const target = (await activeFollows(app, SALES1))[0]!;
    const lost = (await activeFollows(app, SALES2)).at(-1)!;
    const { follows } = app.db.t;
    await app.db
      .update(follows)
      .set({ status: 'lost', lostAt: Date.now(), lostReason: 'deleted_by_customer' })
      .where(
        and(eq(follows.corpId, CORP), eq(follows.userId, lost.userId), eq(follows.externalUserId, lost.externalUserId)),
      );
    const cases: [unknown, RegExp][] = [
      [{ targets: [target], add: ['no-such-tag', t5] }, /标签不存在或已删除：no-such-tag/],
      [{ targets: [target], remove: ['gone-1', 'gone-2'] }, /标签不存在或已删除：gone-1、gone-2/],
      [{ targets: [target], add: [t5, t6], remove: [t6] }, /不能同时添加和移除/],
      [{ targets: [target] }, /请选择要添加或移除的标签/],
      [{ targets: [target], add: [], remove: [] }, /请选择要添加或移除的标签/],
      [{ add: [t5] }, /二者选其一/],
      [{ targets: [target], filter: {}, add: [t5] }, /二者选其一/],
      [{ targets: [{ userId: 'lina', externalUserId: 'wm-nobody' }], add: [t5] }, /跟进关系不存在：lina\/wm-nobody/],
      [{ targets: [lost], add: [t5] }, /客户已流失/],
      [{ filter: { status: 'lost' }, add: [t5] }, /已流失/],
      [{ filter: { q: '不存在的客户名字' }, add: [t5] }, /没有符合筛选条件/],
      [{ filter: { addedFrom: '2026-13-45' }, add: [t5] }, /[\u4e00-\u9fff]/],
      [{ targets: [target], add: [t5], colour: 'red' }, /未知字段：colour/],
      [{ targets: [{ ...target, extra: 1 }], add: [t5] }, /未知字段/],
      [{ targets: [], add: [t5] }, /[\u4e00-\u9fff]/],
      [
        { targets: Array.from({ length: 1001 }, (_, i) => ({ userId: 'lina', externalUserId: `wm${i}` })), add: [t5] },
        /[\u4e00-\u9fff]/,
      ],
    ];
    const before = await snapshot(app);
    for (const [body, message] of cases) {
      const res = await admin.post('/api/console/customers/bulk-tag', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(res.json().message, JSON.stringify(body).slice(0, 200)).toMatch(message);
    }
    expect(await snapshot(app)).toEqual(before);

    for (const url of ['/api/console/customers/bulk-tag/abc', '/api/console/customers/bulk-tag/0']) {
      const res = await admin.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message).toMatch(/[\u4e00-\u9fff]/);
    }
    const missing = await admin.get('/api/console/customers/bulk-tag/999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('批量打标签任务不存在');
    expect((await app.inject({ method: 'POST', url: '/api/console/customers/bulk-tag', payload: {} })).statusCode).toBe(
      401,
    );
  });

  it('a filter matching more than 10,000 relationships is refused, saying the cap', async () => {
    const { follows } = app.db.t;
    const now = Date.now();
    const rows = Array.from({ length: 10_001 }, (_, i) => ({
      corpId: CORP,
      userId: 'wangfang',
      externalUserId: `wm-cap-${i}`,
      addedAt: now - i,
    }));
    for (let i = 0; i < rows.length; i += 500) await app.db.insert(follows).values(rows.slice(i, i + 500));
    try {
      const before = await snapshot(app);
      const res = await admin.post('/api/console/customers/bulk-tag', {
        filter: { userId: 'wangfang' },
        add: [tagIds[5]!],
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(/共 \d+ 个，超过单次批量打标签的上限 10,000 个/);
      expect(await snapshot(app)).toEqual(before);
    } finally {
      await app.db.delete(follows).where(and(eq(follows.corpId, CORP), like(follows.externalUserId, 'wm-cap-%')));
    }
  });

  it('a large batch is written in chunks of 200; every relationship is counted from the start', async () => {
    const t5 = tagIds[4]!;
    const { follows } = app.db.t;
    const real = await activeFollows(app, SALES1);
    // Relationships WeCom does not know (it answers 40096 for them): failed, and counted so.
    const fake = Array.from({ length: 450 - real.length }, (_, i) => ({
      userId: 'wangfang',
      externalUserId: `wm-chunk-${i}`,
    }));
    await app.db.insert(follows).values(fake.map((f, i) => ({ corpId: CORP, ...f, addedAt: Date.now() - i })));
    try {
      const res = await admin.post('/api/console/customers/bulk-tag', { targets: [...real, ...fake], add: [t5] });
      expect(res.statusCode, res.body).toBe(202);
      const created = res.json() as Batch;
      expect(created.total).toBe(450);
      expect(created.done + created.failed + created.pending).toBe(450);
      const batch = await finished(progressOf(admin, created.batchId));
      expect(batch).toMatchObject({ total: 450, done: real.length, failed: fake.length, pending: 0 });
      const kinds = await sql<{ kind: string; n: number }>(
        app,
        'SELECT kind, count(*) AS n FROM jobs WHERE dedupe_key LIKE ? GROUP BY kind ORDER BY kind',
        `batch:${created.batchId}:%`,
      );
      expect(kinds.map((k) => [k.kind, Number(k.n)])).toEqual([
        ['console_bulk_tag_chunk', 3],
        ['console_mark_tag', 450],
      ]);
      for (const f of real.slice(0, 3)) expect(await wecomTagsOf(app, f.externalUserId, f.userId)).toContain(t5);
      const failedJob = await sql<{ last_error: string }>(
        app,
        "SELECT last_error FROM jobs WHERE kind = 'console_mark_tag' AND dedupe_key = ?",
        `batch:${created.batchId}:wangfang:wm-chunk-0`,
      );
      expect(failedJob[0]!.last_error).toMatch(/40096/);
    } finally {
      await app.db.delete(follows).where(and(eq(follows.corpId, CORP), like(follows.externalUserId, 'wm-chunk-%')));
    }
  });

  it('WeCom errors: transient ones are retried with backoff, final ones and exhausted retries count as failed', async () => {
    const t6 = tagIds[5]!;
    const [a, b, c] = (await activeFollows(app, SALES2)).slice(0, 3) as [Follow, Follow, Follow];
    const jobOf = async (batchId: number) =>
      (
        await sql<{ status: string; attempts: number; last_error: string | null }>(
          app,
          "SELECT status, attempts, last_error FROM jobs WHERE kind = 'console_mark_tag' AND dedupe_key LIKE ?",
          `batch:${batchId}:%`,
        )
      )[0]!;
    const run = async (f: Follow) => {
      const res = await admin.post('/api/console/customers/bulk-tag', { targets: [f], add: [t6] });
      expect(res.statusCode, res.body).toBe(202);
      const id = (res.json() as Batch).batchId;
      return { id, batch: await finished(progressOf(admin, id)) };
    };

    // An expired token twice (the call and its one refreshed retry): the job tries again later and succeeds.
    await fault(app, { count: 2, errcode: 40014 });
    const retried = await run(a);
    expect(retried.batch).toMatchObject({ done: 1, failed: 0 });
    expect(await jobOf(retried.id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(await wecomTagsOf(app, a.externalUserId, a.userId)).toContain(t6);
    expect(await localTags(app, a)).toContain(t6);

    // The relationship is gone in WeCom (84061): failed at once, with WeCom's error, nothing mirrored.
    await fault(app, { count: 1, errcode: 84061 });
    const refused = await run(b);
    expect(refused.batch).toMatchObject({ done: 0, failed: 1, pending: 0 });
    const refusedJob = await jobOf(refused.id);
    expect(refusedJob).toMatchObject({ status: 'failed', attempts: 1 });
    expect(refusedJob.last_error).toMatch(/84061/);
    expect(await localTags(app, b)).not.toContain(t6);

    // Transient every time: five attempts, then failed with the error.
    await fault(app, { count: 10, errcode: 40014 });
    const exhausted = await run(c);
    expect(exhausted.batch).toMatchObject({ done: 0, failed: 1, pending: 0 });
    const exhaustedJob = await jobOf(exhausted.id);
    expect(exhaustedJob).toMatchObject({ status: 'failed', attempts: 5 });
    expect(exhaustedJob.last_error).toMatch(/40014/);
    expect(await wecomTagsOf(app, c.externalUserId, c.userId)).not.toContain(t6);
    expect(await localTags(app, c)).not.toContain(t6);
  });
});

describe('a batch survives a restart', () => {
  afterAll(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });

  /** Another server on the same database that uses the first one's emulator as WeCom: "after a restart". */
  async function restartedFrom(wecomHost: App, database: DatabaseConfig, concurrency: number): Promise<App> {
    const base = testConfig({ database, worker: { concurrency, leaseMs: 1_000 } });
    const address = wecomHost.server.address() as { port: number };
    return start({
      ...base,
      dataDir: wecomHost.config.dataDir,
      emulator: false,
      wecom: { ...base.wecom, apiBase: `http://127.0.0.1:${address.port}/emulator` },
    });
  }

  it('the jobs left when the app stopped are done by the next app, each relationship tagged once', async () => {
    const database = testDatabase();
    // This process only plays WeCom (its worker runs nothing).
    const wecom = await start(testConfig({ database, worker: { concurrency: 0 } }));
    await syncCorp(wecom);
    const [tag] = await newTags(wecom, 1);
    const targets = (await activeFollows(wecom, [...SALES1, ...SALES2])).slice(0, 6);
    // WeCom answers slowly, so the first app is stopped with most of the batch still to do.
    await fault(wecom, { count: 6, delayMs: 300 });

    const first = await restartedFrom(wecom, database, 1);
    const res = await adminCall(first, 'POST', '/api/console/customers/bulk-tag', { targets, add: [tag] });
    expect(res.statusCode, res.body).toBe(202);
    const batchId = (res.json() as Batch).batchId;
    const progress = (a: App) => () => adminCall(a, 'GET', `/api/console/customers/bulk-tag/${batchId}`);
    await waitFor(async () => ((await progress(first)()).json() as Batch).done >= 1, 'the first tag call');
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    const stopped = (await progress(wecom)()).json() as Batch;
    expect(stopped.pending).toBeGreaterThan(0);
    expect(stopped.done).toBeLessThan(6);

    const next = await restartedFrom(wecom, database, 4);
    const batch = await finished(progress(next));
    expect(batch).toMatchObject({ total: 6, done: 6, failed: 0 });
    for (const f of targets) {
      expect(await wecomTagsOf(wecom, f.externalUserId, f.userId)).toContain(tag);
      expect(await localTags(next, f)).toContain(tag);
      const marks = (await calls(wecom, MARK_TAG)).filter(
        (c) =>
          (c.body as { external_userid: string; userid: string }).external_userid === f.externalUserId &&
          (c.body as { userid: string }).userid === f.userId,
      );
      expect(marks).toHaveLength(1);
    }
  });
});
