import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import fp from 'fastify-plugin';
import type { WorkerConfig } from '../config.js';
import type { EventRow } from '../modules/events/repo.js';
import type { JobRow } from '../modules/jobs/repo.js';
import type { Outcome } from '../worker/runner.js';
import { DurableRunner, type DurableQueue } from '../worker/runner.js';
import { createRateMeter } from '../worker/rate-meter.js';
import type { Executor } from '../db/database.js';
import type { Settlement } from '../db/queue.js';
import { groupCommit } from '../modules/events/group-commit.js';

declare module 'fastify' {
  interface FastifyInstance {
    worker: {
      /** This instance's lease owner id. */
      owner: string;
      /** New inbox rows were committed. */
      wakeEvents(): void;
      /** A callback arrived (counted to detect storms). */
      noteCallback(): void;
      wakeJobs(): void;
    };
  }
}

function settlement(outcome: Outcome, now: number): Settlement {
  switch (outcome.kind) {
    case 'retry':
      return { status: 'retry', at: now + outcome.delayMs, error: outcome.error };
    case 'failed':
      return { status: 'failed', detail: outcome.error };
    case 'ignored':
      return { status: 'ignored', detail: outcome.reason };
    default:
      return { status: 'done', detail: outcome.result };
  }
}

/**
 * Works the events inbox and the jobs table in this instance, alongside any other instance on the same database:
 * items are claimed with leases (server/db/queue.ts), so an instance that dies leaves its items to the others once
 * the lease expires, and nothing is requeued at boot. Starts once the server listens, stops taking work on close
 * and waits for what is in flight (before the database closes).
 */
export default fp(
  async (app, opts: WorkerConfig) => {
    const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const { events, jobs } = app.modules;
    // Outcomes recorded in the same turn of the event loop share one transaction: on SQLite each commit writes its
    // pages to the WAL, and every add settles three items (its event, the tagging and the welcome).
    const settleInBatches = (
      settleOne: (ex: Executor, id: number, who: string, now: number, s: Settlement) => Promise<boolean>,
    ) =>
      groupCommit<{ id: number; who: string; now: number; outcome: Outcome }, boolean>((items) =>
        app.db.tx(
          async (tx) => {
            const kept: boolean[] = [];
            for (const i of items) kept.push(await settleOne(tx, i.id, i.who, i.now, settlement(i.outcome, i.now)));
            return kept;
          },
          // Each statement updates one row on the condition that the lease is still ours.
          { isolation: 'read committed' },
        ),
      );
    const settleEvent = settleInBatches(events.repo.queue.settle);
    const settleJob = settleInBatches(jobs.repo.queue.settle);
    const retry = { maxAttempts: opts.maxAttempts, backoffBaseMs: opts.backoffBaseMs, maxBackoffMs: 10 * 60_000 };

    const eventQueue: DurableQueue<EventRow> = {
      name: 'events',
      claim: async (who, now, limit, leaseMs) =>
        events.repo.byIds(app.db, await events.repo.queue.claim(who, now, limit, leaseMs)),
      handle: (row) => events.service.handle(row),
      settle: (row, outcome, who, now) => settleEvent({ id: row.id, who, now, outcome }),
      renew: (who, ids, until) => events.repo.queue.renew(who, ids, until),
    };
    // During a callback storm processing pauses, so acknowledging WeCom keeps the CPU; it resumes as the storm eases.
    const callbacks = createRateMeter();
    const allowedConcurrency = () => (callbacks.perSecond() > opts.pauseAboveCallbacksPerSecond ? 0 : opts.concurrency);
    const eventRunner = new DurableRunner(eventQueue, {
      owner,
      concurrency: opts.concurrency,
      allowedConcurrency,
      pollMs: opts.pollMs,
      leaseMs: opts.leaseMs,
      retry,
      log: app.log,
    });

    const jobQueue: DurableQueue<JobRow> = {
      name: 'jobs',
      claim: async (who, now, limit, leaseMs) =>
        jobs.repo.byIds(app.db, await jobs.repo.queue.claim(who, now, limit, leaseMs)),
      handle: (job) => jobs.service.run(job),
      maxAttempts: (job) => job.maxAttempts,
      settle: (job, outcome, who, now) => settleJob({ id: job.id, who, now, outcome }),
      renew: (who, ids, until) => jobs.repo.queue.renew(who, ids, until),
    };
    // Not throttled: jobs carry deadlines (the 20-second welcome window), and at full concurrency they keep up with
    // a sustained 200 adds/s (scripts/bench-welcome.ts); at 2 they fall 10+ s behind and welcomes would expire.
    // On the clock jobs are enqueued with (runAt, retries, deadlines): the app's, which tests may move.
    const jobRunner = new DurableRunner(jobQueue, {
      owner,
      now: jobs.service.now,
      concurrency: opts.concurrency,
      pollMs: opts.pollMs,
      leaseMs: opts.leaseMs,
      retry,
      log: app.log,
    });
    jobs.service.onEnqueued(() => jobRunner.wake());

    app.decorate('worker', {
      owner,
      wakeEvents: () => eventRunner.wake(),
      wakeJobs: () => jobRunner.wake(),
      noteCallback: () => callbacks.mark(),
    });
    // After listen: in demo mode the WeCom API is our own emulator, reachable only then.
    app.addHook('onListen', async () => {
      eventRunner.start();
      jobRunner.start();
    });
    app.addHook('preClose', async () => {
      await eventRunner.stop();
      await jobRunner.stop();
    });
  },
  { name: 'worker', dependencies: ['modules'] },
);
