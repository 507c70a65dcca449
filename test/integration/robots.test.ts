import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { robotMarkdown, robotText } from '../../server/modules/notify/messages.js';
import { utf8Bytes } from '../../server/modules/notify/split.js';
import { waitFor } from '../support/app.js';
import {
  addRobot,
  contentOf,
  inbox,
  notificationsSettled,
  realClock,
  robotMessages,
  startAt,
  type TestClock,
} from '../support/automations.js';
import { admin, CORP } from '../support/scrm.js';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function notifyRobot(a: App, robotId: number, key: string, parts: ReturnType<typeof robotText>): Promise<number> {
  const id = await a.db.tx((tx) =>
    a.modules.notify.service.toRobot(tx, { corpId: CORP, key, kind: 'test', robotId, parts }),
  );
  if (id === null) throw new Error(`notification ${key} existed`);
  return id;
}

async function notificationRow(a: App, id: number) {
  const { notifications } = a.db.t;
  const [row] = await a.db.select().from(notifications).where(eq(notifications.id, id));
  return row!;
}

/** Moves the app's and WeCom's clocks together, a step every few real milliseconds, until `done` or `limitMs`. */
async function runClock(clock: TestClock, stepMs: number, limitMs: number, done: () => boolean | Promise<boolean>) {
  for (let moved = 0; moved < limitMs; moved += stepMs) {
    if (await done()) return moved;
    await new Promise((r) => setTimeout(r, 25));
    clock.advance(stepMs);
  }
  return limitMs;
}

describe('group robots', () => {
  it('keeps the key secret (sealed at rest, never in an answer) and delivers a test message to the group', async () => {
    app = await startAt(realClock());
    const { id, key } = await addRobot(app, 2);
    const list = await admin(app, 'GET', '/api/robots');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(key);
    expect(list.json()).toMatchObject({
      robots: [{ id, name: '销售一部群', departmentId: 2, departmentName: '销售一部', status: 'active' }],
    });
    const [row] = await app.db.select().from(app.db.t.robots).where(eq(app.db.t.robots.id, id));
    expect(JSON.stringify(row)).not.toContain(key);

    // The same robot twice, or an address that is not a robot's, is refused in Chinese.
    const again = await admin(app, 'POST', '/api/robots', { name: '重复', webhookUrl: key });
    expect(again.statusCode).toBe(409);
    const bad = await admin(app, 'POST', '/api/robots', { name: '错误', webhookUrl: 'https://example.com/hook' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('Webhook 地址无效');

    const test = await admin(app, 'POST', `/api/robots/${id}/test`);
    expect(test.statusCode).toBe(202);
    await waitFor(() => robotMessages(app!, key).length === 1, 'the test message in the group');
    expect(contentOf(robotMessages(app, key)[0]!)).toContain('测试消息');
    await notificationsSettled(app);
    const log = await admin(app, 'GET', '/api/automations/notifications');
    expect(log.json().notifications[0]).toMatchObject({ kind: 'robot_test', status: 'sent', parts: 1, partsSent: 1 });
    expect(log.body).not.toContain(key);
  });

  it('sends 60 queued messages at 20 a minute: all within about 3 minutes of clock time, in order, none twice', async () => {
    const clock = realClock();
    app = await startAt(clock);
    const { id, key } = await addRobot(app, 3);
    const start = clock.now();
    for (let i = 0; i < 60; i++) await notifyRobot(app, id, `burst:${i}`, robotText(`第 ${i + 1} 条提醒`));

    // Small steps: a real clock moves continuously; a step larger than the budget's 1 s margin would not.
    const moved = await runClock(clock, 500, 300_000, () => robotMessages(app!, key).length >= 60);
    await notificationsSettled(app);
    const received = robotMessages(app, key);
    expect(received.map(contentOf)).toEqual(Array.from({ length: 60 }, (_, i) => `第 ${i + 1} 条提醒`));
    // Never more than 20 in any 60 s, by WeCom's clock: WeCom never had to refuse one.
    for (const m of received)
      expect(received.filter((o) => o.at > m.at - 60_000 && o.at <= m.at).length).toBeLessThanOrEqual(20);
    const calls = app.emulator!.calls('/cgi-bin/webhook/send');
    expect(calls.filter((c) => (c.response as { errcode: number }).errcode !== 0)).toEqual([]);
    expect(calls).toHaveLength(60);
    const last = received[received.length - 1]!.at;
    expect(last - start).toBeLessThanOrEqual(3 * 60_000 + 10_000);
    expect(last - start).toBeGreaterThanOrEqual(2 * 60_000);
    expect(moved).toBeLessThan(300_000);
  });

  it('93000: the robot is switched off, the message fails, the department leader is told once', async () => {
    app = await startAt(realClock());
    const { id, key } = await addRobot(app, 2);
    // The robot was removed from its group in WeCom.
    await app.inject({ method: 'POST', url: `/emulator/_robots/${key}/disable` });
    const first = await notifyRobot(app, id, 'gone:1', robotText('提醒一'));
    const second = await notifyRobot(app, id, 'gone:2', robotText('提醒二'));
    await notificationsSettled(app);
    expect(await notificationRow(app, first)).toMatchObject({ status: 'failed' });
    expect((await notificationRow(app, second)).status).toBe('failed');
    const robot = (await admin(app, 'GET', '/api/robots')).json().robots[0];
    expect(robot).toMatchObject({ status: 'disabled' });
    expect(robot.disabledReason).toContain('93000');
    // 销售一部's leader (zhangwei) hears about it, once; WeCom was asked once (the second message did not try).
    await waitFor(() => inbox(app!, 'zhangwei').length === 1, 'the leader told');
    expect(JSON.stringify(inbox(app, 'zhangwei')[0]!.body)).toContain('已停用');
    expect(app.emulator!.calls('/cgi-bin/webhook/send')).toHaveLength(1);

    // A new address makes it active again.
    const fixed = await admin(app, 'PATCH', `/api/robots/${id}`, { enabled: true });
    expect(fixed.json()).toMatchObject({ status: 'active', disabledReason: null });
  });

  it('40058: a part WeCom refuses as invalid is split again and sent in smaller parts', async () => {
    app = await startAt(realClock());
    const { id, key } = await addRobot(app, 2);
    const text = Array.from({ length: 40 }, (_, i) => `> 第 ${i + 1} 行：客户咨询了产品价格和发货时间`).join('\n');
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: '/cgi-bin/webhook/send', count: 1, errcode: 40058 },
    });
    const n = await notifyRobot(app, id, 'long:1', robotMarkdown(text));
    await notificationsSettled(app);
    const row = await notificationRow(app, n);
    expect(row.status).toBe('sent');
    expect(row.parts.length).toBeGreaterThanOrEqual(2);
    const got = robotMessages(app, key).map(contentOf);
    expect(got).toHaveLength(row.parts.length);
    for (const [i, part] of got.entries())
      if (i > 0) expect(part).toMatch(new RegExp(`^（续 ${i + 1}/${got.length}）\\n`));
    expect(got.map((p) => p.replace(/^（续 \d+\/\d+）\n/, '')).join('\n')).toBe(text);
  });

  it('splits a 10 KB Chinese digest on line boundaries into parts WeCom accepts (≤ 4096 bytes each)', async () => {
    app = await startAt(realClock());
    const { id, key } = await addRobot(app, 4);
    const lines = Array.from(
      { length: 150 },
      (_, i) => `> 员工${i + 1}号：客户咨询 ${i} 次，回复率 ${90 + (i % 10)}%，平均首次回复 ${i % 7} 分钟`,
    );
    const parts = robotMarkdown(lines.join('\n'));
    expect(parts.length).toBeGreaterThan(2);
    await notifyRobot(app, id, 'digest:big', parts);
    await notificationsSettled(app);
    const got = robotMessages(app, key).map(contentOf);
    expect(got).toHaveLength(parts.length);
    for (const part of got) expect(utf8Bytes(part)).toBeLessThanOrEqual(4096);
    // Every line arrives whole, in order.
    const back = got.flatMap((p) => p.split('\n')).filter((l) => l.startsWith('>'));
    expect(back).toEqual(lines);
  });

  it('45009: WeCom says too fast; the robot waits a whole window, then the message goes out once', async () => {
    const clock = realClock();
    app = await startAt(clock);
    const { id, key } = await addRobot(app, 2);
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: '/cgi-bin/webhook/send', count: 1, errcode: 45009 },
    });
    const n = await notifyRobot(app, id, 'fast:1', robotText('限流后重发'));
    await waitFor(async () => (await notificationRow(app!, n)).lastError?.includes('限流'), 'the refusal recorded');
    // Within the window nothing is tried again.
    await runClock(clock, 5_000, 50_000, () => false);
    expect(app.emulator!.calls('/cgi-bin/webhook/send')).toHaveLength(1);
    await runClock(clock, 5_000, 60_000, () => robotMessages(app!, key).length === 1);
    await notificationsSettled(app);
    expect(robotMessages(app, key).map(contentOf)).toEqual(['限流后重发']);
    expect(app.emulator!.calls('/cgi-bin/webhook/send')).toHaveLength(2);
  });

  it('a robot message whose outcome is unknown (no answer in time) is recorded as unknown, not sent again', async () => {
    app = await startAt(realClock());
    const { id, key } = await addRobot(app, 2);
    await app.inject({
      method: 'POST',
      url: '/emulator/_faults',
      payload: { path: '/cgi-bin/webhook/send', count: 1, delayMs: 6_000 },
    });
    const n = await notifyRobot(app, id, 'slow:1', robotText('超时的消息'));
    await notificationsSettled(app, 20_000);
    const row = await notificationRow(app, n);
    expect(row).toMatchObject({ status: 'unknown', unknownParts: 1 });
    expect(row.lastError).toContain('结果未知');
    // WeCom did get it (late): once.
    await waitFor(() => robotMessages(app!, key).length === 1, 'the late message');
    await new Promise((r) => setTimeout(r, 300));
    expect(app.emulator!.calls('/cgi-bin/webhook/send')).toHaveLength(1);
    // The app called its own emulator and gave up on the answer: that connection would hold close() for a minute.
    app.server.closeAllConnections();
  }, 40_000);

  it('a send interrupted by a crash (sending_since left set) is not repeated blindly', async () => {
    app = await startAt(realClock());
    const { id, key } = await addRobot(app, 2);
    // As a crashed instance leaves it: the part marked as leaving, the job back to pending once its lease expired.
    const n = await app.db.tx(async (tx) => {
      const { notifications } = app!.db.t;
      const created = await app!.modules.notify.service.toRobot(tx, {
        corpId: CORP,
        key: 'crash:1',
        kind: 'test',
        robotId: id,
        parts: [...robotText('第一段'), ...robotText('第二段')],
      });
      await tx
        .update(notifications)
        .set({ status: 'sending', sendingSince: Date.now() })
        .where(eq(notifications.id, created!));
      return created!;
    });
    await notificationsSettled(app);
    const row = await notificationRow(app, n);
    expect(row).toMatchObject({ status: 'unknown', partsSent: 2, unknownParts: 1 });
    // The part in doubt is not sent again; the rest of the message is.
    expect(robotMessages(app, key).map(contentOf)).toEqual(['第二段']);
  });

  it('an app message interrupted mid-send is repeated within WeCom duplicate-check window (delivered once), recorded as unknown past it', async () => {
    const clock = realClock();
    app = await startAt(clock);
    const message = { msgtype: 'text', text: { content: '请尽快回复客户' } };
    // The first attempt reached WeCom before the instance died: the member has the message already.
    await app.wecom.api(CORP).sendAppMessage({
      ...(message as { msgtype: 'text'; text: { content: string } }),
      touser: 'lina',
      agentid: app.defaultCorp.agentId,
      enable_duplicate_check: 1,
      duplicate_check_interval: 1800,
    });
    const crashed = async (key: string, startedAgoMs: number) =>
      app!.db.tx(async (tx) => {
        const { notifications } = app!.db.t;
        const id = await app!.modules.notify.service.toMembers(tx, {
          corpId: CORP,
          key,
          kind: 'test',
          userIds: ['lina'],
          message,
        });
        const at = clock.now() - startedAgoMs;
        await tx
          .update(notifications)
          .set({ status: 'sending', sendingSince: at, firstAttemptAt: at })
          .where(eq(notifications.id, id!));
        return id!;
      });
    const recent = await crashed('app:recent', 60_000);
    const old = await crashed('app:old', 40 * 60_000);
    await notificationsSettled(app);
    expect(await notificationRow(app, recent)).toMatchObject({ status: 'sent' });
    expect(await notificationRow(app, old)).toMatchObject({ status: 'unknown' });
    // WeCom was asked twice (the test's first attempt, the repeat) and delivered once.
    expect(app.emulator!.calls('/cgi-bin/message/send')).toHaveLength(2);
    expect(inbox(app, 'lina')).toHaveLength(1);
  });
});
