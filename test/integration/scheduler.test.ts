import { eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler, periodKey, type Scheduler } from '../../server/app/scheduler.js';
import type { Database } from '../../server/db/database.js';
import { openDatabase } from '../../server/db/open.js';
import { defineJob } from '../../server/modules/jobs/define.js';
import { createJobsModule } from '../../server/modules/jobs/index.js';
import { testDatabase } from '../support/database.js';

const silent = { error: () => {} };

/** Three instances' schedulers on one database: a cron entry fires on all of them, its work is enqueued once. */
describe('scheduled work across instances', () => {
  const opened: Database[] = [];
  const schedulers: Scheduler[] = [];
  afterEach(async () => {
    for (const s of schedulers.splice(0)) s.stop();
    for (const db of opened.splice(0)) await db.close();
  });

  async function instances(count: number) {
    const config = testDatabase();
    const dbs: Database[] = [];
    for (let i = 0; i < count; i++) dbs.push(await openDatabase(config));
    opened.push(...dbs);
    await dbs[0]!.insert(dbs[0]!.t.corps).values({
      corpId: 'c1',
      name: 'c',
      agentId: 1,
      secretSealed: '',
      tokenSealed: '',
      encodingAesKeySealed: '',
    });
    return dbs;
  }

  const job = defineJob('nightly_report', Type.Object({ period: Type.String() }), async () => ({ kind: 'done' }));

  it('a cron entry ticking every second on 3 instances enqueues one job per period', async () => {
    const dbs = await instances(3);
    let ticks = 0;
    for (const db of dbs) {
      const jobs = createJobsModule({ db, now: Date.now });
      jobs.service.register(job);
      const enqueue: typeof jobs.service.enqueue = (ex, def, payload, options) => {
        ticks++;
        return jobs.service.enqueue(ex, def, payload, options);
      };
      const scheduler = createScheduler({
        entries: [{ name: 'nightly-report', schedule: '* * * * * *', period: 'hour', job }],
        db,
        jobs: { enqueue },
        corpIds: () => ['c1'],
        timeZone: 'Asia/Shanghai',
        now: Date.now,
        log: silent,
      });
      schedulers.push(scheduler);
      await scheduler.start();
    }
    await new Promise((r) => setTimeout(r, 2_600));
    for (const s of schedulers) s.stop();
    const db = dbs[0]!;
    const rows = await db.select().from(db.t.jobs).where(eq(db.t.jobs.kind, 'nightly_report'));
    expect(ticks).toBeGreaterThanOrEqual(6);
    const periods = rows.map((r) => r.dedupeKey);
    expect(new Set(periods).size).toBe(rows.length);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(2);
  });

  it('every instance firing the same entry at once (a restart, a second instance) still enqueues it once', async () => {
    const dbs = await instances(3);
    const at = Date.UTC(2026, 11, 6, 1, 0, 0);
    await Promise.all(
      dbs.map(async (db) => {
        const jobs = createJobsModule({ db, now: () => at });
        jobs.service.register(job);
        const scheduler = createScheduler({
          entries: [{ name: 'daily-digest', schedule: '0 9 * * *', period: 'day', job }],
          db,
          jobs: jobs.service,
          corpIds: () => ['c1'],
          timeZone: 'Asia/Shanghai',
          now: () => at,
          log: silent,
        });
        await scheduler.fire('daily-digest');
        await scheduler.fire('daily-digest');
      }),
    );
    const db = dbs[0]!;
    const rows = await db.select().from(db.t.jobs).where(eq(db.t.jobs.kind, 'nightly_report'));
    expect(rows.map((r) => r.dedupeKey)).toEqual([`daily-digest:${periodKey(at, 'day', 'Asia/Shanghai')}`]);
  });

  it('periods are days, hours and minutes of the corp zone, not of the server', () => {
    const at = Date.UTC(2026, 11, 5, 16, 34, 0); // 00:34 on 6 December in Shanghai
    expect(periodKey(at, 'day', 'Asia/Shanghai')).toBe('2026-12-06');
    expect(periodKey(at, 'hour', 'Asia/Shanghai')).toBe('2026-12-06T00');
    expect(periodKey(at, 'minute', 'Asia/Shanghai')).toBe('2026-12-06T00:34');
    expect(periodKey(at, 'day', 'UTC')).toBe('2026-12-05');
  });
});
