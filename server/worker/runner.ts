import { capAttempts, outcomeOfError, type RetryPolicy } from './retry-policy.js';

/**
 * A durable work loop over a queue table that several instances may share (the events inbox, the jobs table). The
 * queue owns persistence and coordination: it claims due items with a lease, in lane order, atomically (see
 * server/db/queue.ts). The runner owns this instance's share: how many items run at once, wake-ups on new work, a
 * poll for retries whose time came and for leases other instances let expire, and renewing the leases of what runs.
 */

export type Outcome =
  | { kind: 'done'; result?: string }
  | { kind: 'ignored'; reason?: string }
  | { kind: 'retry'; error: string; delayMs: number }
  | { kind: 'failed'; error: string };

export interface QueueItem {
  id: number;
  /** Counted by the claim: 1 on the first run. */
  attempts: number;
}

export interface DurableQueue<T extends QueueItem> {
  name: string;
  /** Leases up to `limit` due items to `owner` until `now + leaseMs`. */
  claim(owner: string, now: number, limit: number, leaseMs: number): Promise<T[]>;
  /** Throw to fail: the retry policy decides between retrying later and giving up. */
  handle(item: T): Promise<Outcome>;
  /** Per-item attempt budget (jobs carry their own); defaults to the policy's. */
  maxAttempts?(item: T): number;
  /** Records the outcome; false when the lease had been taken over (the outcome is dropped). */
  settle(item: T, outcome: Outcome, owner: string, now: number): Promise<boolean>;
  renew(owner: string, ids: number[], until: number): Promise<void>;
}

export interface RunnerOptions {
  /** This instance's lease owner id (unique per process). */
  owner: string;
  concurrency: number;
  /** The concurrency allowed right now (≤ concurrency), e.g. lowered while the event loop is saturated. */
  allowedConcurrency?: () => number;
  retry: RetryPolicy;
  pollMs: number;
  /** How long a claim lasts without renewal; renewed every third of it while the item runs. */
  leaseMs: number;
  now?: () => number;
  log: {
    error(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
  };
}

export class DurableRunner<T extends QueueItem> {
  private readonly inflight = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private claiming = false;
  private claimAgain = false;
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
    this.poll();
    this.renewTimer = setInterval(() => void this.renewLeases(), Math.max(10, Math.floor(this.opts.leaseMs / 3)));
    this.renewTimer.unref();
  }

  /** Called when new work was committed: look now instead of at the next poll. */
  wake(): void {
    if (!this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.tick();
    });
  }

  /** Stops taking work and waits for what is in flight to settle. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.timer = null;
    this.renewTimer = null;
    while (this.inflight.size > 0 || this.claiming) {
      await Promise.all(this.inflight.values());
      if (this.claiming) await new Promise((r) => setImmediate(r));
    }
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  private poll(): void {
    if (!this.running) return;
    void this.tick();
    this.timer = setTimeout(() => this.poll(), this.opts.pollMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    // One claim at a time per instance; a wake-up during a claim claims again right after it.
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    const limit = Math.min(this.opts.concurrency, this.opts.allowedConcurrency?.() ?? this.opts.concurrency);
    const free = limit - this.inflight.size;
    if (free <= 0) return;
    this.claiming = true;
    let claimed: T[] = [];
    try {
      claimed = await this.queue.claim(this.opts.owner, this.now(), free, this.opts.leaseMs);
    } catch (err) {
      this.opts.log.error({ err, queue: this.queue.name }, 'could not claim work');
    } finally {
      this.claiming = false;
    }
    for (const item of claimed) {
      // Our own lease lapsed while the item runs here (a stalled event loop, a failed renewal) and this claim took
      // it again: the run in progress keeps it under the new lease instead of a second run beside it.
      if (!this.inflight.has(item.id)) this.run(item);
    }
    if (this.claimAgain || claimed.length === free) {
      this.claimAgain = false;
      this.wake();
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.inflight.size === 0) return;
    try {
      await this.queue.renew(this.opts.owner, [...this.inflight.keys()], this.now() + this.opts.leaseMs);
    } catch (err) {
      this.opts.log.error({ err, queue: this.queue.name }, 'could not renew leases');
    }
  }

  private run(item: T): void {
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
        const kept = await this.queue.settle(item, outcome, this.opts.owner, this.now());
        if (!kept) this.opts.log.warn({ queue: this.queue.name, id: item.id }, 'lease lost before the outcome');
      } catch (err) {
        this.opts.log.error({ err, queue: this.queue.name, id: item.id }, 'could not record the outcome');
      }
    })().finally(() => {
      this.inflight.delete(item.id);
      this.wake();
    });
    this.inflight.set(item.id, work);
  }
}
