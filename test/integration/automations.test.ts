import { and, asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { testConfig, waitFor } from '../support/app.js';
import { testBackend } from '../support/database.js';
import {
  addRobot,
  chat,
  contentOf,
  enableRule,
  fixedClock,
  inbox,
  notificationsSettled,
  robotMessages,
  startAt,
  tick,
  type TestClock,
} from '../support/automations.js';
import { admin, CORP, settled, simulate } from '../support/scrm.js';
import { login, repClient, syncCorp } from '../support/sidebar.js';

/**
 * The rules fire once, at the right moment, on the corp's working calendar (Monday to Friday, 09:00–12:00 and
 * 13:30–18:00, Asia/Shanghai): the app's clock is set by the test, the ticks are run as the minute cron runs them.
 */

const apps: App[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

/** 2026-11-02 is a Monday. */
const at = (day: string, hhmm: string) => `2026-11-${day}T${hhmm}:00+08:00`;
const ms = (day: string, hhmm: string) => Date.parse(at(day, hhmm));

async function start(clock: TestClock, config = testConfig()): Promise<App> {
  const app = await startAt(clock, config);
  apps.push(app);
  return app;
}

/** A demo customer lina follows (the corp's customers synced from WeCom). */
async function linasCustomer(app: App, index = 0): Promise<{ externalUserId: string; name: string }> {
  const { follows, contacts } = app.db.t;
  const rows = await app.db
    .select({ externalUserId: follows.externalUserId, name: contacts.name })
    .from(follows)
    .innerJoin(contacts, and(eq(contacts.corpId, follows.corpId), eq(contacts.externalUserId, follows.externalUserId)))
    .where(and(eq(follows.userId, 'lina'), eq(follows.status, 'active')))
    .orderBy(asc(follows.externalUserId));
  return rows[index]!;
}

async function ready(clock: TestClock, config = testConfig()) {
  const app = await start(clock, config);
  await syncCorp(app);
  const robot = await addRobot(app, 2);
  await tick(app); // the feeds start where they are
  return { app, robot, customer: await linasCustomer(app) };
}

const cards = (app: App, userId: string) =>
  inbox(app, userId).map(
    (m) => (m.body as { textcard?: { title: string; description: string } }).textcard ?? { title: '', description: '' },
  );

async function runs(app: App, kind: string) {
  return (await admin(app, 'GET', `/api/automations/rules/${kind}/runs`)).json().runs as Array<{
    outcome: string;
    detail: string;
    period: string | null;
  }>;
}

describe('未回复提醒 (unanswered customer messages)', () => {
  it('reminds the rep after N working minutes and the manager and robot M later, once each; lunch does not count', async () => {
    const clock = fixedClock(at('02', '11:50'));
    const { app, robot, customer } = await ready(clock);
    await enableRule(app, 'unreplied', {
      config: { nudgeAfterMinutes: 30, escalateAfterMinutes: 60 },
      recipients: { rep: true, managers: true, departmentRobot: true },
    });
    await chat(app, {
      userId: 'lina',
      externalUserId: customer.externalUserId,
      from: 'customer',
      text: '这款手表有现货吗？',
      at: clock.now(),
    });
    await tick(app);
    // 10 working minutes before lunch, none during it (12:00–13:30): the reminder is due at 13:50.
    for (const hhmm of ['12:00', '12:40', '13:30', '13:49']) {
      clock.set(at('02', hhmm));
      await tick(app);
    }
    await notificationsSettled(app);
    expect(inbox(app, 'lina')).toEqual([]);

    clock.set(at('02', '13:50'));
    await tick(app);
    clock.set(at('02', '13:51'));
    await tick(app);
    await notificationsSettled(app);
    expect(cards(app, 'lina')).toHaveLength(1);
    expect(cards(app, 'lina')[0]!.title).toBe(`客户消息待回复：${customer.name}`);
    expect(cards(app, 'lina')[0]!.description).toContain('这款手表有现货吗');
    expect(inbox(app, 'zhangwei')).toEqual([]);
    expect(robotMessages(app, robot.key)).toEqual([]);

    clock.set(at('02', '14:49'));
    await tick(app);
    clock.set(at('02', '14:50'));
    await tick(app);
    clock.set(at('02', '15:30'));
    await tick(app);
    await notificationsSettled(app);
    // The department leader (张伟) and the department's robot, once each; the rep is not told twice.
    expect(cards(app, 'zhangwei')).toHaveLength(1);
    expect(cards(app, 'zhangwei')[0]!.title).toBe(`客户消息超时未回复：${customer.name}`);
    const group = robotMessages(app, robot.key).map(contentOf);
    expect(group).toHaveLength(1);
    expect(group[0]).toContain('客户消息超时未回复');
    expect(group[0]).toContain('<@lina>');
    expect(group[0]).toContain('1 小时 30 分钟');
    expect(cards(app, 'lina')).toHaveLength(1);
    expect((await runs(app, 'unreplied')).map((r) => r.detail)).toEqual([
      '提醒员工 0 次，上报 1 次',
      '提醒员工 1 次，上报 0 次',
    ]);
  });

  it('ignores 好的 / 谢谢 / 👌, and the rep replying stops the clock', async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app, customer } = await ready(clock);
    await enableRule(app, 'unreplied', { config: { nudgeAfterMinutes: 30, escalateAfterMinutes: 30 } });
    const c = customer.externalUserId;
    await chat(app, { userId: 'lina', externalUserId: c, from: 'customer', text: '好的👌', at: ms('02', '10:00') });
    await chat(app, { userId: 'lina', externalUserId: c, from: 'customer', text: '谢谢[抱拳]', at: ms('02', '10:01') });
    await chat(app, {
      userId: 'lina',
      externalUserId: c,
      from: 'customer',
      text: '',
      type: 'emotion',
      at: ms('02', '10:02'),
    });
    clock.set(at('02', '10:05'));
    await tick(app);
    clock.set(at('02', '11:30'));
    await tick(app);
    await notificationsSettled(app);
    expect(inbox(app, 'lina')).toEqual([]);

    // A question starts it; the rep's reply 15 minutes later ends it: no reminder ever.
    await chat(app, {
      userId: 'lina',
      externalUserId: c,
      from: 'customer',
      text: '好的，那多少钱？',
      at: ms('02', '11:30'),
    });
    clock.set(at('02', '11:31'));
    await tick(app);
    await chat(app, {
      userId: 'lina',
      externalUserId: c,
      from: 'rep',
      text: '您好，活动价 1299 元',
      at: ms('02', '11:45'),
    });
    await chat(app, { userId: 'lina', externalUserId: c, from: 'customer', text: '好的 谢谢', at: ms('02', '11:46') });
    for (const hhmm of ['11:46', '12:00', '14:00', '17:00']) {
      clock.set(at('02', hhmm));
      await tick(app);
    }
    await notificationsSettled(app);
    expect(inbox(app, 'lina')).toEqual([]);
    const [turn] = await app.db.select().from(app.db.t.replyTurns);
    expect(turn).toMatchObject({ status: 'replied', replyWorkingMs: 15 * 60_000, nudgedAt: null });
    expect(await app.db.select().from(app.db.t.replyTurns)).toHaveLength(1);
  });

  it('one feed batch of many chats (ignore-words, replies, turns open before it) gives what reading message by message gives', async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app } = await ready(clock);
    await enableRule(app, 'unreplied', { config: { nudgeAfterMinutes: 30, escalateAfterMinutes: 30 } });
    // Six chats of lina's (customers' ids as the archive gives them; the reminders name them 客户).
    const [a, b, c, d, e, f] = ['A', 'B', 'C', 'D', 'E', 'F'].map((x) => ({ externalUserId: `wmBatchCustomer${x}` }));
    const say = (who: { externalUserId: string }, from: 'customer' | 'rep', text: string, hhmm: string) =>
      chat(app, { userId: 'lina', externalUserId: who.externalUserId, from, text, at: ms('02', hhmm) });
    // Before the batch: A and E wait for an answer (their turns are open when the batch is read).
    await say(a!, 'customer', 'A：上周的订单发货了吗？', '09:50');
    await say(e!, 'customer', 'E：能便宜点吗？', '09:55');
    await tick(app);

    // One batch, the chats interleaved in time (and id) order.
    await say(f!, 'rep', 'F：您好，有新品到了', '10:00');
    await say(b!, 'customer', '谢谢', '10:01');
    await say(b!, 'customer', 'B：有红色的吗？', '10:02');
    await say(b!, 'customer', 'B：要 M 码', '10:03');
    await say(c!, 'customer', '👌', '10:04');
    await say(a!, 'rep', 'A：今天发出', '10:05'); // closes A's turn that was open before the batch
    await say(d!, 'customer', 'D：怎么退货？', '10:05');
    await say(a!, 'customer', '好的', '10:06'); // an ignore-word: no new turn
    await say(e!, 'customer', 'E：在吗？', '10:06'); // E's turn is open: no second one
    await say(b!, 'rep', 'B：有的', '10:08');
    await say(a!, 'customer', 'A：能开发票吗？', '10:10'); // after the reply: a new turn
    await say(b!, 'customer', 'B：那我下单了，什么时候到？', '10:12');
    await say(f!, 'customer', 'F：多少钱？', '10:15');
    await say(f!, 'rep', 'F：299 元', '10:16');
    clock.set(at('02', '10:20'));
    await tick(app);

    const { replyTurns, messages } = app.db.t;
    const turns = await app.db
      .select({
        text: messages.text,
        status: replyTurns.status,
        replyWorkingMs: replyTurns.replyWorkingMs,
        nextDueAt: replyTurns.nextDueAt,
      })
      .from(replyTurns)
      .innerJoin(messages, eq(messages.id, replyTurns.startMessageId))
      .orderBy(asc(replyTurns.startedAt), asc(replyTurns.id));
    const open = (hhmm: string) => ({ status: 'open', replyWorkingMs: null, nextDueAt: ms('02', hhmm) });
    const replied = (minutes: number) => ({ status: 'replied', replyWorkingMs: minutes * 60_000, nextDueAt: null });
    expect(turns).toEqual([
      { text: 'A：上周的订单发货了吗？', ...replied(15) },
      { text: 'E：能便宜点吗？', ...open('10:25') },
      { text: 'B：有红色的吗？', ...replied(6) },
      // Read after the answer came: the turn it started is recorded answered, so the next message starts one too.
      { text: 'B：要 M 码', ...replied(5) },
      { text: 'D：怎么退货？', ...open('10:35') },
      { text: 'A：能开发票吗？', ...open('10:40') },
      { text: 'B：那我下单了，什么时候到？', ...open('10:42') },
      { text: 'F：多少钱？', ...replied(1) },
    ]);

    // The reminders: the turns still open, each once; none for the answered ones.
    clock.set(at('02', '10:50'));
    await tick(app);
    await notificationsSettled(app);
    const reminded = cards(app, 'lina')
      .map((card) => /“(.+)”/.exec(card.description)?.[1])
      .sort();
    expect(reminded).toEqual(
      ['A：能开发票吗？', 'B：那我下单了，什么时候到？', 'D：怎么退货？', 'E：能便宜点吗？'].sort(),
    );
  });

  it('a message at night: the rep gets a suggested reply at once; the reminder waits for working time', async () => {
    const clock = fixedClock(at('07', '22:00')); // Saturday night
    const { app, customer } = await ready(clock);
    await enableRule(app, 'unreplied', { config: { nudgeAfterMinutes: 30, escalateAfterMinutes: 60 } });
    await enableRule(app, 'off_hours');
    await chat(app, {
      userId: 'lina',
      externalUserId: customer.externalUserId,
      from: 'customer',
      text: '在吗？想咨询一下',
      at: clock.now(),
    });
    await tick(app, false); // the 15-second feed read
    await notificationsSettled(app);
    expect(cards(app, 'lina')).toHaveLength(1);
    expect(cards(app, 'lina')[0]!.title).toBe(`非工作时间消息：${customer.name}`);
    expect(cards(app, 'lina')[0]!.description).toContain('建议回复：您好，现在是非工作时间');

    for (const when of [at('08', '10:00'), at('09', '09:00'), at('09', '09:29')]) {
      clock.set(when);
      await tick(app);
    }
    await notificationsSettled(app);
    expect(cards(app, 'lina')).toHaveLength(1);
    clock.set(at('09', '09:30'));
    await tick(app);
    await notificationsSettled(app);
    expect(cards(app, 'lina').map((c) => c.title)).toEqual([
      `非工作时间消息：${customer.name}`,
      `客户消息待回复：${customer.name}`,
    ]);
  });

  it('a reminder the server missed (down for hours) is skipped, not sent late', async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app, robot, customer } = await ready(clock);
    await enableRule(app, 'unreplied', {
      config: { nudgeAfterMinutes: 30, escalateAfterMinutes: 30, staleAfterMinutes: 60 },
      recipients: { departmentRobot: true },
    });
    await chat(app, {
      userId: 'lina',
      externalUserId: customer.externalUserId,
      from: 'customer',
      text: '你好',
      at: clock.now(),
    });
    await tick(app);
    clock.set(at('02', '16:00'));
    await tick(app);
    clock.set(at('02', '16:01'));
    await tick(app);
    await notificationsSettled(app);
    expect(inbox(app, 'lina')).toEqual([]);
    expect(robotMessages(app, robot.key)).toEqual([]);
    expect((await runs(app, 'unreplied')).map((r) => r.outcome)).toEqual(['skipped', 'skipped']);
  });
});

describe('流失提醒, 敏感词, 跟进提醒', () => {
  it('a customer deleting the rep reaches the department robot at once: channel, days since added, last messages', async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app, robot } = await ready(clock);
    await enableRule(app, 'loss');
    const { externalUserId } = await simulate(app, {
      changeType: 'add_external_contact',
      userId: 'lina',
      name: '周梓涵',
    });
    await settled(app, externalUserId);
    await chat(app, { userId: 'lina', externalUserId, from: 'customer', text: '价格太贵了', at: ms('02', '09:50') });
    await chat(app, { userId: 'lina', externalUserId, from: 'rep', text: '可以给您申请优惠', at: ms('02', '09:52') });
    await simulate(app, { changeType: 'del_follow_user', userId: 'lina', externalUserId });
    await waitFor(() => robotMessages(app, robot.key).length === 1, 'the loss alert');
    const [alert] = robotMessages(app, robot.key).map(contentOf);
    expect(alert).toContain('**客户流失提醒**');
    expect(alert).toContain('周梓涵');
    expect(alert).toContain('<@lina>');
    expect(alert).toContain('来源渠道：未经渠道活码');
    expect(alert).toContain('添加天数');
    expect(alert).toContain('客户：价格太贵了');
    expect(alert).toContain('员工：可以给您申请优惠');
    // The rep deleting a customer is not a loss alert.
    const other = await simulate(app, { changeType: 'add_external_contact', userId: 'lina' });
    await settled(app, other.externalUserId);
    await simulate(app, { changeType: 'del_external_contact', userId: 'lina', externalUserId: other.externalUserId });
    await settled(app, other.externalUserId);
    await notificationsSettled(app);
    expect(robotMessages(app, robot.key)).toHaveLength(1);
    expect((await runs(app, 'loss'))[0]).toMatchObject({ outcome: 'fired' });
  });

  it('keyword alerts (recorded by the conversations module) go to the robot at once, once, and are marked delivered', async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app, robot, customer } = await ready(clock);
    await enableRule(app, 'keyword');
    const { keywordRules, keywordAlerts } = app.db.t;
    const [rule] = await app.db
      .insert(keywordRules)
      .values({ corpId: CORP, name: '飞单', words: ['私下转账'] })
      .returning();
    const messageId = await chat(app, {
      userId: 'lina',
      externalUserId: customer.externalUserId,
      from: 'rep',
      text: '你可以私下转账给我',
      at: clock.now(),
    });
    await app.db.insert(keywordAlerts).values({
      corpId: CORP,
      ruleId: rule!.id,
      messageId,
      userId: 'lina',
      externalUserId: customer.externalUserId,
      matched: '私下转账',
      direction: 'rep_to_customer',
      sentAt: clock.now(),
    });
    await tick(app, false);
    await tick(app, false);
    await notificationsSettled(app);
    const got = robotMessages(app, robot.key).map(contentOf);
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('敏感词提醒');
    expect(got[0]).toContain('私下转账');
    expect(got[0]).toContain('飞单');
    const [row] = await app.db.select().from(keywordAlerts);
    expect(row!.deliveredAt).toBe(clock.now());
  });

  it("a note's reminder time sends its author an app message, once", async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app, customer } = await ready(clock);
    await enableRule(app, 'note_due');
    const rep = repClient(app, await login(app, 'lina'));
    const note = await rep.post(`/api/customers/${customer.externalUserId}/notes`, {
      content: '周五前给客户报团购价',
      dueAt: ms('02', '15:00'),
    });
    expect(note.statusCode, note.body).toBe(201);
    for (const hhmm of ['14:59', '15:00', '15:01', '16:00']) {
      clock.set(at('02', hhmm));
      await tick(app);
      await notificationsSettled(app);
      expect(cards(app, 'lina')).toHaveLength(hhmm === '14:59' ? 0 : 1);
    }
    expect(cards(app, 'lina')[0]).toMatchObject({ title: `跟进提醒：${customer.name}` });
    expect(cards(app, 'lina')[0]!.description).toContain('周五前给客户报团购价');
  });
});

describe('lifecycle, silent customers, birthdays, repeat purchases → tasks', () => {
  async function tasksOf(app: App, userId = 'lina') {
    const { tasks } = app.db.t;
    return app.db.select().from(tasks).where(eq(tasks.userId, userId)).orderBy(asc(tasks.id));
  }

  it('creates the day 1, 3 and 7 follow-ups at 09:30 on working days, once, with a script (a weekend is caught up)', async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app, customer } = await ready(clock);
    await enableRule(app, 'lifecycle');
    const { follows } = app.db.t;
    await app.db
      .update(follows)
      .set({ addedAt: ms('02', '10:00') })
      .where(and(eq(follows.userId, 'lina'), eq(follows.externalUserId, customer.externalUserId)));
    const steps = async (day: string, hhmm: string) => {
      clock.set(at(day, hhmm));
      await tick(app);
      return (await tasksOf(app))
        .filter((t) => t.externalUserId === customer.externalUserId)
        .map((t) => t.title.split('：')[0]);
    };
    expect(await steps('03', '09:29')).toEqual([]);
    expect(await steps('03', '09:30')).toEqual(['首日回访']);
    expect(await steps('03', '10:30')).toEqual(['首日回访']);
    expect(await steps('05', '09:30')).toEqual(['首日回访', '第 3 天跟进']);
    expect(await steps('07', '09:30')).toEqual(['首日回访', '第 3 天跟进']); // Saturday: no run
    expect(await steps('09', '09:31')).toEqual(['首日回访', '第 3 天跟进', '第 7 天回访']); // Monday covers Fri–Mon
    const [first] = await tasksOf(app);
    expect(first!.script).toContain('我是李娜');
    expect((await runs(app, 'lifecycle')).map((r) => r.period)).toEqual(['2026-11-09', '2026-11-05', '2026-11-03']);
  });

  it('silent customers: no message either way for N days → a task for the rep, once per silence', async () => {
    const clock = fixedClock(at('02', '10:00'));
    const { app, customer } = await ready(clock);
    await enableRule(app, 'inactivity', { config: { days: 3, time: '10:00' } });
    await chat(app, {
      userId: 'lina',
      externalUserId: customer.externalUserId,
      from: 'rep',
      text: '有需要随时找我',
      at: ms('02', '10:00'),
    });
    for (const day of ['03', '04']) {
      clock.set(at(day, '10:00'));
      await tick(app);
    }
    expect(await tasksOf(app)).toEqual([]);
    clock.set(at('05', '10:00'));
    await tick(app);
    clock.set(at('05', '11:00'));
    await tick(app);
    const tasks = await tasksOf(app);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'inactivity', externalUserId: customer.externalUserId });
    expect(tasks[0]!.detail).toContain('已经 3 天没有聊天');
  });

  it('birthdays: a reminder with a greeting in the morning; a Saturday birthday is on Friday', async () => {
    const clock = fixedClock(at('06', '08:00')); // Friday
    const { app, customer } = await ready(clock);
    await enableRule(app, 'birthday');
    const rep = repClient(app, await login(app, 'lina'));
    const set = await rep.put(`/api/customers/${customer.externalUserId}/birthday`, { month: 11, day: 7 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ birthday: { month: 11, day: 7, year: null, source: 'rep:lina' } });
    expect(
      (await rep.put(`/api/customers/${customer.externalUserId}/birthday`, { month: 2, day: 30 })).statusCode,
    ).toBe(400);
    await tick(app);
    expect(await tasksOf(app)).toEqual([]);
    clock.set(at('06', '09:00'));
    await tick(app);
    clock.set(at('06', '09:05'));
    await tick(app);
    await notificationsSettled(app);
    const tasks = await tasksOf(app);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.detail).toBe('11月7日（周六）是客户的生日');
    expect(tasks[0]!.script).toContain('生日快乐');
    expect(cards(app, 'lina')).toHaveLength(1);
    expect(cards(app, 'lina')[0]!.title).toMatch(/^客户生日：/);
  });
});

describe('日报 (the daily digest)', () => {
  it('goes to each department robot every working day at 09:00, once — with a second instance and a restart', async () => {
    const clock = fixedClock(at('03', '08:59')); // Tuesday
    const config = testConfig();
    const { app, robot, customer } = await ready(clock, config);
    await enableRule(app, 'digest');
    // Monday's activity: a customer question answered after 12 working minutes.
    await chat(app, {
      userId: 'lina',
      externalUserId: customer.externalUserId,
      from: 'customer',
      text: '能开发票吗？',
      at: ms('02', '10:00'),
    });
    await chat(app, {
      userId: 'lina',
      externalUserId: customer.externalUserId,
      from: 'rep',
      text: '可以的',
      at: ms('02', '10:12'),
    });
    await tick(app);

    clock.set(at('03', '09:00'));
    let survivor = app;
    if (testBackend === 'postgres') {
      // Several instances share PostgreSQL: both tick the same minute at once (on SQLite one process owns the file).
      const second = await start(clock, config);
      await Promise.all([tick(app), tick(second), tick(app), tick(second)]);
      survivor = second;
    } else {
      await Promise.all([tick(app), tick(app)]);
    }
    // A restart while it is sent: the instance stops, a new one on the same database ticks again.
    const before = app.emulator!.snapshot().webhookMessages.filter((m) => m.key === robot.key);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    const restarted = await start(clock, config);
    clock.set(at('03', '09:01'));
    await Promise.all([tick(restarted), ...(survivor === app ? [] : [tick(survivor)])]);
    await notificationsSettled(restarted);

    const { notifications } = restarted.db.t;
    const digests = await restarted.db.select().from(notifications).where(eq(notifications.kind, 'digest'));
    expect(digests.map((d) => [d.robotId, d.status])).toEqual([[robot.id, 'sent']]);
    // Every instance's emulator keeps its state in the shared data folder, and a restarted one reads back what
    // another one saved: the same delivery can show in two emulators. A delivery is told by its msgid.
    const delivered = [
      ...new Map(
        [
          ...before,
          ...[restarted, survivor]
            .filter((a) => a !== app)
            .flatMap((a) => a.emulator!.snapshot().webhookMessages.filter((m) => m.key === robot.key)),
        ].map((m) => [m.msgid, m]),
      ).values(),
    ];
    expect(delivered).toHaveLength(1);
    const text = contentOf(delivered[0]!);
    expect(text).toContain('**销售一部日报**');
    expect(text).toContain('统计时间：11月2日（周一）');
    expect(text).toContain('> 李娜：客户咨询 1 次，回复率 100%，平均首次回复 12 分钟');
  });

  it('a digest missed at 09:00 is sent when the server is back the same day, not after 18:00, never on a day off', async () => {
    const clock = fixedClock(at('07', '09:00')); // Saturday
    const { app, robot } = await ready(clock);
    await enableRule(app, 'digest');
    await tick(app);
    clock.set(at('09', '10:30')); // Monday: down at 09:00, back at 10:30
    await tick(app);
    await notificationsSettled(app);
    const sent = robotMessages(app, robot.key).map(contentOf);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('统计时间：11月6日（周五）至11月8日（周日）');

    clock.set(at('10', '18:30')); // Tuesday: back only after the digest stopped being useful
    await tick(app);
    await notificationsSettled(app);
    expect(robotMessages(app, robot.key)).toHaveLength(1);
    expect((await runs(app, 'digest'))[0]).toMatchObject({ outcome: 'skipped', period: '2026-11-10' });
  });
});
