import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../../server/config.js';
import type { Database } from '../../../server/db/database.js';
import { openDatabase } from '../../../server/db/open.js';
import { createJobRepo, type JobRepo } from '../../../server/modules/jobs/repo.js';
import { testDatabase } from '../../support/database.js';

/** Leased claims shared by instances, on whichever backend this run uses. */
describe('durable queue: leases and lanes', () => {
  let config: DatabaseConfig;
  let db: Database;
  let repo: JobRepo;
  const now = 1_800_000_000_000;

  beforeEach(async () => {
    config = testDatabase();
    db = await openDatabase(config);
    repo = createJobRepo(db);
    await db.insert(db.t.corps).values({
      corpId: 'c1',
      name: 'c',
      agentId: 1,
      secretSealed: '',
      tokenSealed: '',
      encodingAesKeySealed: '',
    });
  });
  afterEach(async () => db.close());

  const enqueue = (key: string, lane: string | null, extra: { runAt?: number; deadlineAt?: number } = {}) =>
    repo.enqueue(db, { corpId: 'c1', kind: 'k', dedupeKey: key, payload: { key }, lane, runAt: now, ...extra });
  const keys = async (ids: number[]) => (await repo.byIds(db, ids)).map((j) => j.dedupeKey);

  it('enqueueing the same key twice is one job', async () => {
    expect(await enqueue('a', null)).not.toBeNull();
    expect(await enqueue('a', null)).toBeNull();
  });

  it('a lane runs its jobs one at a time, in order; other lanes and lane-less jobs run alongside', async () => {
    for (const [key, lane] of [
      ['l1', 'L'],
      ['l2', 'L'],
      ['m1', 'M'],
      ['free', null],
    ] as const)
      await enqueue(key, lane);
    const first = await repo.queue.claim('A', now, 10, 30_000);
    expect((await keys(first)).sort()).toEqual(['free', 'l1', 'm1']);
    expect(await repo.queue.claim('B', now, 10, 30_000)).toEqual([]);
    const l1 = (await repo.byIds(db, first)).find((j) => j.dedupeKey === 'l1')!;
    expect(await repo.queue.settle(db, l1.id, 'A', now, { status: 'done' })).toBe(true);
    expect(await keys(await repo.queue.claim('B', now, 10, 30_000))).toEqual(['l2']);
  });

  it('an expired lease is taken over by another instance, and the late owner cannot settle it', async () => {
    await enqueue('a', 'L');
    await enqueue('b', 'L');
    const [id] = await repo.queue.claim('A', now, 10, 1_000);
    expect(await repo.queue.claim('B', now + 500, 10, 1_000)).toEqual([]);
    const takeover = await repo.queue.claim('B', now + 1_001, 10, 1_000);
    expect(takeover).toEqual([id]);
    const [job] = await repo.byIds(db, takeover);
    expect(job!.attempts).toBe(2);
    expect(await repo.queue.settle(db, id!, 'A', now + 1_002, { status: 'done' })).toBe(false);
    expect(await repo.queue.settle(db, id!, 'B', now + 1_002, { status: 'done', detail: 'ok' })).toBe(true);
    const [done] = await repo.byIds(db, [id!]);
    expect(done).toMatchObject({ status: 'done', result: 'ok', leaseOwner: null });
  });

  it('renewing keeps a lease; a retry waits for its time and keeps the lane behind it', async () => {
    await enqueue('a', 'L');
    await enqueue('b', 'L');
    const [id] = await repo.queue.claim('A', now, 10, 1_000);
    await repo.queue.renew('A', [id!], now + 5_000);
    expect(await repo.queue.claim('B', now + 2_000, 10, 1_000)).toEqual([]);
    await repo.queue.settle(db, id!, 'A', now + 2_000, { status: 'retry', at: now + 10_000, error: 'busy' });
    expect(await repo.queue.claim('B', now + 3_000, 10, 1_000)).toEqual([]);
    expect(await keys(await repo.queue.claim('B', now + 10_000, 10, 1_000))).toEqual(['a']);
  });

  it('jobs with a deadline go first, earliest first', async () => {
    await enqueue('late', null);
    await enqueue('welcome-2', null, { deadlineAt: now + 20_000 });
    await enqueue('welcome-1', null, { deadlineAt: now + 10_000 });
    expect(await keys(await repo.queue.claim('A', now, 2, 1_000))).toEqual(['welcome-2', 'welcome-1']);
    const [rest] = await repo.queue.claim('A', now, 2, 1_000);
    expect(await keys([rest!])).toEqual(['late']);
  });

  it('one claim fills its limit tier by tier: expired leases, then deadlines, then the rest in order', async () => {
    await enqueue('p1', null);
    await enqueue('p2', null);
    await enqueue('d1', null, { deadlineAt: now + 20_000 });
    expect((await keys(await repo.queue.claim('A', now, 2, 1_000))).sort()).toEqual(['d1', 'p1']);
    await enqueue('d2', null, { deadlineAt: now + 20_000 });
    // A's two leases expired: they fill the limit before the waiting deadline job and the plain one.
    expect((await keys(await repo.queue.claim('B', now + 1_001, 2, 1_000))).sort()).toEqual(['d1', 'p1']);
    expect(await keys(await repo.queue.claim('B', now + 1_002, 1, 1_000))).toEqual(['d2']);
    expect(await keys(await repo.queue.claim('B', now + 1_003, 5, 1_000))).toEqual(['p2']);
    expect(await repo.queue.claim('B', now + 1_004, 5, 1_000)).toEqual([]);
  });

  it('two instances claiming at once never take the same job or two jobs of one lane', async () => {
    const other = await openDatabase(config);
    try {
      const otherRepo = createJobRepo(other);
      for (let i = 0; i < 40; i++) await enqueue(`j${i}`, `lane${i % 8}`);
      const claimed: number[][] = [];
      for (let round = 0; round < 5; round++) {
        const [a, b] = await Promise.all([
          repo.queue.claim('A', now, 6, 30_000),
          otherRepo.queue.claim('B', now, 6, 30_000),
        ]);
        claimed.push(a, b);
        const lanes = (await repo.byIds(db, [...a, ...b])).map((j) => j.lane);
        expect(new Set(lanes).size).toBe(lanes.length);
        for (const id of a) await repo.queue.settle(db, id, 'A', now, { status: 'done' });
        for (const id of b) await otherRepo.queue.settle(other, id, 'B', now, { status: 'done' });
      }
      const all = claimed.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(40);
    } finally {
      await other.close();
    }
  });
});
