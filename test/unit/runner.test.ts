import { describe, expect, it } from 'vitest';
import { WecomApiError } from '../../server/wecom/errors.js';
import { DurableRunner, type DurableQueue, type Outcome, type RunnerOptions } from '../../server/worker/runner.js';

/**
 * The runner owns this instance's share of a queue: how many items run at once, wake-ups, the poll, renewing the
 * leases of what runs, the outcome of a run and waiting for it on stop. The queue (claims with leases, lanes,
 * settling only while the lease is ours) is an in-memory stand-in with the semantics of server/db/queue.ts.
 */
interface Item {
  id: number;
  /** Counted by the claim: 1 on the first run. */
  attempts: number;
  status: 'pending' | 'running' | 'done' | 'failed' | 'ignored';
  runAt: number;
  leaseOwner: string | null;
  leaseUntil: number;
  maxAttempts?: number;
  error?: string;
  detail?: string;
}

const item = (id: number, extra: Partial<Item> = {}): Item => ({
  id,
  attempts: 0,
  status: 'pending',
  runAt: 0,
  leaseOwner: null,
  leaseUntil: 0,
  ...extra,
});

interface MemoryQueue extends DurableQueue<Item> {
  claims: { owner: string; limit: number; leaseMs: number; got: number }[];
  renewals: { owner: string; ids: number[]; until: number }[];
  settled: { id: number; owner: string; outcome: Outcome; kept: boolean }[];
}

function memoryQueue(
  items: Item[],
  handle: (item: Item) => Promise<Outcome>,
  overrides: Partial<DurableQueue<Item>> = {},
): MemoryQueue {
  const queue: MemoryQueue = {
    name: 'test',
    claims: [],
    renewals: [],
    settled: [],
    async claim(owner, now, limit, leaseMs) {
      // Due pending items, and running items whose lease expired (their instance died or stalled).
      const due = items
        .filter((i) => (i.status === 'pending' && i.runAt <= now) || (i.status === 'running' && i.leaseUntil < now))
        .slice(0, limit);
      for (const i of due)
        Object.assign(i, { status: 'running', attempts: i.attempts + 1, leaseOwner: owner, leaseUntil: now + leaseMs });
      queue.claims.push({ owner, limit, leaseMs, got: due.length });
      return due.map((i) => ({ ...i }));
    },
    handle,
    maxAttempts: (i) => i.maxAttempts ?? 3,
    async settle(claimed, outcome, owner, now) {
      const i = items.find((x) => x.id === claimed.id)!;
      const kept = i.status === 'running' && i.leaseOwner === owner;
      queue.settled.push({ id: i.id, owner, outcome, kept });
      if (!kept) return false;
      i.leaseOwner = null;
      if (outcome.kind === 'retry')
        Object.assign(i, { status: 'pending', runAt: now + outcome.delayMs, error: outcome.error });
      else if (outcome.kind === 'failed') Object.assign(i, { status: 'failed', error: outcome.error });
      else
        Object.assign(i, { status: outcome.kind, detail: outcome.kind === 'done' ? outcome.result : outcome.reason });
      return true;
    },
    async renew(owner, ids, until) {
      queue.renewals.push({ owner, ids, until });
      for (const i of items)
        if (ids.includes(i.id) && i.leaseOwner === owner && i.status === 'running') i.leaseUntil = until;
    },
    ...overrides,
  };
  return queue;
}

function recordingLog() {
  const lines: { level: 'error' | 'warn' | 'info'; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: 'error' | 'warn' | 'info') => (obj: object, msg: string) =>
    void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, log: { error: at('error'), warn: at('warn'), info: at('info') } };
}

const retry = { maxAttempts: 3, backoffBaseMs: 1, maxBackoffMs: 10 };

function runner(queue: DurableQueue<Item>, opts: Partial<RunnerOptions> = {}) {
  return new DurableRunner(queue, {
    owner: 'me',
    concurrency: 4,
    pollMs: 5,
    leaseMs: 10_000,
    retry,
    log: recordingLog().log,
    ...opts,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const until = async (cond: () => boolean, timeoutMs = 5_000) => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await sleep(5);
  expect(cond()).toBe(true);
};

const finished = (items: Item[]) => () => items.every((i) => i.status !== 'pending' && i.status !== 'running');

describe('DurableRunner', () => {
  it('runs at most `concurrency` items at once and claims only as many as it has free slots', async () => {
    const items = Array.from({ length: 12 }, (_, n) => item(n + 1));
    let running = 0;
    let most = 0;
    const queue = memoryQueue(items, async () => {
      most = Math.max(most, ++running);
      await sleep(10);
      running--;
      return { kind: 'done' };
    });
    const r = runner(queue, { concurrency: 3 });
    r.start();
    await until(finished(items));
    await r.stop();
    expect(items.every((i) => i.status === 'done' && i.attempts === 1)).toBe(true);
    expect(most).toBe(3);
    expect(queue.claims.length).toBeGreaterThan(0);
    for (const claim of queue.claims) {
      expect(claim.limit).toBeGreaterThan(0);
      expect(claim.limit).toBeLessThanOrEqual(3);
      expect(claim.leaseMs).toBe(10_000);
      expect(claim.owner).toBe('me');
    }
  });

  it('claims nothing while allowedConcurrency() is 0 and never more than it allows', async () => {
    const items = Array.from({ length: 8 }, (_, n) => item(n + 1));
    let allowed = 0;
    let running = 0;
    let most = 0;
    const queue = memoryQueue(items, async () => {
      most = Math.max(most, ++running);
      await sleep(10);
      running--;
      return { kind: 'done' };
    });
    const r = runner(queue, { concurrency: 8, allowedConcurrency: () => allowed });
    r.start();
    r.wake();
    await sleep(60); // a dozen polls
    expect(queue.claims).toEqual([]);
    expect(items.every((i) => i.status === 'pending')).toBe(true);

    allowed = 2;
    await until(finished(items));
    await r.stop();
    expect(most).toBe(2);
    for (const claim of queue.claims) expect(claim.limit).toBeLessThanOrEqual(2);
  });

  it('a wake-up claims new work at once, without waiting for the poll', async () => {
    const items: Item[] = [];
    const queue = memoryQueue(items, async () => ({ kind: 'done' }));
    const r = runner(queue, { pollMs: 60_000 });
    r.wake(); // before start: nothing happens
    await sleep(10);
    expect(queue.claims).toEqual([]);

    r.start();
    await until(() => queue.claims.length === 1); // the first poll, at start
    items.push(item(1));
    await sleep(30);
    expect(items[0]!.status).toBe('pending'); // the next poll is a minute away
    r.wake();
    await until(finished(items), 1_000);
    await r.stop();
    expect(items[0]!.status).toBe('done');
  });

  it('a finished item frees its slot and the next is claimed at once; a wake-up during a claim claims again after it', async () => {
    // One slot, no poll to speak of: only wake-ups move the queue.
    const items = [item(1), item(2), item(3)];
    const queue = memoryQueue(items, async () => ({ kind: 'done' }));
    const r = runner(queue, { pollMs: 60_000, concurrency: 1 });
    r.start();
    await until(finished(items), 2_000);
    expect(items.map((i) => i.status)).toEqual(['done', 'done', 'done']);

    // A claim that is slow to answer (a busy database): work committed meanwhile is not left for the next poll.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const claim = queue.claim.bind(queue);
    queue.claim = async (...args) => {
      const got = await claim(...args);
      await gate;
      return got;
    };
    const claimsBefore = queue.claims.length;
    r.wake();
    await until(() => queue.claims.length === claimsBefore + 1); // the claim found nothing and waits on the gate
    items.push(item(4));
    r.wake();
    release();
    await until(finished(items), 2_000);
    await r.stop();
    expect(items[3]!.status).toBe('done');
  });

  it('the poll picks up retries whose time came and items whose lease another instance let expire', async () => {
    const now = Date.now();
    const items = [
      item(1, { runAt: now + 40 }),
      item(2, { status: 'running', attempts: 1, leaseOwner: 'dead-instance', leaseUntil: now - 1 }),
      item(3, { status: 'running', attempts: 1, leaseOwner: 'live-instance', leaseUntil: now + 60_000 }),
    ];
    const queue = memoryQueue(items, async () => ({ kind: 'done' }));
    const r = runner(queue, { pollMs: 10 });
    r.start();
    await until(() => items[0]!.status === 'done' && items[1]!.status === 'done');
    await sleep(30);
    await r.stop();
    expect(items[0]).toMatchObject({ status: 'done', attempts: 1 });
    expect(items[1]).toMatchObject({ status: 'done', attempts: 2 });
    // Still leased by an instance that is alive: left alone.
    expect(items[2]).toMatchObject({ status: 'running', leaseOwner: 'live-instance', attempts: 1 });
  });

  it('renews the leases of what runs, so an item longer than the lease is not taken by another instance', async () => {
    const items = [item(1)];
    const runs: string[] = [];
    const slow = (owner: string) => async () => {
      runs.push(owner);
      await sleep(400);
      return { kind: 'done' } as const;
    };
    const queueA = memoryQueue(items, slow('a'));
    const queueB = memoryQueue(items, slow('b'));
    // Leases of 150 ms, renewed every 50 ms; the other instance polls every 5 ms.
    const a = runner(queueA, { owner: 'a', leaseMs: 150 });
    a.start();
    await until(() => runs.length === 1);
    const b = runner(queueB, { owner: 'b', leaseMs: 150 });
    b.start();
    await until(finished(items));
    await Promise.all([a.stop(), b.stop()]);
    expect(runs).toEqual(['a']);
    expect(items[0]).toMatchObject({ status: 'done', attempts: 1 });
    expect(queueA.settled).toMatchObject([{ id: 1, owner: 'a', kept: true }]);
    expect(queueA.renewals.length).toBeGreaterThanOrEqual(3);
    for (const renewal of queueA.renewals) expect(renewal).toMatchObject({ owner: 'a', ids: [1] });
    // Nothing in flight, nothing to renew.
    const renewed = queueA.renewals.length;
    await sleep(50);
    expect(queueA.renewals.length).toBe(renewed);
    expect(queueB.renewals).toEqual([]);
  });

  it('logs a lost lease and drops its outcome: the instance that took the item over settles it', async () => {
    const items = [item(1)];
    const a = recordingLog();
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    // Instance a loses its database after the first claim: it can neither renew nor claim, and its handler stalls
    // past the lease.
    let aClaims = 0;
    const queueA = memoryQueue(
      items,
      async () => {
        await stalled;
        return { kind: 'done', result: 'from a' };
      },
      {
        renew: async () => {
          throw new Error('connection terminated');
        },
      },
    );
    const claimA = queueA.claim.bind(queueA);
    queueA.claim = async (...args) => {
      if (aClaims++ > 0) throw new Error('connection terminated');
      return claimA(...args);
    };
    const queueB = memoryQueue(items, async () => ({ kind: 'done', result: 'from b' }));
    const runnerA = runner(queueA, { owner: 'a', leaseMs: 30, log: a.log });
    runnerA.start();
    await until(() => items[0]!.leaseOwner === 'a');
    const runnerB = runner(queueB, { owner: 'b', leaseMs: 30 });
    runnerB.start();
    await until(() => items[0]!.status === 'done');
    expect(items[0]).toMatchObject({ detail: 'from b', attempts: 2 });
    release();
    await Promise.all([runnerA.stop(), runnerB.stop()]);
    expect(items[0]).toMatchObject({ status: 'done', detail: 'from b' });
    expect(queueA.settled).toMatchObject([{ id: 1, owner: 'a', kept: false }]);
    expect(a.lines).toContainEqual({
      level: 'warn',
      obj: { queue: 'test', id: 1 },
      msg: 'lease lost before the outcome',
    });
    expect(a.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'could not renew leases' }));
  });

  it('an item whose lease lapsed here and that this instance claims again is not run a second time', async () => {
    // The renewals do not land (a stalled event loop), so every poll finds the running item's lease expired.
    const items = [item(1)];
    const { lines, log } = recordingLog();
    let runs = 0;
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const queue = memoryQueue(
      items,
      async () => {
        runs++;
        await stalled;
        return { kind: 'done' };
      },
      { renew: async () => undefined },
    );
    const r = runner(queue, { leaseMs: 20, pollMs: 5, log });
    r.start();
    await until(() => items[0]!.attempts >= 3); // claimed again twice while the first run goes on
    expect(runs).toBe(1);
    expect(r.inFlight).toBe(1);
    release();
    await until(finished(items));
    await r.stop();
    expect(runs).toBe(1);
    expect(items[0]!.status).toBe('done');
    expect(queue.settled).toMatchObject([{ id: 1, owner: 'me', kept: true }]);
    expect(lines.filter((l) => l.level !== 'info')).toEqual([]);
  });

  it('retries retryable errors with backoff, fails final ones at once, and gives up after maxAttempts', async () => {
    const items = [item(1), item(2), item(3), item(4), item(5, { maxAttempts: 5 })];
    const { lines, log } = recordingLog();
    const queue = memoryQueue(items, async (i) => {
      if (i.id === 1 && i.attempts < 2) throw new WecomApiError('/x', -1, 'system busy');
      if (i.id === 2) throw new WecomApiError('/x', 84061, 'not external contact');
      if (i.id === 3) throw new WecomApiError('/x', 45009, 'freq limit');
      if (i.id === 4) throw new TypeError('cannot read properties of undefined');
      if (i.id === 5) throw new Error('database is locked');
      return { kind: 'done' };
    });
    const r = runner(queue, { concurrency: 2, pollMs: 2, log });
    r.start();
    await until(finished(items));
    await r.stop();
    expect(items[0]).toMatchObject({ status: 'done', attempts: 2 });
    expect(items[1]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(items[1]!.error).toContain('84061');
    expect(items[2]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(items[2]!.error).toContain('gave up after 3 attempts');
    // A programming error is not retried; an unexpected one is, within the item's own budget.
    expect(items[3]).toMatchObject({ status: 'failed', attempts: 1, error: 'cannot read properties of undefined' });
    expect(items[4]).toMatchObject({ status: 'failed', attempts: 5 });
    expect(items[4]!.error).toBe('database is locked (gave up after 5 attempts)');
    expect(lines).toContainEqual({
      level: 'info',
      obj: { queue: 'test', id: 1, attempt: 1, error: 'WeCom /x errcode -1: system busy' },
      msg: 'work retry',
    });
    expect(lines).toContainEqual({
      level: 'error',
      obj: { queue: 'test', id: 2, attempt: 1, error: 'WeCom /x errcode 84061: not external contact' },
      msg: 'work failed',
    });
  });

  it('records what the handler returned, caps a returned retry at the budget, and backs off exponentially', async () => {
    const items = [item(1), item(2), item(3), item(4, { maxAttempts: 1 })];
    const queue = memoryQueue(items, async (i) => {
      if (i.id === 1) return { kind: 'done', result: 'sent' };
      if (i.id === 2) return { kind: 'ignored', reason: 'customer gone' };
      if (i.id === 3 && i.attempts === 1) throw new WecomApiError('/x', -1, 'system busy');
      if (i.id === 3) return { kind: 'done' };
      return { kind: 'retry', error: 'not yet', delayMs: 5 };
    });
    const r = runner(queue, { retry: { maxAttempts: 3, backoffBaseMs: 100, maxBackoffMs: 60_000 } });
    r.start();
    await until(finished(items));
    await r.stop();
    expect(items.map((i) => [i.status, i.attempts, i.detail])).toEqual([
      ['done', 1, 'sent'],
      ['ignored', 1, 'customer gone'],
      ['done', 2, undefined],
      ['failed', 1, undefined],
    ]);
    expect(items[3]!.error).toBe('not yet (gave up after 1 attempts)');
    // The first retry waits the base delay, ±20 % jitter.
    const backoff = queue.settled.find((s) => s.id === 3 && s.outcome.kind === 'retry')!.outcome;
    expect(backoff).toMatchObject({ kind: 'retry', error: 'WeCom /x errcode -1: system busy' });
    expect((backoff as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(80);
    expect((backoff as { delayMs: number }).delayMs).toBeLessThanOrEqual(120);
  });

  it('keeps working after a claim or a settle fails, logging each', async () => {
    const items = [item(1), item(2)];
    const { lines, log } = recordingLog();
    let claimFailures = 1;
    let settleFailures = 1;
    const queue = memoryQueue(items, async () => ({ kind: 'done' }));
    const { claim, settle } = queue;
    queue.claim = async (...args) => {
      if (claimFailures-- > 0) throw new Error('connection refused');
      return claim(...args);
    };
    queue.settle = async (...args) => {
      if (settleFailures-- > 0) throw new Error('connection reset');
      return settle(...args);
    };
    const r = runner(queue, { concurrency: 1, leaseMs: 30, log });
    r.start();
    // The item whose outcome was lost runs again once its lease expires.
    await until(finished(items));
    await r.stop();
    expect(items.map((i) => i.status)).toEqual(['done', 'done']);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'could not claim work' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'could not record the outcome' }));
  });

  it('stop waits for the work in flight, including what a claim in progress brings, and then claims nothing', async () => {
    const items = [item(1), item(2)];
    let done = 0;
    const queue = memoryQueue(items, async () => {
      await sleep(30);
      done++;
      return { kind: 'done' };
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const claim = queue.claim.bind(queue);
    let first = true;
    queue.claim = async (...args) => {
      const got = await claim(...args);
      if (first) {
        first = false;
        await gate;
      }
      return got;
    };
    const r = runner(queue, { pollMs: 60_000 });
    r.start();
    await until(() => items.every((i) => i.status === 'running'));
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false); // the claim has not answered yet
    release();
    await stopping;
    expect(done).toBe(2);
    expect(items.map((i) => i.status)).toEqual(['done', 'done']);
    expect(r.inFlight).toBe(0);

    const claims = queue.claims.length;
    items.push(item(3));
    r.wake();
    await sleep(30);
    expect(queue.claims.length).toBe(claims);
    expect(items[2]!.status).toBe('pending');
  });
});
