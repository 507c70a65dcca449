import { capAttempts, outcomeOfError, type RetryPolicy } from './retry-policy.js';

/**
 * A durable, in-process work loop over a SQLite-backed queue (the events inbox, the jobs table).
 * The queue owns persistence; the runner owns scheduling: concurrency, lanes (items of one lane
 * run one at a time, oldest first), wake-ups on new work and a poll for retries whose time came.
 */

export type Outcome =
  | { kind: 'done'; result?: string }
  | { kind: 'ignored'; reason?: string }
  | { kind: 'retry'; error: string; delayMs: number }
  | { kind: 'failed'; error: string };

export interface QueueItem {
  id: number;
  attempts: number;
}

export interface DurableQueue<T extends QueueItem> {
  name: string;
  due(now: number, limit: number): T[];
  claim(ids: number[], now: number): void;
  /** Items sharing a lane never run concurrently (e.g. all events of one customer). */
  lane(item: T): string | null;
  /** Throw to fail: the retry policy decides between retrying later and giving up. */
  handle(item: T): Promise<Outcome>;
  /** Per-item attempt budget (jobs carry their own); defaults to the policy's. */
  maxAttempts?(item: T): number;
  settle(item: T, outcome: Outcome, now: number): void;
  requeueInterrupted(now: number): number;
}

export interface RunnerOptions {
  concurrency: number;
  /** The concurrency allowed right now (≤ concurrency), e.g. lowered while the event loop is saturated. */
  allowedConcurrency?: () => number;
  retry: RetryPolicy;
  pollMs: number;
  now?: () => number;
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export class DurableRunner<T extends QueueItem> {
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly busyLanes = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private running = false;
  private readonly now: () => number;

  constructor(
    private readonly queue: DurableQueue<T>,
    private readonly opts: RunnerOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const requeued = this.queue.requeueInterrupted(this.now());
    if (requeued > 0) this.opts.log.info({ queue: this.queue.name, requeued }, 'resumed interrupted work');
    this.poll();
  }

  /** Called when new work was committed: look now instead of at the next poll. */
  wake(): void {
    if (!this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tick();
    });
  }

  /** Stops taking work and waits for what is in flight to settle. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all(this.inflight.values());
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  private poll(): void {
    if (!this.running) return;
    this.tick();
    this.timer = setTimeout(() => this.poll(), this.opts.pollMs);
    this.timer.unref();
  }

  private tick(): void {
    if (!this.running) return;
    const limit = Math.min(this.opts.concurrency, this.opts.allowedConcurrency?.() ?? this.opts.concurrency);
    const free = limit - this.inflight.size;
    if (free <= 0) return;
    let candidates: T[];
    try {
      candidates = this.queue.due(this.now(), free * 4 + this.busyLanes.size);
    } catch (err) {
      this.opts.log.error({ err, queue: this.queue.name }, 'could not read the queue');
      return;
    }
    const chosen: T[] = [];
    const lanesThisTick = new Set<string>();
    for (const item of candidates) {
      if (chosen.length >= free) break;
      if (this.inflight.has(item.id)) continue;
      const lane = this.queue.lane(item);
      if (lane !== null && (this.busyLanes.has(lane) || lanesThisTick.has(lane))) continue;
      if (lane !== null) lanesThisTick.add(lane);
      chosen.push(item);
    }
    if (chosen.length === 0) return;
    this.queue.claim(
      chosen.map((c) => c.id),
      this.now(),
    );
    for (const item of chosen) this.run({ ...item, attempts: item.attempts + 1 });
  }

  private run(item: T): void {
    const lane = this.queue.lane(item);
    if (lane !== null) this.busyLanes.add(lane);
    const work = (async () => {
      const maxAttempts = this.queue.maxAttempts?.(item) ?? this.opts.retry.maxAttempts;
      let outcome: Outcome;
      try {
        outcome = capAttempts(await this.queue.handle(item), item.attempts, maxAttempts);
      } catch (err) {
        outcome = outcomeOfError(err, item.attempts, { ...this.opts.retry, maxAttempts });
        const error = outcome.kind === 'failed' || outcome.kind === 'retry' ? outcome.error : undefined;
        const level = outcome.kind === 'failed' ? 'error' : 'info';
        this.opts.log[level](
          { queue: this.queue.name, id: item.id, attempt: item.attempts, error },
          `work ${outcome.kind}`,
        );
      }
      try {
        this.queue.settle(item, outcome, this.now());
      } catch (err) {
        this.opts.log.error({ err, queue: this.queue.name, id: item.id }, 'could not record the outcome');
      }
    })().finally(() => {
      this.inflight.delete(item.id);
      if (lane !== null) this.busyLanes.delete(lane);
      this.wake();
    });
    this.inflight.set(item.id, work);
  }
}
