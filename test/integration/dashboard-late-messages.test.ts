import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayInZone } from '../../shared/time-zone.js';
import { buildApp, type App } from '../../server/app.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { testConfig } from '../support/app.js';
import { archived, corpTime, plusDays } from '../support/dashboards.js';

/**
 * Messages stored for a day already rolled up (an archive import, a pull catching up, the demo's chats pulled after
 * the start's backfill) have that day rolled up again: before, 员工统计 showed 0 messages for every past day of the
 * demo although its chats were there.
 */

const CORP = DEMO_CORP.corpId;
let app: App;

beforeAll(async () => {
  app = await buildApp(testConfig(), { logger: false });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** The late re-rolls enqueued for `day`: their run times. */
async function lateRollups(day: string): Promise<number[]> {
  const { jobs } = app.db.t;
  const rows = await app.db
    .select({ runAt: jobs.runAt })
    .from(jobs)
    .where(and(eq(jobs.kind, 'console_rollup'), like(jobs.dedupeKey, `rollup:${day}:late:%`)));
  return rows.map((r) => r.runAt);
}

async function sentBy(day: string, userId: string): Promise<number> {
  const { repDaily } = app.db.t;
  const rows = await app.db
    .select({ sent: repDaily.messagesSent })
    .from(repDaily)
    .where(and(eq(repDaily.corpId, CORP), eq(repDaily.day, day), eq(repDaily.userId, userId)));
  return rows.reduce((sum, r) => sum + r.sent, 0);
}

describe('messages stored late for a day already rolled up', () => {
  it('enqueue that day’s rollup once the minute is over; today and days not rolled up are left alone', async () => {
    const now = Date.now();
    const today = dayInZone(now, app.config.timeZone);
    const rolledDay = plusDays(today, -70);
    const notRolled = plusDays(today, -71);
    await app.modules.dashboards.rollup.rollUp(CORP, rolledDay);
    const before = await sentBy(rolledDay, 'lina');

    await archived(app, {
      userId: 'lina',
      externalUserId: 'wm-late-customer',
      from: 'rep',
      text: '您好，订单已经发出',
      at: corpTime(rolledDay, '10:00'),
    });
    await archived(app, {
      userId: 'lina',
      externalUserId: 'wm-late-customer',
      from: 'rep',
      text: '还有别的问题吗',
      at: corpTime(notRolled, '10:00'),
    });
    await archived(app, {
      userId: 'lina',
      externalUserId: 'wm-late-customer',
      from: 'rep',
      text: '今天的消息',
      at: now,
    });

    const runs = await lateRollups(rolledDay);
    expect(runs).toHaveLength(1);
    // After the minute of the store: every batch of that minute is stored before it runs.
    expect(runs[0]!).toBeGreaterThan(now);
    expect(runs[0]! % 60_000).toBe(0);
    expect(await lateRollups(notRolled)).toEqual([]);
    expect(await lateRollups(today)).toEqual([]);

    // The job's body, the day's rollup again: the late message counts.
    await app.modules.dashboards.rollup.rollUp(CORP, rolledDay);
    expect(await sentBy(rolledDay, 'lina')).toBe(before + 1);
  });
});
