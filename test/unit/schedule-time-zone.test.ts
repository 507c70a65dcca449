import { Type } from 'typebox';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, periodKey, type Scheduler } from '../../server/app/scheduler.js';
import type { Database } from '../../server/db/database.js';
import { defineJob } from '../../server/modules/jobs/define.js';

/**
 * The nightly jobs run on the corp's clocks: "00:05" is 00:05 in Shanghai (16:05 UTC), not 00:05 UTC. A cron tick
 * enqueues the entry's job once per corp and period (keyed in the corp's zone); the job service is a fake that
 * records what was enqueued, and the clock is vitest's.
 */
const restoreJob = defineJob('restore_capped_reps', Type.Object({ period: Type.String() }), async () => ({
  kind: 'done' as const,
}));

let scheduler: Scheduler | undefined;
afterEach(() => {
  scheduler?.stop();
  scheduler = undefined;
  vi.useRealTimers();
});

function start(timeZone: string, fromIso: string) {
  vi.useFakeTimers({ now: Date.parse(fromIso) });
  const enqueued: { payload: unknown; corpId: string; dedupeKey: string | undefined }[] = [];
  scheduler = createScheduler({
    entries: [{ name: 'restore-capped-reps', schedule: '5 0 * * *', period: 'day', job: restoreJob, atStart: true }],
    db: {} as Database,
    jobs: {
      enqueue: async (_ex, _job, payload, opts) => {
        enqueued.push({ payload, corpId: opts.corpId, dedupeKey: opts.dedupeKey });
        return 1;
      },
    },
    corpIds: () => ['ww-a', 'ww-b'],
    timeZone,
    now: () => Date.now(),
    log: { error: () => undefined },
  });
  return enqueued;
}

/** How many cron ticks enqueued the restore (per corp) in the `minutes` after `fromIso`, besides the one at start. */
async function restoresBetween(timeZone: string, fromIso: string, minutes: number): Promise<number> {
  const enqueued = start(timeZone, fromIso);
  await scheduler!.start();
  expect(enqueued.map((e) => e.corpId)).toEqual(['ww-a', 'ww-b']); // once at start for each corp, whatever the time
  await vi.advanceTimersByTimeAsync(minutes * 60_000);
  return (enqueued.length - 2) / 2;
}

describe('cron schedules follow CORP_TIME_ZONE', () => {
  it('restores capped reps at 00:05 Shanghai time, which is 16:05 UTC', async () => {
    expect(await restoresBetween('Asia/Shanghai', '2024-06-14T16:00:00Z', 10)).toBe(1);
  });

  it('does not restore at 00:05 UTC when the corp is in Shanghai (08:05 there)', async () => {
    expect(await restoresBetween('Asia/Shanghai', '2024-06-15T00:00:00Z', 10)).toBe(0);
  });

  it('follows a DST zone: 00:05 in New York is 04:05 UTC in summer and 05:05 UTC in winter', async () => {
    expect(await restoresBetween('America/New_York', '2024-07-01T04:00:00Z', 10)).toBe(1);
    scheduler?.stop();
    expect(await restoresBetween('America/New_York', '2024-12-01T04:00:00Z', 10)).toBe(0);
    scheduler?.stop();
    expect(await restoresBetween('America/New_York', '2024-12-01T05:00:00Z', 10)).toBe(1);
  });

  it('keys each run by the corp-zone period, so the start and the tick of one day are one job', async () => {
    // 23:58 in Shanghai on the 14th; the tick at 00:05 on the 15th is the next day's run.
    const enqueued = start('Asia/Shanghai', '2024-06-14T15:58:00Z');
    await scheduler!.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(enqueued).toEqual([
      { payload: { period: '2024-06-14' }, corpId: 'ww-a', dedupeKey: 'restore-capped-reps:2024-06-14' },
      { payload: { period: '2024-06-14' }, corpId: 'ww-b', dedupeKey: 'restore-capped-reps:2024-06-14' },
      { payload: { period: '2024-06-15' }, corpId: 'ww-a', dedupeKey: 'restore-capped-reps:2024-06-15' },
      { payload: { period: '2024-06-15' }, corpId: 'ww-b', dedupeKey: 'restore-capped-reps:2024-06-15' },
    ]);
  });

  it('names periods on the corp clocks: the same instant is another day, hour and minute in another zone', () => {
    const at = Date.parse('2024-12-31T16:30:00Z');
    expect(periodKey(at, 'day', 'Asia/Shanghai')).toBe('2025-01-01');
    expect(periodKey(at, 'day', 'UTC')).toBe('2024-12-31');
    expect(periodKey(at, 'hour', 'Asia/Shanghai')).toBe('2025-01-01T00');
    expect(periodKey(at, 'minute', 'America/New_York')).toBe('2024-12-31T11:30');
  });
});
