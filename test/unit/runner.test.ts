import { describe, expect, it } from 'vitest';
import { DurableRunner, type DurableQueue, type Outcome } from '../../server/worker/runner.js';
import { WecomApiError } from '../../server/wecom/errors.js';

interface Item {
  id: number;
  attempts: number;
  lane: string | null;
  status: 'pending' | 'running' | 'done' | 'failed' | 'ignored';
  runAt: number;
  error?: string;
}

const silent = { error: () => {}, info: () => {} };

function memoryQueue(items: Item[], handle: (item: Item) => Promise<Outcome>): DurableQueue<Item> {
  return {
    name: 'test',
    due: (now, limit) =>
      items
        .filter((i) => i.status === 'pending' && i.runAt <= now)
        .slice(0, limit)
        .map((i) => ({ ...i })),
    claim: (ids) => {
      for (const i of items)
        if (ids.includes(i.id)) {
          i.status = 'running';
          i.attempts += 1;
        }
    },
    lane: (i) => i.lane,
    handle,
    settle: (item, outcome, now) => {
      const i = items.find((x) => x.id === item.id)!;
      if (outcome.kind === 'retry')
        Object.assign(i, { status: 'pending', runAt: now + outcome.delayMs, error: outcome.error });
      else i.status = outcome.kind;
      if (outcome.kind === 'failed') i.error = outcome.error;
    },
    requeueInterrupted: () => {
      let n = 0;
      for (const i of items)
        if (i.status === 'running') {
          i.status = 'pending';
          n++;
        }
      return n;
    },
  };
}

const until = async (cond: () => boolean) => {
  for (let t = 0; t < 500 && !cond(); t++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

const retry = { maxAttempts: 3, backoffBaseMs: 1, maxBackoffMs: 10 };

describe('DurableRunner', () => {
  it('runs items of one lane one at a time, in order, and other lanes in parallel', async () => {
    const items: Item[] = [1, 2, 3, 4].map((id) => ({
      id,
      attempts: 0,
      lane: id <= 3 ? 'a' : 'b',
      status: 'pending',
      runAt: 0,
    }));
    const order: number[] = [];
    let concurrentA = 0;
    let maxConcurrentA = 0;
    const runner = new DurableRunner(
      memoryQueue(items, async (item) => {
        if (item.lane === 'a') maxConcurrentA = Math.max(maxConcurrentA, ++concurrentA);
        await new Promise((r) => setTimeout(r, 10));
        if (item.lane === 'a') concurrentA--;
        order.push(item.id);
        return { kind: 'done' };
      }),
      { concurrency: 4, pollMs: 5, retry, log: silent },
    );
    runner.start();
    await until(() => items.every((i) => i.status === 'done'));
    await runner.stop();
    expect(maxConcurrentA).toBe(1);
    expect(order.filter((id) => id <= 3)).toEqual([1, 2, 3]);
    expect(order.indexOf(4)).toBeLessThan(order.indexOf(3));
  });

  it('retries retryable errors with backoff and fails final ones at once', async () => {
    const items: Item[] = [
      { id: 1, attempts: 0, lane: null, status: 'pending', runAt: 0 },
      { id: 2, attempts: 0, lane: null, status: 'pending', runAt: 0 },
      { id: 3, attempts: 0, lane: null, status: 'pending', runAt: 0 },
    ];
    const runner = new DurableRunner(
      memoryQueue(items, async (item) => {
        if (item.id === 1 && item.attempts < 2) throw new WecomApiError('/x', -1, 'system busy');
        if (item.id === 2) throw new WecomApiError('/x', 84061, 'not external contact');
        if (item.id === 3) throw new WecomApiError('/x', 45009, 'freq limit');
        return { kind: 'done' };
      }),
      { concurrency: 2, pollMs: 2, retry, log: silent },
    );
    runner.start();
    await until(() => items.every((i) => i.status === 'done' || i.status === 'failed'));
    await runner.stop();
    expect(items[0]).toMatchObject({ status: 'done', attempts: 2 });
    expect(items[1]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(items[1]!.error).toContain('84061');
    expect(items[2]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(items[2]!.error).toContain('gave up after 3 attempts');
  });

  it('resumes interrupted work on start and waits for in-flight work on stop', async () => {
    const items: Item[] = [{ id: 1, attempts: 1, lane: null, status: 'running', runAt: 0 }];
    let finished = false;
    const runner = new DurableRunner(
      memoryQueue(items, async () => {
        await new Promise((r) => setTimeout(r, 30));
        finished = true;
        return { kind: 'done' };
      }),
      { concurrency: 1, pollMs: 5, retry, log: silent },
    );
    runner.start();
    await until(() => runner.inFlight === 1);
    await runner.stop();
    expect(finished).toBe(true);
    expect(items[0]).toMatchObject({ status: 'done', attempts: 2 });
  });
});
