import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startBackground } from '../../server/jobs/schedule.js';

/**
 * The nightly jobs run on the corp's clocks: "00:05" is 00:05 in Shanghai (16:05 UTC), not 00:05 UTC. The app is a
 * fake with the services the jobs call; the clock is vitest's.
 */
function fakeApp(timeZone: string) {
  const calls: Record<string, number> = {};
  const count = (name: string) => async () => {
    calls[name] = (calls[name] ?? 0) + 1;
    return {};
  };
  const log = { info: () => undefined, error: () => undefined };
  const app = {
    log,
    config: { timeZone },
    defaultCorp: { corpId: 'ww-test' },
    services: {
      directory: { syncAll: count('directory') },
      contacts: { syncAll: count('contacts') },
      tags: { syncAll: count('tags') },
      channels: { restoreCappedReps: count('restoreCappedReps') },
      retention: { prune: count('prune') },
    },
  } as unknown as FastifyInstance;
  return { app, calls };
}

let background: { stop(): void } | undefined;
afterEach(() => {
  background?.stop();
  background = undefined;
  vi.useRealTimers();
});

async function restoresBetween(timeZone: string, fromIso: string, minutes: number): Promise<number> {
  vi.useFakeTimers({ now: Date.parse(fromIso) });
  const { app, calls } = fakeApp(timeZone);
  background = startBackground(app);
  await vi.advanceTimersByTimeAsync(0);
  const atBoot = calls.restoreCappedReps ?? 0;
  expect(atBoot).toBe(1); // once at boot, whatever the time
  await vi.advanceTimersByTimeAsync(minutes * 60_000);
  return (calls.restoreCappedReps ?? 0) - atBoot;
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
    background?.stop();
    expect(await restoresBetween('America/New_York', '2024-12-01T04:00:00Z', 10)).toBe(0);
    background?.stop();
    expect(await restoresBetween('America/New_York', '2024-12-01T05:00:00Z', 10)).toBe(1);
  });
});
