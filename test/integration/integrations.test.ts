import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { appTableCounts, waitFor } from '../support/app.js';
import { enableRule, realClock, startAt, tick, type TestClock } from '../support/automations.js';
import { admin, CORP, jobsOf, settled, simulate, timeline, wecomTagsOf } from '../support/scrm.js';
import { login, repClient, syncCorp } from '../support/sidebar.js';

/**
 * The integration API over HTTP against the real app: integration tokens, orders (matching, idempotency, bad
 * bodies, the repeat-purchase rule), birthdays pushed by another system, and signed outgoing webhooks received by
 * a real HTTP server, with a retry on the app's clock.
 */

const apps: App[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

const HAN = /[\u4e00-\u9fff]/;

async function ready(clock: TestClock = realClock()): Promise<{ app: App; clock: TestClock }> {
  const app = await startAt(clock);
  apps.push(app);
  await syncCorp(app);
  return { app, clock };
}

async function createIntegration(app: App, name = '有赞商城'): Promise<{ id: number; token: string }> {
  const res = await admin(app, 'POST', '/api/integrations', { name });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { integration: { id: number }; token: string };
  return { id: body.integration.id, token: body.token };
}

function push(app: App, token: string | null, method: 'POST' | 'PUT', url: string, payload: unknown) {
  return app.inject({
    method,
    url,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    payload: payload as object,
  });
}
const order = (app: App, token: string | null, body: Record<string, unknown>) =>
  push(app, token, 'POST', '/api/integrations/orders', body);

/** Customers a rep actively follows, with what the integrations can match them by. */
async function customersOf(app: App, userId = 'lina') {
  const { follows, contacts } = app.db.t;
  return app.db
    .select({
      externalUserId: follows.externalUserId,
      name: contacts.name,
      remark: follows.remark,
      unionId: contacts.unionId,
      remarkMobiles: follows.remarkMobiles,
    })
    .from(follows)
    .innerJoin(contacts, and(eq(contacts.corpId, follows.corpId), eq(contacts.externalUserId, follows.externalUserId)))
    .where(and(eq(follows.corpId, CORP), eq(follows.userId, userId), eq(follows.status, 'active')))
    .orderBy(asc(follows.externalUserId));
}

async function ordersOf(app: App) {
  const { orders } = app.db.t;
  return app.db.select().from(orders).orderBy(asc(orders.id));
}

async function tasksOf(app: App, userId: string) {
  const { tasks } = app.db.t;
  return app.db.select().from(tasks).where(eq(tasks.userId, userId)).orderBy(asc(tasks.id));
}

describe('integration tokens', () => {
  it('a token is shown once, authenticates orders, and a revoked or wrong one is refused in Chinese with nothing written', async () => {
    const { app } = await ready();
    const [customer] = await customersOf(app);
    const created = await admin(app, 'POST', '/api/integrations', { name: '有赞商城' });
    expect(created.statusCode, created.body).toBe(201);
    const { integration, token } = created.json() as {
      integration: { id: number; name: string; tokenPrefix: string; lastUsedAt: number | null; revokedAt: null };
      token: string;
    };
    expect(token).toMatch(/^scrm_int_[A-Za-z0-9_-]{32}$/);
    expect(integration).toMatchObject({ name: '有赞商城', tokenPrefix: token.slice(0, 13), lastUsedAt: null });
    // Listed afterwards without the token; only its hash is stored.
    const listed = await admin(app, 'GET', '/api/integrations');
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(token);
    expect(listed.json().integrations).toEqual([expect.objectContaining({ id: integration.id, revokedAt: null })]);
    const [stored] = await app.db.select().from(app.db.t.integrations);
    expect(JSON.stringify(stored)).not.toContain(token);
    // Creating one needs the admin token, not an integration's.
    expect((await push(app, token, 'POST', '/api/integrations', { name: 'x' })).statusCode).toBe(401);

    const ok = await order(app, token, { orderId: 'YZ-1', externalUserId: customer!.externalUserId, amount: 99 });
    expect(ok.statusCode, ok.body).toBe(201);
    const used = (await admin(app, 'GET', '/api/integrations')).json().integrations[0];
    expect(used.lastUsedAt).toEqual(expect.any(Number));

    const before = await appTableCounts(app);
    const refused = async (tokenUsed: string | null, orderId: string) => {
      const res = await order(app, tokenUsed, { orderId, externalUserId: customer!.externalUserId, amount: 1 });
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
      expect(res.json().message).toMatch(HAN);
      expect(res.json().message).toContain('集成令牌');
    };
    await refused(null, 'YZ-2');
    await refused(`${token}x`, 'YZ-2');
    await refused('scrm_int_wrong', 'YZ-2');
    await refused('test-admin-token-0123456789', 'YZ-2'); // the admin token is not an integration's
    const birthday = await push(app, 'nope', 'PUT', '/api/integrations/birthdays', {
      externalUserId: customer!.externalUserId,
      month: 1,
      day: 2,
    });
    expect(birthday.statusCode).toBe(401);

    const revoked = await admin(app, 'DELETE', `/api/integrations/${integration.id}`);
    expect(revoked.statusCode, revoked.body).toBe(204);
    const afterRevoke = await appTableCounts(app);
    await refused(token, 'YZ-3');
    expect(await appTableCounts(app)).toEqual(afterRevoke);
    expect(afterRevoke).toEqual({ ...before, audit_log: before.audit_log! + 1 }); // revoking marks the row (audited)
    expect((await ordersOf(app)).map((o) => o.orderId)).toEqual(['YZ-1']);
    const again = await admin(app, 'DELETE', `/api/integrations/${integration.id}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().message).toMatch(HAN);
    expect((await admin(app, 'GET', '/api/integrations')).json().integrations[0].revokedAt).toEqual(expect.any(Number));
  });
});

describe('orders', () => {
  it('finds the customer by externalUserId, by unionId and by a remark mobile; an unknown customer is a 404', async () => {
    const { app } = await ready();
    const { token } = await createIntegration(app);
    const mine = await customersOf(app);
    const byUnion = mine.find((c) => c.unionId)!;
    const { follows } = app.db.t;
    const withMobiles = await app.db
      .select({ userId: follows.userId, externalUserId: follows.externalUserId, mobiles: follows.remarkMobiles })
      .from(follows)
      .where(and(eq(follows.corpId, CORP), eq(follows.status, 'active')));
    // A mobile only one customer has (the phone match refuses an ambiguous number).
    const owners = new Map<string, Set<string>>();
    for (const f of withMobiles) {
      for (const m of f.mobiles) owners.set(m, (owners.get(m) ?? new Set()).add(f.externalUserId));
    }
    const byPhone = withMobiles.find(
      (f) =>
        f.mobiles.length > 0 && owners.get(f.mobiles[0]!)!.size === 1 && f.externalUserId !== byUnion.externalUserId,
    )!;
    expect(byUnion, 'a demo customer with a unionid').toBeDefined();
    expect(byPhone, 'a demo customer with a remark mobile').toBeDefined();
    const byId = mine.find(
      (c) => c.externalUserId !== byUnion.externalUserId && c.externalUserId !== byPhone.externalUserId,
    )!;

    const first = await order(app, token, {
      orderId: 'A-1',
      externalUserId: byId.externalUserId,
      amount: 199,
      items: [{ name: '机械手表', quantity: 1, price: 199 }],
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      orderId: 'A-1',
      externalUserId: byId.externalUserId,
      userId: 'lina',
      matchedBy: 'external_user_id',
      created: true,
      repeat: false,
    });

    const second = await order(app, token, { orderId: 'A-2', unionId: byUnion.unionId, amount: 59.9 });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ externalUserId: byUnion.externalUserId, matchedBy: 'unionid' });
    expect(second.json().userId).toEqual(expect.any(String));

    // Written as a customer would type it: +86, spaces, dashes.
    const mobile = byPhone.mobiles[0]!;
    const phone = `+86 ${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`;
    const third = await order(app, token, { orderId: 'A-3', phone, amount: 10, currency: 'USD' });
    expect(third.statusCode, third.body).toBe(201);
    expect(third.json()).toMatchObject({
      externalUserId: byPhone.externalUserId,
      userId: byPhone.userId,
      matchedBy: 'phone',
    });
    // An externalUserId that is nobody falls through to the next identifier.
    const fallback = await order(app, token, {
      orderId: 'A-4',
      externalUserId: 'wm_nobody',
      unionId: byUnion.unionId,
      amount: 1,
    });
    expect(fallback.statusCode, fallback.body).toBe(201);
    expect(fallback.json()).toMatchObject({
      externalUserId: byUnion.externalUserId,
      matchedBy: 'unionid',
      repeat: true,
    });

    const rows = await ordersOf(app);
    expect(rows.map((o) => [o.orderId, o.externalUserId, o.amountCents, o.currency])).toEqual([
      ['A-1', byId.externalUserId, 19900, 'CNY'],
      ['A-2', byUnion.externalUserId, 5990, 'CNY'],
      ['A-3', byPhone.externalUserId, 1000, 'USD'],
      ['A-4', byUnion.externalUserId, 100, 'CNY'],
    ]);
    expect(rows[0]!.items).toEqual([{ name: '机械手表', quantity: 1, price: 199 }]);

    const before = await appTableCounts(app);
    for (const who of [
      { externalUserId: 'wm_nobody' },
      { unionId: 'o_nobody' },
      { phone: '13000000000' },
      { externalUserId: 'wm_nobody', unionId: 'o_nobody', phone: '13000000000' },
    ]) {
      const res = await order(app, token, { orderId: 'B-1', amount: 1, ...who });
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().message).toBe('未找到对应的客户（按 externalUserId、unionId、手机号均未匹配到）');
    }
    const nobody = await order(app, token, { orderId: 'B-1', amount: 1 });
    expect(nobody.statusCode).toBe(400);
    expect(nobody.json().message).toBe('请提供 externalUserId、unionId 或 phone 之一，用于找到客户');
    expect(await appTableCounts(app)).toEqual(before);

    // A mobile two customers have is ambiguous: refused, not guessed.
    await app.db
      .update(follows)
      .set({ remarkMobiles: [mobile] })
      .where(and(eq(follows.userId, 'lina'), eq(follows.externalUserId, byId.externalUserId)));
    const ambiguous = await order(app, token, { orderId: 'B-2', phone: mobile, amount: 1 });
    expect(ambiguous.statusCode, ambiguous.body).toBe(409);
    expect(ambiguous.json().message).toBe('该手机号对应多位客户，请改用 externalUserId 或 unionId');
    expect(await appTableCounts(app)).toEqual(before);
  });

  it('the same order id twice is recorded once: the second answers 200, also when both arrive at once', async () => {
    const { app } = await ready();
    const { token } = await createIntegration(app);
    const [customer, other] = await customersOf(app);
    const body = { orderId: 'SAME-1', externalUserId: customer!.externalUserId, amount: 88 };
    const first = await order(app, token, body);
    expect(first.statusCode, first.body).toBe(201);
    const before = await appTableCounts(app);
    const second = await order(app, token, { ...body, amount: 99 });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toEqual({ ...first.json(), created: false, repeat: false });
    expect(await appTableCounts(app)).toEqual(before);
    expect((await ordersOf(app)).map((o) => o.amountCents)).toEqual([8800]);

    // Two pushes of one new order at the same moment: one records it, the other is told it exists.
    const both = await Promise.all([
      order(app, token, { orderId: 'SAME-2', externalUserId: other!.externalUserId, amount: 5 }),
      order(app, token, { orderId: 'SAME-2', externalUserId: other!.externalUserId, amount: 5 }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 201]);
    expect(new Set(both.map((r) => r.json().id)).size).toBe(1);
    expect((await ordersOf(app)).map((o) => o.orderId)).toEqual(['SAME-1', 'SAME-2']);

    // Order ids are per integration: another system may use the same one.
    const { token: other2 } = await createIntegration(app, '线下门店');
    const elsewhere = await order(app, other2, body);
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    expect(elsewhere.json()).toMatchObject({ created: true, repeat: true });
    expect(await ordersOf(app)).toHaveLength(3);
  });

  it('a bad body is a 400 naming the field, with nothing written', async () => {
    const { app } = await ready();
    const { token } = await createIntegration(app);
    const [customer] = await customersOf(app);
    const good = { orderId: 'BAD-1', externalUserId: customer!.externalUserId, amount: 10 };
    const before = await appTableCounts(app);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, coupon: 'SAVE10' }, 'coupon'],
      [{ ...good, amount: -1 }, 'amount'],
      [{ ...good, currency: 'rmb' }, 'currency'],
      [{ ...good, currency: 'CNYY' }, 'currency'],
      [{ ...good, orderId: '' }, 'orderId'],
      [{ externalUserId: customer!.externalUserId, amount: 1 }, 'orderId'],
      [{ ...good, phone: 'call me' }, 'phone'],
      [{ ...good, items: [{ name: '表', quantity: 0 }] }, 'quantity'],
    ];
    for (const [body, field] of cases) {
      const res = await order(app, token, body);
      expect(res.statusCode, `${JSON.stringify(body)} → ${res.body}`).toBe(400);
      expect(res.json().message, JSON.stringify(body)).toContain(field);
      expect(res.json().message).toMatch(HAN);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/integrations/orders',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"orderId":',
    });
    expect(notJson.statusCode).toBe(400);
    // Refused bodies touch nothing (the token's last use is an update, not a row).
    expect(await appTableCounts(app)).toEqual(before);
  });
});

describe('复购感谢 (repeat purchases)', () => {
  it('a second distinct order → a thank-you task for the rep and the rule’s tag, once; nothing when the rule is off', async () => {
    const { app } = await ready();
    const { token } = await createIntegration(app);
    const [customer, offCustomer, burst] = await customersOf(app);
    const { tags } = app.db.t;
    const [tag] = await app.db
      .select({ tagId: tags.tagId, name: tags.name })
      .from(tags)
      .where(and(eq(tags.corpId, CORP), eq(tags.deleted, false)))
      .orderBy(asc(tags.tagId));
    const c = customer!.externalUserId;
    expect(await wecomTagsOf(app, c, 'lina')).not.toContain(tag!.tagId);

    // The rule is off: a repeat order is recorded as one, and nobody gets a task.
    for (const orderId of ['OFF-1', 'OFF-2']) {
      const res = await order(app, token, { orderId, externalUserId: offCustomer!.externalUserId, amount: 20 });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(await tasksOf(app, 'lina')).toEqual([]);

    await enableRule(app, 'repeat_purchase', {
      config: {
        tagId: tag!.tagId,
        title: '复购感谢',
        script: '{客户昵称}，感谢您再次选择我们！',
      },
    });
    const first = await order(app, token, { orderId: 'R-1', externalUserId: c, amount: 199 });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().repeat).toBe(false);
    expect(await tasksOf(app, 'lina')).toEqual([]);

    // The second order runs the rule inside the order's transaction (it once threw TransactionMisuse on SQLite).
    const second = await order(app, token, { orderId: 'R-2', externalUserId: c, amount: 358.5 });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ created: true, repeat: true, userId: 'lina' });
    const shown = customer!.remark || customer!.name;
    const tasks = await tasksOf(app, 'lina');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      kind: 'repeat_purchase',
      externalUserId: c,
      title: `复购感谢：${shown}`,
      detail: '客户再次下单（订单 R-2，¥358.50）',
      script: `${shown}，感谢您再次选择我们！`,
    });

    // The tag, through WeCom (mark_tag) and recorded locally and on the timeline.
    await waitFor(
      async () => (await jobsOf(app, c)).some((j) => j.kind === 'automation_tag' && j.status === 'done'),
      'the tag job',
    );
    expect(await wecomTagsOf(app, c, 'lina')).toContain(tag!.tagId);
    const { followTags } = app.db.t;
    const recorded = await app.db
      .select()
      .from(followTags)
      .where(and(eq(followTags.externalUserId, c), eq(followTags.userId, 'lina'), eq(followTags.tagId, tag!.tagId)));
    expect(recorded).toHaveLength(1);
    expect((await timeline(app, c)).filter((t) => t.kind === 'tagged').map((t) => t.content)).toEqual([
      `复购客户，已打标签：${tag!.name}`,
    ]);

    // The same order again changes nothing; a third order thanks again (one task per repeat order).
    const replay = await order(app, token, { orderId: 'R-2', externalUserId: c, amount: 358.5 });
    expect(replay.statusCode).toBe(200);
    expect(await tasksOf(app, 'lina')).toHaveLength(1);
    const third = await order(app, token, { orderId: 'R-3', externalUserId: c, amount: 1 });
    expect(third.statusCode, third.body).toBe(201);
    expect((await tasksOf(app, 'lina')).map((t) => t.detail)).toEqual([
      '客户再次下单（订单 R-2，¥358.50）',
      '客户再次下单（订单 R-3，¥1.00）',
    ]);
    const runs = (await admin(app, 'GET', '/api/automations/rules/repeat_purchase/runs')).json().runs as Array<{
      outcome: string;
      detail: string;
    }>;
    expect(runs.map((r) => r.outcome)).toEqual(['fired', 'fired']);
    expect(runs[1]!.detail).toContain('R-2');
    expect(await wecomTagsOf(app, c, 'lina')).toContain(tag!.tagId);

    // A customer's first two orders pushed at the same moment: exactly one of them is the repeat.
    const pair = await Promise.all(
      ['P-1', 'P-2'].map((orderId) => order(app, token, { orderId, externalUserId: burst!.externalUserId, amount: 3 })),
    );
    expect(pair.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(pair.map((r) => r.json().repeat as boolean).sort()).toEqual([false, true]);
    expect((await tasksOf(app, 'lina')).filter((t) => t.externalUserId === burst!.externalUserId)).toHaveLength(1);
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A webhook receiver on 127.0.0.1: records every request with its raw body; `answer` picks the status. */
async function receiver(answer: (r: Omit<Received, 'answered'>, seen: Received[]) => number) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = answer(r, received);
      received.push({ ...r, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/scrm`, received };
}

/** What a receiver does, computed here from the secret, not with the module's own signature helper. */
function verified(secret: string, r: Received, nowMs: number): boolean {
  const timestamp = r.headers['x-scrm-timestamp'];
  const signature = r.headers['x-scrm-signature'];
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp) || typeof signature !== 'string') return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`, 'utf8').digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

interface Delivery {
  id: number;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

/** The delivery job has settled its n-th attempt (and so computed its next run from the clock as it was). */
async function settledAttempt(app: App, n: number) {
  const { jobs } = app.db.t;
  return waitFor(async () => {
    const [job] = await app.db.select().from(jobs).where(eq(jobs.kind, 'webhook_deliver'));
    return job && job.attempts === n && job.status !== 'running' && job;
  }, `attempt ${n} settled`);
}

describe('outgoing webhooks', () => {
  it('customer added, customer lost and order events reach a receiver once each, signed as documented', async () => {
    const { app, clock } = await ready();
    const hook = await receiver(() => 200);
    // A customer added before the webhook exists is history, not an event for it.
    const earlier = await simulate(app, { changeType: 'add_external_contact', userId: 'lina', name: '陈早' });
    await settled(app, earlier.externalUserId);
    const created = await admin(app, 'POST', '/api/webhooks', {
      name: 'CRM 同步',
      url: hook.url,
      events: ['customer.added', 'customer.lost', 'order.created'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const { endpoint, secret } = created.json() as { endpoint: { id: number; enabled: boolean }; secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(endpoint.enabled).toBe(true);
    const listed = await admin(app, 'GET', '/api/webhooks');
    expect(listed.body).not.toContain(secret);
    const [stored] = await app.db.select().from(app.db.t.webhookEndpoints);
    expect(JSON.stringify(stored)).not.toContain(secret);
    // A bad URL or an unknown event is refused.
    const badUrl = await admin(app, 'POST', '/api/webhooks', { name: 'x', url: 'ftp://a', events: ['order.created'] });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().message).toContain('url');
    const badEvent = await admin(app, 'POST', '/api/webhooks', { name: 'x', url: hook.url, events: ['order.paid'] });
    expect(badEvent.statusCode).toBe(400);

    // A new customer adds lina, then deletes her; the timeline feed turns both into events.
    const { externalUserId } = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'lina',
      name: '王思远',
    });
    await settled(app, externalUserId);
    await tick(app, false);
    await waitFor(() => hook.received.some((r) => r.headers['x-scrm-event'] === 'customer.added'), 'customer.added');
    await simulate(app, { changeType: 'del_follow_user', userId: 'lina', externalUserId });
    await waitFor(
      async () => (await timeline(app, externalUserId)).some((t) => t.kind === 'lost'),
      'the loss on the timeline',
    );
    await tick(app, false);
    await waitFor(() => hook.received.some((r) => r.headers['x-scrm-event'] === 'customer.lost'), 'customer.lost');

    const { token } = await createIntegration(app);
    const [customer] = await customersOf(app);
    const placed = await order(app, token, { orderId: 'W-1', externalUserId: customer!.externalUserId, amount: 66.6 });
    expect(placed.statusCode, placed.body).toBe(201);
    await waitFor(() => hook.received.some((r) => r.headers['x-scrm-event'] === 'order.created'), 'order.created');

    // Ticks again (the feed re-reads rows until they settle) and a replayed order send nothing new.
    await tick(app, false);
    await tick(app, false);
    expect(
      (await order(app, token, { orderId: 'W-1', externalUserId: customer!.externalUserId, amount: 66.6 })).statusCode,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 300));

    expect(hook.received.map((r) => r.headers['x-scrm-event'])).toEqual([
      'customer.added',
      'customer.lost',
      'order.created',
    ]);
    for (const r of hook.received) {
      expect(verified(secret, r, clock.now()), r.body).toBe(true);
      expect(verified('whsec_someone-else', r, clock.now())).toBe(false);
      expect(verified(secret, { ...r, body: r.body.replace('}', ', "x": 1}') }, clock.now())).toBe(false);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      const payload = JSON.parse(r.body) as { id: string; type: string; occurredAt: number; corpId: string };
      expect(payload).toMatchObject({
        id: r.headers['x-scrm-event-id'],
        type: r.headers['x-scrm-event'],
        corpId: CORP,
      });
    }
    const [added, lost, paid] = hook.received.map(
      (r) => JSON.parse(r.body) as { id: string; data: Record<string, unknown> },
    );
    expect(added!.id).toMatch(/^timeline:\d+$/);
    expect(added!.data).toMatchObject({ externalUserId, userId: 'lina' });
    expect(hook.received.some((r) => r.body.includes(earlier.externalUserId))).toBe(false);
    expect(lost!.data).toMatchObject({ externalUserId, userId: 'lina' });
    expect(paid!.id).toMatch(/^order:\d+$/);
    expect(paid!.data).toMatchObject({
      orderId: 'W-1',
      externalUserId: customer!.externalUserId,
      userId: 'lina',
      amount: 66.6,
      currency: 'CNY',
      repeat: false,
      integration: '有赞商城',
    });

    const log = (await admin(app, 'GET', `/api/webhooks/${endpoint.id}/deliveries`)).json().deliveries as Delivery[];
    expect(log.map((d) => [d.eventType, d.status, d.attempts, d.lastStatus])).toEqual([
      ['order.created', 'delivered', 1, 200],
      ['customer.lost', 'delivered', 1, 200],
      ['customer.added', 'delivered', 1, 200],
    ]);
    expect((await admin(app, 'GET', '/api/webhooks/999/deliveries')).statusCode).toBe(404);
  });

  it('a receiver answering 500 gets the event again after the backoff, once it answers 200; the log shows both attempts', async () => {
    const { app, clock } = await ready();
    // The first request fails; every later one is accepted.
    const hook = await receiver((_r, seen) => (seen.length === 0 ? 500 : 200));
    const created = await admin(app, 'POST', '/api/webhooks', {
      name: 'ERP',
      url: hook.url,
      events: ['order.created'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const { endpoint, secret } = created.json() as { endpoint: { id: number }; secret: string };
    const { token } = await createIntegration(app);
    const [customer] = await customersOf(app);
    const log = async () =>
      (await admin(app, 'GET', `/api/webhooks/${endpoint.id}/deliveries`)).json().deliveries as Delivery[];

    expect(
      (await order(app, token, { orderId: 'E-1', externalUserId: customer!.externalUserId, amount: 5 })).statusCode,
    ).toBe(201);
    await settledAttempt(app, 1);
    expect(await log()).toEqual([
      expect.objectContaining({
        eventType: 'order.created',
        status: 'pending',
        attempts: 1,
        lastStatus: 500,
        lastError: 'HTTP 500',
        deliveredAt: null,
      }),
    ]);
    // The first retry waits 10 s on the app's clock: nothing before that.
    clock.advance(9_000);
    await new Promise((r) => setTimeout(r, 400));
    expect(hook.received).toHaveLength(1);
    clock.advance(1_500);
    await waitFor(async () => (await log())[0]?.status === 'delivered', 'the retry');
    await new Promise((r) => setTimeout(r, 300));

    expect(hook.received.map((r) => r.answered)).toEqual([500, 200]);
    const [failed, retried] = hook.received;
    // The same event (id and body) both times, each signed afresh with its own timestamp.
    expect(retried!.headers['x-scrm-event-id']).toBe(failed!.headers['x-scrm-event-id']);
    expect(retried!.body).toBe(failed!.body);
    expect(
      Number(retried!.headers['x-scrm-timestamp']) - Number(failed!.headers['x-scrm-timestamp']),
    ).toBeGreaterThanOrEqual(10);
    expect(verified(secret, failed!, clock.now())).toBe(true);
    expect(verified(secret, retried!, clock.now())).toBe(true);
    const [delivery] = await log();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200, lastError: null });
    expect(delivery!.deliveredAt).toEqual(expect.any(Number));

    // A disabled endpoint gets nothing.
    const off = await admin(app, 'PATCH', `/api/webhooks/${endpoint.id}`, { enabled: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(
      (await order(app, token, { orderId: 'E-2', externalUserId: customer!.externalUserId, amount: 5 })).statusCode,
    ).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.received).toHaveLength(2);
    expect(await log()).toHaveLength(1);
  });
});

describe('webhook retries', () => {
  async function failing(app: App, answer: () => number) {
    const hook = await receiver(answer);
    const created = await admin(app, 'POST', '/api/webhooks', {
      name: 'ERP',
      url: hook.url,
      events: ['order.created'],
    });
    expect(created.statusCode, created.body).toBe(201);
    return { hook, endpointId: (created.json() as { endpoint: { id: number } }).endpoint.id };
  }
  it('backs off 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h on the app clock, then gives up after 8 attempts', async () => {
    const { app, clock } = await ready();
    const { hook, endpointId } = await failing(app, () => 503);
    const { token } = await createIntegration(app);
    const [customer] = await customersOf(app);
    const placed = await order(app, token, { orderId: 'F-1', externalUserId: customer!.externalUserId, amount: 5 });
    expect(placed.statusCode, placed.body).toBe(201);
    await settledAttempt(app, 1);
    const waits = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000];
    for (const [i, wait] of waits.entries()) {
      clock.advance(wait - 2_000);
      await new Promise((r) => setTimeout(r, 250));
      expect(hook.received, `before retry ${i + 1}`).toHaveLength(i + 1);
      clock.advance(2_000);
      await settledAttempt(app, i + 2);
      expect(hook.received).toHaveLength(i + 2);
    }
    const [delivery] = (await admin(app, 'GET', `/api/webhooks/${endpointId}/deliveries`)).json()
      .deliveries as Delivery[];
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 8,
      lastStatus: 503,
      lastError: 'HTTP 503（已尝试 8 次，放弃）',
      deliveredAt: null,
    });
    clock.advance(86_400_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.received).toHaveLength(8);
    expect(new Set(hook.received.map((r) => r.headers['x-scrm-event-id'])).size).toBe(1);
  });

  it('an endpoint deleted while a delivery waits for its retry gets nothing more; the delivery is marked failed', async () => {
    const { app, clock } = await ready();
    const { hook, endpointId } = await failing(app, () => 500);
    const { token } = await createIntegration(app);
    const [customer] = await customersOf(app);
    const placed = await order(app, token, { orderId: 'D-1', externalUserId: customer!.externalUserId, amount: 5 });
    expect(placed.statusCode, placed.body).toBe(201);
    await settledAttempt(app, 1);
    expect((await admin(app, 'DELETE', `/api/webhooks/${endpointId}`)).statusCode).toBe(204);
    expect((await admin(app, 'GET', `/api/webhooks/${endpointId}/deliveries`)).statusCode).toBe(404);
    clock.advance(10_000);
    const { webhookDeliveries } = app.db.t;
    const [row] = await waitFor(async () => {
      const rows = await app.db.select().from(webhookDeliveries);
      return rows[0]?.status === 'failed' && rows;
    }, 'the delivery to fail');
    expect(row).toMatchObject({ attempts: 1, lastError: 'Webhook 已删除' });
    expect(hook.received).toHaveLength(1);
  });
});

describe('birthdays from another system', () => {
  it('PUT /api/integrations/birthdays sets the birthday the rep reads in the sidebar', async () => {
    const { app } = await ready();
    const { id, token } = await createIntegration(app, '会员系统');
    const [customer] = await customersOf(app);
    const c = customer!.externalUserId;
    const rep = repClient(app, await login(app, 'lina'));
    expect((await rep.get(`/api/customers/${c}/birthday`)).json()).toEqual({ birthday: null });

    const set = await push(app, token, 'PUT', '/api/integrations/birthdays', {
      externalUserId: c,
      month: 3,
      day: 14,
      year: 1990,
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ externalUserId: c });
    const read = await rep.get(`/api/customers/${c}/birthday`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toEqual({ birthday: { month: 3, day: 14, year: 1990, source: `integration:${id}` } });

    const before = await appTableCounts(app);
    const refused = async (body: Record<string, unknown>, status: number, text: string) => {
      const res = await push(app, token, 'PUT', '/api/integrations/birthdays', body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().message).toContain(text);
      expect(res.json().message).toMatch(HAN);
    };
    await refused({ externalUserId: c, month: 2, day: 30 }, 400, '2 月没有 30 日');
    // As from the sidebar: 29 February only in a leap year, when the year is known.
    await refused({ externalUserId: c, month: 2, day: 29, year: 2023 }, 400, '2023 年 2 月没有 29 日');
    await refused({ externalUserId: c, month: 13, day: 1 }, 400, 'month');
    await refused({ externalUserId: c, month: 1, day: 1, note: 'x' }, 400, 'note');
    await refused({ externalUserId: 'wm_nobody', month: 1, day: 1 }, 404, '未找到对应的客户');
    expect(await appTableCounts(app)).toEqual(before);
    expect((await rep.get(`/api/customers/${c}/birthday`)).json().birthday).toMatchObject({ month: 3, day: 14 });
    const leap = await push(app, token, 'PUT', '/api/integrations/birthdays', {
      externalUserId: c,
      month: 2,
      day: 29,
      year: 2024,
    });
    expect(leap.statusCode, leap.body).toBe(200);
    expect((await rep.get(`/api/customers/${c}/birthday`)).json().birthday).toMatchObject({
      month: 2,
      day: 29,
      year: 2024,
    });
  });
});
