import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import type { ErasureRecord } from '../../shared/schemas/messages.js';
import { waitFor } from '../support/app.js';
import { addRobot, chat, enableRule, notificationsSettled, realClock, startAt, tick } from '../support/automations.js';
import { admin, CORP, settled, simulate, tagId } from '../support/scrm.js';
import { login, repClient, syncCorp, type RepClient } from '../support/sidebar.js';

/**
 * Erasure against the whole schema, on the run's backend: one customer is given a row in every table that has a
 * customer column (found from the database's catalogue, so a table added later fails this test until it is seeded
 * here and handled by the erasure), through the real APIs where there is one; after the erasure, every column of
 * every table is searched for the customer's id and name. Only the erasure's own audit records may name them. The
 * dashboards' and channel statistics' counts are the same before and after.
 */

/** Distinctive, so a match is this customer's and no one else's. */
const NAME = '甄士隐测试客户';
const REP = 'lina';

let app: App;
let hooks: Server;
const received: string[] = [];

type Row = Record<string, unknown>;

async function tableNames(): Promise<string[]> {
  const rows =
    app.db.backend === 'postgres'
      ? await app.db.rows<{ name: string }>(
          app.db,
          sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
        )
      : await app.db.rows<{ name: string }>(
          app.db,
          sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' AND name NOT LIKE 'messages_fts%' ORDER BY name`,
        );
  return rows.map((r) => r.name);
}

/** Tables with a column that holds a customer's external user id (external_user_id, or any column so named). */
async function customerTables(): Promise<string[]> {
  const rows =
    app.db.backend === 'postgres'
      ? await app.db.rows<{ name: string }>(
          app.db,
          sql`SELECT DISTINCT table_name AS name FROM information_schema.columns
              WHERE table_schema = 'public' AND column_name LIKE '%external%'`,
        )
      : await app.db.rows<{ name: string }>(
          app.db,
          sql`SELECT DISTINCT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) c
              WHERE m.type = 'table' AND c.name LIKE '%external%'`,
        );
  return rows.map((r) => r.name).sort();
}

/** Every row of every table (all columns, as JSON) that contains `text`, as `table: row`. */
async function rowsMentioning(text: string): Promise<Array<{ table: string; row: Row }>> {
  const found: Array<{ table: string; row: Row }> = [];
  for (const name of await tableNames()) {
    const rows = await app.db.rows<Row>(app.db, sql`SELECT * FROM ${sql.identifier(name)}`);
    for (const row of rows) if (JSON.stringify(row).includes(text)) found.push({ table: name, row });
  }
  return found;
}

const show = (hits: Array<{ table: string; row: Row }>) =>
  hits.map((h) => `${h.table}: ${JSON.stringify(h.row).slice(0, 300)}`);

/** The erasure's own records: the erasures row, and the audit log's entry of the erasure request. */
const isErasureRecord = (h: { table: string; row: Row }) =>
  h.table === 'erasures' || (h.table === 'audit_log' && h.row.action === 'erasure.create');

/** No job or delivery is still to run: queue items still to be handled stay at erasure, by design. */
async function quiet(): Promise<void> {
  const { jobs, webhookDeliveries } = app.db.t;
  await waitFor(
    async () => {
      const busy = await app.db
        .select({ id: jobs.id, kind: jobs.kind })
        .from(jobs)
        .where(sql`${jobs.status} IN ('pending', 'running') AND ${jobs.kind} <> 'console_rollup'`);
      const waiting = await app.db
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.status, 'pending'));
      return busy.length === 0 && waiting.length === 0;
    },
    'jobs and webhook deliveries to finish',
    30_000,
  );
  await notificationsSettled(app);
}

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  app = await startAt(realClock());
  await syncCorp(app);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => hooks?.close(resolve));
});

describe('erasure over every table', () => {
  let customer: string;
  let channelId: number;
  let rep: RepClient;

  it('seeds the customer into every table that has a customer column, through the APIs', async () => {
    await addRobot(app, 2);
    for (const kind of ['loss', 'unreplied', 'keyword']) await enableRule(app, kind);
    const integration = await admin(app, 'POST', '/api/integrations', { name: '商城' });
    expect(integration.statusCode, integration.body).toBe(201);
    const token = (integration.json() as { token: string }).token;
    const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/scrm`;
    const webhook = await admin(app, 'POST', '/api/webhooks', {
      name: '数据中台',
      url: hookUrl,
      events: ['customer.added', 'customer.lost', 'customer.tagged', 'customer.stage_changed', 'order.created'],
    });
    expect(webhook.statusCode, webhook.body).toBe(201);
    const group = await admin(app, 'POST', '/api/script-groups', { name: '售后' });
    const script = await admin(app, 'POST', '/api/scripts', {
      groupId: (group.json() as { id: number }).id,
      title: '退换货政策',
      kind: 'text',
      content: '七天无理由退换货，运费我们承担',
    });
    expect(script.statusCode, script.body).toBe(201);
    const scriptId = (script.json() as { id: number }).id;
    await tick(app); // the feeds start where they are

    // Added through a channel code: contact, follow, callbacks, welcome, movements, timeline, webhooks.
    const channel = await admin(app, 'POST', '/api/channels', {
      name: '隐私测试渠道',
      reps: [REP],
      tagIds: [await tagId(app, '潜在客户')],
      welcome: { text: '{客户昵称}您好，我是{员工姓名}' },
    });
    expect(channel.statusCode, channel.body).toBe(201);
    const { id, state } = channel.json() as { id: number; state: string };
    channelId = id;
    customer = (await simulate(app, { changeType: 'add_external_contact', userId: REP, name: NAME, state }))
      .externalUserId;
    await settled(app, customer);

    // The rep in the sidebar: a note with a reminder, a tag, a stage, a birthday, a script sent, a suggestion shown.
    rep = repClient(app, await login(app, REP));
    const note = await rep.post(`/api/customers/${customer}/notes`, {
      content: '客户想要退货',
      dueAt: Date.now() + 86_400_000,
    });
    expect(note.statusCode, note.body).toBe(201);
    const tags = await rep.put(`/api/customers/${customer}/tags`, { add: [await tagId(app, '线下门店')], remove: [] });
    expect(tags.statusCode, tags.body).toBe(200);
    expect((await rep.put(`/api/customers/${customer}/stage`, { stageId: 2 })).statusCode).toBe(200);
    expect((await rep.put(`/api/customers/${customer}/birthday`, { month: 3, day: 9 })).statusCode).toBe(200);
    const sent = await rep.post(`/api/scripts/${scriptId}/sends`, {
      externalUserId: customer,
      customerMessage: '我想退货，怎么办理',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const suggestions = await rep.post(`/api/customers/${customer}/suggestions`, { messages: ['退货运费谁出'] });
    expect(suggestions.statusCode, suggestions.body).toBe(200);
    const [first] = (suggestions.json() as { items: Array<{ feedbackKey: string }> }).items;
    expect(first).toBeDefined();
    const feedback = await rep.post('/api/suggestions/feedback', { feedbackKey: first!.feedbackKey, outcome: 'shown' });
    expect(feedback.statusCode, feedback.body).toBe(200);

    // Chats, as the conversations module stores them, a keyword alert on one, the customer's consent (if not known).
    const { keywordRules, keywordAlerts, archiveConsents } = app.db.t;
    await chat(app, { userId: REP, externalUserId: customer, from: 'rep', text: '您好', at: Date.now() - 5000 });
    const complaint = await chat(app, {
      userId: REP,
      externalUserId: customer,
      from: 'customer',
      text: '再不处理我就投诉',
      at: Date.now() - 1000,
    });
    const rule = await admin(app, 'POST', '/api/keyword-rules', { name: '投诉', words: ['投诉'] });
    expect(rule.statusCode, rule.body).toBe(201);
    const [ruleRow] = await app.db.select().from(keywordRules).where(eq(keywordRules.name, '投诉'));
    await app.db.insert(keywordAlerts).values({
      corpId: CORP,
      ruleId: ruleRow!.id,
      messageId: complaint,
      userId: REP,
      externalUserId: customer,
      matched: '投诉',
      direction: 'customer_to_rep',
      sentAt: Date.now() - 1000,
    });
    await app.db
      .insert(archiveConsents)
      .values({ corpId: CORP, userId: REP, externalUserId: customer, status: 'agree', source: 'event' })
      .onConflictDoNothing();

    // A group chat the customer is in: another member's message lists them among its receivers.
    const { messages } = app.db.t;
    await app.db.insert(messages).values({
      corpId: CORP,
      msgid: 'group-privacy-test-1',
      sentAt: Date.now() - 2000,
      type: 'text',
      text: '各位好，本周六门店有活动',
      content: { content: '各位好，本周六门店有活动' },
      sender: 'zhangwei',
      receivers: [REP, customer],
      roomId: 'wr-privacy-test-room',
      userId: 'zhangwei',
      direction: 'internal',
      source: 'archive',
    });
    // A manager's change about the customer in the audit log (kept at erasure, without the customer's id).
    await app.modules.audit.service.recordRaw({
      corpId: CORP,
      at: Date.now(),
      actorKind: 'member',
      actorId: 'wangfang',
      actorName: '王芳',
      action: 'customer.tag',
      targetType: 'customer',
      targetId: customer,
      summary: `给客户 ${customer} 打标签「线下门店」`,
      detail: { params: { externalUserId: customer } },
    });

    // An integration pushes an order and a birthday; the rep's task about the customer, as the rules add it.
    const bearer = { authorization: `Bearer ${token}` };
    // One order: a second (a repeat purchase) is a 500 on SQLite, as the automations' afterOrder hook reads the
    // rules on the plain handle inside the order's transaction (reported; not this module's code).
    const order = await app.inject({
      method: 'POST',
      url: '/api/integrations/orders',
      headers: bearer,
      payload: {
        orderId: 'SO-1001',
        externalUserId: customer,
        amount: 199,
        items: [{ name: '空气净化器滤芯', quantity: 1 }],
      },
    });
    expect(order.statusCode, order.body).toBe(201);
    const birthday = await app.inject({
      method: 'PUT',
      url: '/api/integrations/birthdays',
      headers: bearer,
      payload: { externalUserId: customer, month: 3, day: 9, year: 1990 },
    });
    expect(birthday.statusCode, birthday.body).toBe(200);
    await app.modules.tasks.repo.add(app.db, {
      corpId: CORP,
      userId: REP,
      externalUserId: customer,
      kind: 'repeat_purchase',
      title: `复购感谢：${NAME}`,
      detail: '客户下单（订单 SO-1001，¥199.00）',
      dueAt: Date.now(),
      sourceKey: 'repeat_purchase:order:SO-1001',
      createdAt: Date.now(),
    });

    // The automations read the feeds: the reply turn, the keyword alert's notification, the webhooks.
    await tick(app);
    await tick(app, false);

    // Finally the customer deletes the rep: the loss alert, its notification, the loss movements.
    await simulate(app, { changeType: 'del_follow_user', userId: REP, externalUserId: customer });
    await settled(app, customer);
    await tick(app, false);
    await quiet();

    const hits = await rowsMentioning(customer);
    const seeded = new Set(hits.map((h) => h.table));
    // Every table with a customer column has the customer, but the erasures (the record of an erasure to come).
    const missing = (await customerTables()).filter((t) => t !== 'erasures' && !seeded.has(t));
    expect(missing, 'tables with an external_user_id column this test does not seed').toEqual([]);
    // And the tables that name them in a payload or a key.
    for (const table of ['webhook_deliveries', 'events', 'jobs']) expect(seeded, table).toContain(table);
    const named = new Set((await rowsMentioning(NAME)).map((h) => h.table));
    for (const table of ['automation_runs', 'notifications', 'tasks']) expect(named, table).toContain(table);
    expect(received.some((body) => body.includes(customer))).toBe(true);
  }, 120_000);

  it('exports the tasks, birthday, orders and notifications with the rest', async () => {
    const zip = await admin(app, 'GET', `/api/customer-export?externalUserId=${customer}`);
    expect(zip.statusCode).toBe(200);
    const file = join(mkdtempSync(join(tmpdir(), 'scrm-zip-')), 'c.zip');
    writeFileSync(file, zip.rawPayload);
    const read = (name: string) => JSON.parse(execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' }));
    const tasks = read('tasks.json') as Array<{ kind: string; externalUserId: string }>;
    expect(tasks.map((t) => t.kind)).toContain('repeat_purchase');
    expect(read('birthday.json')).toMatchObject({ externalUserId: customer, month: 3, day: 9, year: 1990 });
    const orders = read('orders.json') as Array<{ orderId: string; amountCents: number }>;
    expect(orders.map((o) => [o.orderId, o.amountCents])).toEqual([['SO-1001', 19900]]);
    const notifications = read('notifications.json') as Array<{ kind: string }>;
    expect(notifications.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(notifications)).toContain(NAME);
  });

  it('erases it all: no table names the customer but the erasure record; counted figures do not change', async () => {
    const today = app.modules.dashboards.rollup.dayOf(Date.now());
    const figures = async () => {
      const day = await app.modules.dashboards.rollup.rollUp(CORP, today);
      const lina = day.reps.find((r) => r.userId === REP)!.figures;
      const stats = await admin(app, 'GET', `/api/channels/${channelId}/stats?from=${today}&to=${today}`);
      expect(stats.statusCode, stats.body).toBe(200);
      return {
        movements: day.movements.filter((m) => m.userId === REP),
        scriptsSent: lina.scriptsSent,
        suggestionsShown: lina.suggestionsShown,
        notesWritten: lina.notesWritten,
        channel: stats.json() as unknown,
      };
    };
    const before = await figures();
    expect(before.movements.find((m) => m.channelId === channelId)).toMatchObject({
      adds: 1,
      losses: 1,
      lostByCustomer: 1,
      cohortLost7: 1,
      welcomeSent: 1,
    });
    expect(before).toMatchObject({ scriptsSent: 1, suggestionsShown: 1, notesWritten: 1 });

    const erased = await admin(app, 'POST', '/api/erasures', {
      externalUserId: customer,
      confirm: customer,
      reason: '客户要求删除个人信息',
    });
    expect(erased.statusCode, erased.body).toBe(201);
    const record = erased.json() as ErasureRecord;
    const left = (await rowsMentioning(customer)).filter((h) => !isErasureRecord(h));
    expect(show(left)).toEqual([]);
    const named = (await rowsMentioning(NAME)).filter((h) => !isErasureRecord(h));
    expect(show(named)).toEqual([]);
    expect(record.counts).toMatchObject({
      profile: 1,
      follows: 1,
      messages: 3, // two chats and the script the rep sent from the sidebar
      birthday: 1,
      orders: 1,
      consents: 1,
      keywordAlerts: 1,
      channelMovementsAnonymised: 2,
      customerMovementsAnonymised: 2,
      scriptSendsAnonymised: 1,
      suggestionFeedbackAnonymised: 1,
      replyTurnsAnonymised: 1,
      automationRunsAnonymised: 1,
      groupMessageReceiversAnonymised: 1,
      auditEntriesAnonymised: 1,
    });
    for (const kind of ['tasks', 'notifications', 'webhookDeliveries', 'alerts', 'events', 'jobs', 'timelineItems']) {
      expect(record.counts[kind], kind).toBeGreaterThan(0);
    }

    // The group message and the manager's audit entry stay, without the customer.
    const { messages, auditLog } = app.db.t;
    const group = await app.db.select().from(messages).where(eq(messages.roomId, 'wr-privacy-test-room'));
    expect(group.map((m) => [m.text, m.receivers.length])).toEqual([['各位好，本周六门店有活动', 2]]);
    const [tagged] = await app.db.select().from(auditLog).where(eq(auditLog.action, 'customer.tag'));
    expect(tagged!.targetId).toMatch(/^erased:[0-9a-f]{24}$/);
    expect(tagged!.summary).toBe(`给客户 ${tagged!.targetId} 打标签「线下门店」`);
    // The erasure's audit entry exists, and is the only audit entry naming the customer.
    expect((await rowsMentioning(customer)).filter((h) => h.table === 'audit_log')).toHaveLength(1);

    // What the suggestion engine learned from the customer is forgotten.
    const { learnedPairs } = app.db.t;
    expect(
      await app.db
        .select()
        .from(learnedPairs)
        .where(and(eq(learnedPairs.corpId, CORP), sql`${learnedPairs.message} LIKE '%退货%'`)),
    ).toEqual([]);

    expect(await figures()).toEqual(before);
    // Nothing is left to erase.
    const again = await admin(app, 'POST', '/api/erasures', { externalUserId: customer, confirm: customer });
    expect(again.statusCode).toBe(404);
  }, 60_000);
});
