import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayInZone } from '../../shared/time-zone.js';
import type { RepStats } from '../../shared/schemas/console-dashboards.js';
import type { App } from '../../server/app.js';
import { startApp } from '../support/app.js';
import { csvRows, plusDays } from '../support/dashboards.js';
import { admin, CORP, prepare } from '../support/scrm.js';

/**
 * 员工统计's 逾期任务: a rep's open tasks (the automations' follow-ups, silences, birthdays, orders) whose due time, or
 * the end of their snooze, has passed — now, whatever the range; done, cancelled, future and snoozed ones do not count.
 */

let app: App;
const HOUR = 3_600_000;

async function task(
  userId: string,
  key: string,
  dueAt: number,
  extra: { status?: 'open' | 'done' | 'cancelled'; visibleAt?: number } = {},
) {
  await app.db.insert(app.db.t.tasks).values({
    corpId: CORP,
    userId,
    externalUserId: `wm-task-${key}`,
    kind: 'follow_up',
    title: '添加后第 1 天跟进',
    dueAt,
    visibleAt: extra.visibleAt ?? dueAt,
    status: extra.status ?? 'open',
    sourceKey: `test:${key}`,
    createdAt: dueAt,
    updatedAt: dueAt,
  });
}

beforeAll(async () => {
  app = await startApp();
  await prepare(app);
  const now = Date.now();
  await task('lina', 'past-1', now - 2 * HOUR);
  await task('lina', 'past-2', now - 30 * HOUR);
  await task('lina', 'future', now + 2 * HOUR);
  await task('lina', 'done', now - 3 * HOUR, { status: 'done' });
  await task('lina', 'cancelled', now - 3 * HOUR, { status: 'cancelled' });
  await task('lina', 'snoozed', now - 3 * HOUR, { visibleAt: now + HOUR });
  await task('wangfang', 'past', now - HOUR);
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('员工统计: overdue tasks', () => {
  it('counts each rep’s open tasks past due (or past their snooze), now, in the rows, the totals, the CSV and a rep’s page', async () => {
    const today = dayInZone(Date.now(), app.config.timeZone);
    const range = `from=${plusDays(today, -6)}&to=${today}`;
    const res = await admin(app, 'GET', `/api/console/dashboard/reps?${range}&sort=overdueTasks&order=desc`);
    expect(res.statusCode, res.body).toBe(200);
    const stats = res.json() as RepStats;
    const row = (userId: string) => stats.items.find((r) => r.rep.userId === userId)!;
    expect(row('lina').overdueTasks).toBe(2);
    expect(row('wangfang').overdueTasks).toBe(1);
    expect(stats.items[0]!.rep.userId).toBe('lina');
    expect(stats.totals.overdueTasks).toBe(3);

    const csv = await admin(app, 'GET', `/api/console/dashboard/reps.csv?${range}`);
    const rows = csvRows(csv.body);
    const column = rows[0]!.indexOf('逾期任务');
    expect(column).toBeGreaterThan(0);
    expect(rows.find((r) => r.includes('lina') || r.includes('李娜'))![column]).toBe('2');

    const page = await admin(app, 'GET', `/api/console/dashboard/reps/lina?${range}`);
    expect(page.statusCode, page.body).toBe(200);
    expect((page.json() as { totals: { overdueTasks: number } }).totals.overdueTasks).toBe(2);
  });
});
