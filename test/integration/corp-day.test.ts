import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { buildApp } from '../../server/app.js';
import { periodKey } from '../../server/app/scheduler.js';
import type { Config } from '../../server/config.js';
import { testConfig, waitFor } from '../support/app.js';
import { admin, CORP, prepare, settled, simulate } from '../support/scrm.js';
import { login } from '../support/sidebar.js';

/**
 * Every "day" is a day of the corp's zone (CORP_TIME_ZONE), not of the server process: run with TZ=UTC, as the
 * server runs in a container, these would count Shanghai's early-morning adds on the previous day.
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The server's clock, set to fixed moments (in the past, so durable jobs are due at once). */
function settableClock(iso: string) {
  let at = Date.parse(iso);
  return { now: () => at, set: (next: string) => (at = Date.parse(next)) };
}

async function start(clock: { now: () => number }, config: Config = testConfig()): Promise<App> {
  const started = await buildApp(config, { logger: false, now: clock.now });
  await started.listen({ port: 0, host: '127.0.0.1' });
  await prepare(started);
  return started;
}

interface ChannelView {
  id: number;
  state: string;
  reps: { userId: string; cappedToday: boolean }[];
}

async function channel(a: App, body: Record<string, unknown>): Promise<ChannelView> {
  const res = await admin(a, 'POST', '/api/channels', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as ChannelView;
}

async function add(a: App, ch: ChannelView, userId: string): Promise<void> {
  const { externalUserId } = await simulate(a, { changeType: 'add_external_contact', userId, state: ch.state });
  await settled(a, externalUserId);
}

async function statsDays(a: App, ch: ChannelView, from: string, to: string) {
  const res = await admin(a, 'GET', `/api/channels/${ch.id}/stats?from=${from}&to=${to}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { days: { day: string; adds: number }[] }).days.map((d) => [d.day, d.adds]);
}

/**
 * The nightly restore of capped reps, as its cron tick runs it: the job keyed by the corp day of the clock, run by
 * the worker; what it restored.
 */
async function restoreCappedReps(a: App, clock: { now: () => number }): Promise<unknown> {
  await a.scheduler.fire('restore-capped-reps');
  const { jobs } = a.db.t;
  const dedupeKey = `restore-capped-reps:${periodKey(clock.now(), 'day', a.config.timeZone)}`;
  const job = await waitFor(async () => {
    const [row] = await a.db
      .select({ status: jobs.status, result: jobs.result })
      .from(jobs)
      .where(and(eq(jobs.corpId, CORP), eq(jobs.kind, 'restore_capped_reps'), eq(jobs.dedupeKey, dedupeKey)));
    return row && row.status !== 'pending' && row.status !== 'running' && row;
  }, `the restore job ${dedupeKey}`);
  expect(job.status).toBe('done');
  return JSON.parse(job.result!);
}

const capped = async (a: App, ch: ChannelView, userId: string) =>
  ((await admin(a, 'GET', `/api/channels/${ch.id}`)).json() as ChannelView).reps.find((r) => r.userId === userId)!
    .cappedToday;

describe('the corp day (Asia/Shanghai by default)', () => {
  it('counts an add at 00:34 Shanghai time (16:34 UTC the day before) on the Shanghai day', async () => {
    expect(new Date(0).getTimezoneOffset()).toBe(0); // the suite runs with TZ=UTC, where the old code was wrong
    const clock = settableClock('2024-06-14T16:34:00Z');
    app = await start(clock);
    expect(app.config.timeZone).toBe('Asia/Shanghai');
    const ch = await channel(app, { name: '凌晨海报', reps: ['zhangwei', 'lina'] });
    await add(app, ch, 'zhangwei');
    expect(await statsDays(app, ch, '2024-06-14', '2024-06-15')).toEqual([
      ['2024-06-14', 0],
      ['2024-06-15', 1],
    ]);
    // The daily count for the cap is kept under the same day.
    const { repDailyAdds: d } = app.db.t;
    const daily = await app.db
      .select({ day: d.day, count: d.count })
      .from(d)
      .where(and(eq(d.channelId, ch.id), eq(d.userId, 'zhangwei')));
    expect(daily).toEqual([{ day: '2024-06-15', count: 1 }]);
  });

  it('a daily cap reached at 00:34 Shanghai time lasts until Shanghai midnight, not UTC midnight', async () => {
    const clock = settableClock('2024-06-14T16:34:00Z');
    app = await start(clock);
    const ch = await channel(app, { name: '限量海报', reps: ['zhangwei', 'lina'], dailyCap: 1 });
    await add(app, ch, 'zhangwei');
    expect(await capped(app, ch, 'zhangwei')).toBe(true);

    // UTC midnight passes (08:05 in Shanghai, still the same day there): the cap stays, the restore finds nothing.
    clock.set('2024-06-15T00:05:00Z');
    expect(await capped(app, ch, 'zhangwei')).toBe(true);
    expect(await restoreCappedReps(app, clock)).toEqual({ reps: 0, channels: 0 });
    clock.set('2024-06-15T15:59:59Z'); // 23:59:59 in Shanghai
    expect(await capped(app, ch, 'zhangwei')).toBe(true);

    // Shanghai midnight: a new day, the rep goes back on the code.
    clock.set('2024-06-15T16:05:00Z');
    expect(await capped(app, ch, 'zhangwei')).toBe(false);
    expect(await restoreCappedReps(app, clock)).toEqual({ reps: 1, channels: 1 });
  });
});

describe('the sidebar learns the corp zone', () => {
  it('GET /api/me carries CORP_TIME_ZONE, so the sidebar shows times on the corp clocks', async () => {
    app = await start(settableClock('2024-06-14T16:34:00Z'), { ...testConfig(), timeZone: 'America/New_York' });
    const cookie = await login(app, 'lina');
    const me = await app.inject({ url: '/api/me', headers: { cookie } });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ userId: 'lina', timeZone: 'America/New_York' });
  });
});

describe('a corp in a zone with daylight saving (America/New_York)', () => {
  it('counts adds on New York days across the fall-back change', async () => {
    // 2024-11-03 is 25 hours long in New York: 04:00 UTC on the 3rd to 05:00 UTC on the 4th.
    const clock = settableClock('2024-11-03T04:30:00Z'); // 00:30 EDT on the 3rd
    app = await start(clock, { ...testConfig(), timeZone: 'America/New_York' });
    const ch = await channel(app, { name: '纽约门店', reps: ['zhangwei'] });
    await add(app, ch, 'zhangwei');
    clock.set('2024-11-04T04:30:00Z'); // 23:30 EST, still the 3rd (a fixed 24-hour day would say the 4th)
    await add(app, ch, 'zhangwei');
    clock.set('2024-11-04T05:00:00Z'); // 00:00 EST on the 4th
    await add(app, ch, 'zhangwei');
    expect(await statsDays(app, ch, '2024-11-02', '2024-11-04')).toEqual([
      ['2024-11-02', 0],
      ['2024-11-03', 2],
      ['2024-11-04', 1],
    ]);
  });
});
