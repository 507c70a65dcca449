import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { buildApp } from '../../server/app.js';
import { testConfig } from '../support/app.js';
import { consoleClient, consoleLogin, createLocalAccount, type ConsoleClient } from '../support/console.js';
import { CORP, adminCall, sharedCustomers, sql, syncCorp } from '../support/sidebar.js';

/**
 * Customers in the console: the scoped list with its filters and CSV twin, a customer's card, timeline and chats
 * across all of their reps, and a manager's 403 on another department's customer and chat.
 */

const SALES1 = ['zhangwei', 'lina', 'wangfang'];
const SALES2 = ['liuyang', 'chenjing', 'zhaolei'];
const DAY = 86_400_000;

interface Row {
  externalUserId: string;
  userId: string;
  status: string;
  addedAt: number;
  tags: { tagId: string }[];
  stage: { stageId: number } | null;
  lastContactAt: number | null;
}

let app: App;
let admin: ConsoleClient;
let sales1: ConsoleClient;
/** A customer only reps of 销售二部 follow, and one followed by reps of both departments. */
let onlySales2: string;
let shared: string;
let sales2Conversation: number;
let sales1Conversation: number;
const now = Date.now();

async function all(client: ConsoleClient, query = ''): Promise<Row[]> {
  const items: Row[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/api/console/customers?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await client.get(url);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: Row[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function addConversation(userId: string, externalUserId: string, count: number): Promise<number> {
  const { conversations, messages } = app.db.t;
  const [conv] = await app.db
    .insert(conversations)
    .values({ corpId: CORP, key: `single:${userId}:${externalUserId}`, kind: 'single', userId, externalUserId })
    .returning({ id: conversations.id });
  let last = 0;
  for (let i = 0; i < count; i++) {
    const fromCustomer = i % 2 === 0;
    const [m] = await app.db
      .insert(messages)
      .values({
        corpId: CORP,
        msgid: `m-${userId}-${externalUserId}-${i}`,
        sentAt: now - (count - i) * 60_000,
        type: 'text',
        text: `消息 ${i}`,
        sender: fromCustomer ? externalUserId : userId,
        receivers: [fromCustomer ? userId : externalUserId],
        conversationId: conv!.id,
        userId,
        externalUserId,
        direction: fromCustomer ? 'customer_to_rep' : 'rep_to_customer',
        source: 'archive',
      })
      .returning({ id: messages.id });
    last = m!.id;
  }
  await app.db
    .update(conversations)
    .set({
      messageCount: count,
      lastMessageAt: now - 60_000,
      lastMessageId: last,
      lastCustomerMessageAt: now - 60_000,
      lastCustomerMessageId: last,
    })
    .where(eq(conversations.id, conv!.id));
  return conv!.id;
}

beforeAll(async () => {
  app = await buildApp(testConfig(), { logger: process.env.DEBUG_LOG ? { level: 'error' } : false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await syncCorp(app);
  await createLocalAccount(app, { username: 'boss', role: 'admin' });
  await createLocalAccount(app, { username: 'sales1', role: 'manager', departmentIds: [2] });
  admin = consoleClient(app, await consoleLogin(app, 'boss'));
  sales1 = consoleClient(app, await consoleLogin(app, 'sales1'));

  const follows = await sql<{ user_id: string; external_user_id: string }>(
    app,
    'SELECT user_id, external_user_id FROM follows WHERE corp_id = ?',
    CORP,
  );
  const followers = new Map<string, string[]>();
  for (const f of follows) followers.set(f.external_user_id, [...(followers.get(f.external_user_id) ?? []), f.user_id]);
  onlySales2 = [...followers].find(([, reps]) => reps.every((r) => SALES2.includes(r)))![0];
  shared = [...followers].find(
    ([, reps]) => reps.some((r) => SALES1.includes(r)) && reps.some((r) => SALES2.includes(r)),
  )?.[0] as string;
  if (!shared) {
    shared = (await sharedCustomers(app, 'lina', 'chenjing'))[0]!;
  }
  const sales2Rep = followers.get(onlySales2)![0]!;
  sales2Conversation = await addConversation(sales2Rep, onlySales2, 3);
  const sales1Rep = followers.get(shared)!.find((r) => SALES1.includes(r))!;
  sales1Conversation = await addConversation(sales1Rep, shared, 5);
  const sharedSales2Rep = followers.get(shared)!.find((r) => SALES2.includes(r))!;
  await addConversation(sharedSales2Rep, shared, 1);
  await app.modules.timeline.repo.add(app.db, {
    corpId: CORP,
    externalUserId: shared,
    userId: sales1Rep,
    kind: 'note',
    content: '一部的跟进',
    occurredAt: now - 2000,
  });
  await app.modules.timeline.repo.add(app.db, {
    corpId: CORP,
    externalUserId: shared,
    userId: sharedSales2Rep,
    kind: 'note',
    content: '二部的跟进',
    occurredAt: now - 1000,
  });
});

afterAll(async () => {
  await app?.close();
});

describe('customer list', () => {
  it('an admin pages through every active relationship, newest added first, none twice', async () => {
    const full = await all(admin);
    const [{ n }] = (await sql<{ n: number }>(
      app,
      "SELECT count(*) AS n FROM follows WHERE corp_id = ? AND status = 'active'",
      CORP,
    )) as [{ n: number }];
    expect(full).toHaveLength(Number(n));
    const small: Row[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.get(`/api/console/customers?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      small.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(small.map((r) => `${r.userId}/${r.externalUserId}`)).toEqual(
      full.map((r) => `${r.userId}/${r.externalUserId}`),
    );
    for (let i = 1; i < full.length; i++) expect(full[i - 1]!.addedAt).toBeGreaterThanOrEqual(full[i]!.addedAt);
    expect(full.every((r) => r.stage !== null)).toBe(true);
  });

  it('a manager sees only the relationships of reps in their departments', async () => {
    const mine = await all(sales1);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => SALES1.includes(r.userId))).toBe(true);
    const everyone = await all(admin);
    expect(mine).toHaveLength(everyone.filter((r) => SALES1.includes(r.userId)).length);
  });

  it('a manager filtering by a rep or department of another department gets 403', async () => {
    for (const url of ['/api/console/customers?userId=chenjing', '/api/console/customers?departmentId=3']) {
      const res = await sales1.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().message).toMatch(/不在您负责/);
    }
    const own = await all(sales1, '&userId=lina');
    expect(own.every((r) => r.userId === 'lina')).toBe(true);
  });

  it('filters by tags (any and all), status, stage, added days and last contact', async () => {
    const { followTags, tags, follows, contacts } = app.db.t;
    const [t1, t2] = await app.db.select({ tagId: tags.tagId }).from(tags).where(eq(tags.corpId, CORP)).limit(2);
    const everyone = await all(admin);
    // a gets both tags, b only the first (b is one that does not carry the second already).
    const a = everyone[0]!;
    const b = everyone.find((r) => r !== a && !r.tags.some((t) => t.tagId === t2!.tagId))!;
    await app.db
      .insert(followTags)
      .values([
        { corpId: CORP, userId: a!.userId, externalUserId: a!.externalUserId, tagId: t1!.tagId },
        { corpId: CORP, userId: a!.userId, externalUserId: a!.externalUserId, tagId: t2!.tagId },
        { corpId: CORP, userId: b!.userId, externalUserId: b!.externalUserId, tagId: t1!.tagId },
      ])
      .onConflictDoNothing();
    const any = await all(admin, `&tagIds=${t1!.tagId}&tagIds=${t2!.tagId}`);
    const key = (r: Row) => `${r.userId}/${r.externalUserId}`;
    expect(any.map(key)).toEqual(expect.arrayContaining([key(a!), key(b!)]));
    expect(any.every((r) => r.tags.some((t) => t.tagId === t1!.tagId || t.tagId === t2!.tagId))).toBe(true);
    const every = await all(admin, `&tagIds=${t1!.tagId}&tagIds=${t2!.tagId}&tagMatch=all`);
    expect(every.map(key)).toContain(key(a!));
    expect(every.map(key)).not.toContain(key(b!));
    expect(every.every((r) => r.tags.some((t) => t.tagId === t2!.tagId))).toBe(true);
    // One tag id alone in the query string is a list of one.
    const single = await all(admin, `&tagIds=${t2!.tagId}`);
    expect(single.map(key)).toContain(key(a!));
    expect(single.map(key)).not.toContain(key(b!));

    // Lost relationships show with status=lost or all, never by default.
    await app.db
      .update(follows)
      .set({ status: 'lost', lostAt: now, lostReason: 'deleted_by_customer' })
      .where(
        and(eq(follows.corpId, CORP), eq(follows.userId, b!.userId), eq(follows.externalUserId, b!.externalUserId)),
      );
    expect((await all(admin)).map(key)).not.toContain(key(b!));
    const lost = await all(admin, '&status=lost');
    expect(lost.map(key)).toEqual([key(b!)]);
    expect((await all(admin, '&status=all')).length).toBe(everyone.length);

    // Stage: a customer without a stage stands in the corp's first stage.
    const stages = (await sql<{ stage_id: number }>(
      app,
      'SELECT stage_id FROM stages WHERE corp_id = ? ORDER BY "order", stage_id',
      CORP,
    )) as { stage_id: number }[];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    {
      const second = Number(stages[1]!.stage_id);
      await app.db
        .update(contacts)
        .set({ stageId: second })
        .where(and(eq(contacts.corpId, CORP), eq(contacts.externalUserId, a!.externalUserId)));
      const staged = await all(admin, `&stageId=${second}`);
      expect(staged.length).toBeGreaterThan(0);
      expect(staged.every((r) => r.externalUserId === a!.externalUserId && r.stage?.stageId === second)).toBe(true);
      const first = await all(admin, `&stageId=${Number(stages[0]!.stage_id)}`);
      expect(first.map((r) => r.externalUserId)).not.toContain(a!.externalUserId);
    }
    expect((await admin.get('/api/console/customers?stageId=999999')).statusCode).toBe(400);

    // Added between two days (Shanghai), both included.
    const day = new Date(a!.addedAt + 8 * 3_600_000).toISOString().slice(0, 10);
    const added = await all(admin, `&addedFrom=${day}&addedTo=${day}`);
    expect(added.map(key)).toContain(key(a!));
    for (const r of added) expect(new Date(r.addedAt + 8 * 3_600_000).toISOString().slice(0, 10)).toBe(day);

    // Last contact: only the relationships with a chat in the range.
    const today = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
    const contacted = await all(admin, `&lastContactFrom=${today}&lastContactTo=${today}`);
    expect(contacted.length).toBeGreaterThanOrEqual(2);
    expect(contacted.every((r) => r.lastContactAt !== null && r.lastContactAt > now - DAY)).toBe(true);
  });

  it('searches names and remarks, LIKE wildcards matching themselves', async () => {
    const everyone = await all(admin, '&status=all');
    const name = everyone.find((r) => r.externalUserId === shared)!;
    const res = await admin.get(`/api/console/customers?status=all&q=${encodeURIComponent('%')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(0);
    const card = (await admin.get(`/api/console/customers/${shared}`)).json();
    const found = await all(admin, `&status=all&q=${encodeURIComponent(card.name)}`);
    expect(found.map((r) => r.externalUserId)).toContain(name.externalUserId);
  });

  it('refuses bad input with Chinese messages', async () => {
    for (const url of [
      '/api/console/customers?bogus=1',
      '/api/console/customers?cursor=nope',
      '/api/console/customers?addedFrom=2026-13-45',
      '/api/console/customers?addedFrom=2026-06-10&addedTo=2026-06-01',
      '/api/console/customers?limit=0',
      '/api/console/customers?status=gone',
    ]) {
      const res = await admin.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message, url).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('needs a console session', async () => {
    const res = await app.inject({ url: '/api/console/customers' });
    expect(res.statusCode).toBe(401);
  });
});

describe('CSV export', () => {
  it('streams every match of the filter, with Chinese headers, and checks scope before it starts', async () => {
    const res = await sales1.get('/api/console/customers.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toContain('客户');
    expect(lines[0]).toContain('员工账号');
    expect(lines.length - 1).toBe((await all(sales1)).length);
    expect(lines.slice(1).every((l) => SALES1.some((u) => l.includes(u)))).toBe(true);
    const refused = await sales1.get('/api/console/customers.csv?userId=chenjing');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/json/);
    expect((await admin.get('/api/console/customers.csv?cursor=x')).statusCode).toBe(400);
  });

  it('the admin token exports too', async () => {
    const res = await adminCall(app, 'GET', '/api/console/customers.csv?status=all');
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('customer card, timeline and chats', () => {
  it('the card lists every follower, marking who is outside a manager’s scope', async () => {
    const res = await sales1.get(`/api/console/customers/${shared}`);
    expect(res.statusCode, res.body).toBe(200);
    const card = res.json();
    expect(card.externalUserId).toBe(shared);
    expect(card.stage).toBeTruthy();
    const users = card.followers.map((f: { userId: string; inScope: boolean }) => [f.userId, f.inScope]);
    expect(users.some(([u, s]: [string, boolean]) => SALES1.includes(u) && s)).toBe(true);
    expect(users.some(([u, s]: [string, boolean]) => SALES2.includes(u) && !s)).toBe(true);
    expect(card.followers[0].department).toMatchObject({ id: expect.any(Number), name: expect.any(String) });
    const asAdmin = (await admin.get(`/api/console/customers/${shared}`)).json();
    expect(asAdmin.followers.every((f: { inScope: boolean }) => f.inScope)).toBe(true);
  });

  it('the timeline shows every rep’s items, none editable, keyset paged', async () => {
    const res = await sales1.get(`/api/console/customers/${shared}/timeline?filter=notes`);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { content: string; editable: boolean; userName: string }[];
    expect(items.map((i) => i.content)).toEqual(['二部的跟进', '一部的跟进']);
    expect(items.every((i) => !i.editable)).toBe(true);
    const first = (await sales1.get(`/api/console/customers/${shared}/timeline?filter=notes&limit=1`)).json();
    expect(first.items).toHaveLength(1);
    const second = (
      await sales1.get(`/api/console/customers/${shared}/timeline?filter=notes&limit=1&cursor=${first.nextCursor}`)
    ).json();
    expect(second.items[0].content).toBe('一部的跟进');
  });

  it('lists the customer’s chats with each rep; a manager reads only their own reps’ chats', async () => {
    const list = await sales1.get(`/api/console/customers/${shared}/conversations`);
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json().items as { id: number; userId: string; inScope: boolean; unanswered: boolean }[];
    expect(items).toHaveLength(2);
    const mine = items.find((c) => c.id === sales1Conversation)!;
    expect(mine).toMatchObject({ inScope: true, unanswered: true });
    const theirs = items.find((c) => c.id !== sales1Conversation)!;
    expect(theirs.inScope).toBe(false);
    expect((await sales1.get(`/api/console/conversations/${theirs.id}/messages`)).statusCode).toBe(403);

    const page1 = await sales1.get(`/api/console/conversations/${sales1Conversation}/messages?limit=3`);
    expect(page1.statusCode, page1.body).toBe(200);
    const p1 = page1.json();
    expect(p1.conversation).toMatchObject({ id: sales1Conversation, messageCount: 5 });
    expect(p1.items.map((m: { text: string }) => m.text)).toEqual(['消息 4', '消息 3', '消息 2']);
    expect(p1.items[0]).toMatchObject({ direction: 'customer_to_rep', type: 'text', recalled: false });
    expect(p1.items[0].senderName).not.toBe('');
    const p2 = (
      await sales1.get(`/api/console/conversations/${sales1Conversation}/messages?limit=3&cursor=${p1.nextCursor}`)
    ).json();
    expect(p2.items.map((m: { text: string }) => m.text)).toEqual(['消息 1', '消息 0']);
    expect(p2.nextCursor).toBeNull();
  });

  it('a manager of 销售一部 gets 403 on 销售二部’s customer and chat; unknown ones are 404', async () => {
    for (const url of [
      `/api/console/customers/${onlySales2}`,
      `/api/console/customers/${onlySales2}/timeline`,
      `/api/console/customers/${onlySales2}/conversations`,
      `/api/console/conversations/${sales2Conversation}/messages`,
    ]) {
      const res = await sales1.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().message).toMatch(/不在您负责的部门/);
      expect((await admin.get(url)).statusCode, url).toBe(200);
    }
    expect((await admin.get('/api/console/customers/wm_nobody')).statusCode).toBe(404);
    expect((await admin.get('/api/console/conversations/999999/messages')).statusCode).toBe(404);
    expect((await admin.get('/api/console/conversations/abc/messages')).statusCode).toBe(400);
    expect((await admin.get(`/api/console/customers/${shared}/timeline?filter=bogus`)).statusCode).toBe(400);
  });
});
