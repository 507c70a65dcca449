import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { App } from '../../server/app.js';
import { buildApp } from '../../server/app.js';
import type { Config } from '../../server/config.js';
import { robotsOf, webhookUrlOf } from '../../server/emulator/robots.js';
import { testConfig, waitFor } from './app.js';
import { admin, CORP, prepare } from './scrm.js';

/**
 * Helpers for the automations tests: an app on a clock the test moves, robots, chat messages written as the
 * conversations module writes them, and what the emulator (WeCom) received.
 */

/**
 * The app's clock. `fixed(iso)` stands still until moved (working-hours tests); `real()` follows real time plus an
 * offset that `advance` moves together with the emulator's clock, so WeCom's per-minute window agrees with ours.
 */
export interface TestClock {
  now(): number;
  set(iso: string): void;
  advance(ms: number): void;
  /** Set once the app exists: the emulator's clock follows `advance`. */
  attach(app: App): void;
}

export function fixedClock(iso: string): TestClock {
  let at = Date.parse(iso);
  return {
    now: () => at,
    set: (next) => (at = Date.parse(next)),
    advance: (ms) => (at += ms),
    attach: () => undefined,
  };
}

export function realClock(): TestClock {
  let offset = 0;
  let app: App | undefined;
  return {
    now: () => Date.now() + offset,
    set: () => {
      throw new Error('a real clock only moves forward');
    },
    advance: (ms) => {
      offset += ms;
      app?.emulator?.advanceClock(ms);
    },
    attach: (a) => (app = a),
  };
}

export async function startAt(clock: TestClock, config: Config = testConfig()): Promise<App> {
  const app = await buildApp(config, { logger: false, now: clock.now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  clock.attach(app);
  await prepare(app);
  return app;
}

/** Adds the emulated corp's robot of a department (or a new robot) through the admin API; returns its id and key. */
export async function addRobot(
  app: App,
  departmentId: number | null,
  name?: string,
): Promise<{ id: number; key: string }> {
  const core = app.emulator!.core;
  const robot =
    departmentId === null
      ? (
          await app.inject({ method: 'POST', url: '/emulator/_robots', payload: { name: name ?? '全公司通知群' } })
        ).json()
      : robotsOf(core).find((r) => r.departmentId === departmentId)!;
  const res = await admin(app, 'POST', '/api/robots', {
    name: name ?? robot.name,
    webhookUrl: webhookUrlOf(core, robot),
    departmentId,
  });
  if (res.statusCode !== 201) throw new Error(`robot: ${res.statusCode} ${res.body}`);
  return { id: (res.json() as { id: number }).id, key: robot.key };
}

/** What a robot's group received, oldest first. */
export function robotMessages(app: App, key: string) {
  return app.emulator!.snapshot().webhookMessages.filter((m) => m.key === key);
}

export function contentOf(message: { msgtype: string; body: unknown }): string {
  const inner = (message.body as Record<string, Record<string, unknown>>)[message.msgtype] ?? {};
  return String(inner.content ?? `${inner.title ?? ''}\n${inner.description ?? ''}`);
}

/** App messages a member received, oldest first. */
export function inbox(app: App, userId: string) {
  return app.emulator!.snapshot().appMessages.filter((m) => m.touser.includes(userId));
}

export async function enableRule(app: App, kind: string, body: Record<string, unknown> = {}): Promise<void> {
  const res = await admin(app, 'PATCH', `/api/automations/rules/${kind}`, { enabled: true, ...body });
  if (res.statusCode !== 200) throw new Error(`rule ${kind}: ${res.statusCode} ${res.body}`);
}

/** Waits until no notification is pending or being sent; returns them all. */
export async function notificationsSettled(app: App, timeoutMs = 15_000) {
  const { notifications } = app.db.t;
  return waitFor(
    async () => {
      const rows = await app.db.select().from(notifications).orderBy(asc(notifications.id));
      return rows.every((r) => r.status !== 'pending' && r.status !== 'sending') && rows;
    },
    'the notifications to settle',
    timeoutMs,
  );
}

export async function tick(app: App, full = true): Promise<void> {
  await app.modules.automations.service.tick(CORP, full);
}

/**
 * A chat message as the conversations module stores it (its conversation created or advanced): a customer's
 * message to the rep, or the rep's reply, in the rep's 1:1 chat with the customer.
 */
export async function chat(
  app: App,
  m: { userId: string; externalUserId: string; from: 'customer' | 'rep'; text: string; at: number; type?: string },
): Promise<number> {
  const { conversations, messages } = app.db.t;
  const key = `single:${m.userId}:${m.externalUserId}`;
  await app.db
    .insert(conversations)
    .values({ corpId: CORP, key, kind: 'single', userId: m.userId, externalUserId: m.externalUserId })
    .onConflictDoNothing();
  const [conversation] = await app.db
    .select()
    .from(conversations)
    .where(and(eq(conversations.corpId, CORP), eq(conversations.key, key)));
  const [row] = await app.db
    .insert(messages)
    .values({
      corpId: CORP,
      msgid: `test-${randomUUID()}`,
      sentAt: m.at,
      type: m.type ?? 'text',
      text: m.text,
      content: { content: m.text },
      sender: m.from === 'customer' ? m.externalUserId : m.userId,
      receivers: [m.from === 'customer' ? m.userId : m.externalUserId],
      conversationId: conversation!.id,
      userId: m.userId,
      externalUserId: m.externalUserId,
      direction: m.from === 'customer' ? 'customer_to_rep' : 'rep_to_customer',
      source: 'archive',
    })
    .returning({ id: messages.id });
  await app.db
    .update(conversations)
    .set({ lastMessageAt: m.at, lastMessageId: row!.id, messageCount: conversation!.messageCount + 1 })
    .where(eq(conversations.id, conversation!.id));
  return row!.id;
}
