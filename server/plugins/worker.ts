import fp from 'fastify-plugin';
import type { WorkerConfig } from '../config.js';
import type { EventRow } from '../modules/events/repo.js';
import type { JobRow } from '../modules/jobs/repo.js';
import { DurableRunner, type DurableQueue } from '../worker/runner.js';
import { createRateMeter } from '../worker/rate-meter.js';

declare module 'fastify' {
  interface FastifyInstance {
    worker: {
      /** New inbox rows were committed. */
      wakeEvents(): void;
      /** A callback arrived (counted to detect storms). */
      noteCallback(): void;
      wakeJobs(): void;
    };
  }
}

/**
 * Processes the events inbox in this process. Starts when the app is ready, stops taking work on
 * close and waits for what is in flight (before the database closes), and on start resumes
 * whatever a previous run left unfinished.
 */
export default fp(
  async (app, opts: WorkerConfig) => {
    const { eventRepo, events } = app.services;
    const queue: DurableQueue<EventRow> = {
      name: 'events',
      due: (now, limit) => eventRepo.due(now, limit),
      claim: (ids, now) => eventRepo.claim(ids, now),
      lane: (row) => events.lane(row),
      handle: (row) => events.handle(row),
      settle(row, outcome, now) {
        if (outcome.kind === 'retry') eventRepo.retryAt(row.id, now + outcome.delayMs, now, outcome.error);
        else if (outcome.kind === 'failed') eventRepo.finish(row.id, 'failed', now, outcome.error);
        else if (outcome.kind === 'ignored') eventRepo.finish(row.id, 'ignored', now, outcome.reason);
        else eventRepo.finish(row.id, 'done', now);
      },
      requeueInterrupted: (now) => eventRepo.requeueInterrupted(now),
    };
    // During a callback storm processing pauses, so acknowledging WeCom keeps the CPU; it resumes as the storm eases.
    const callbacks = createRateMeter();
    const allowedConcurrency = () => (callbacks.perSecond() > opts.pauseAboveCallbacksPerSecond ? 0 : opts.concurrency);
    const runner = new DurableRunner(queue, {
      concurrency: opts.concurrency,
      allowedConcurrency,
      pollMs: opts.pollMs,
      retry: { maxAttempts: opts.maxAttempts, backoffBaseMs: opts.backoffBaseMs, maxBackoffMs: 10 * 60_000 },
      log: app.log,
    });

    const { jobRepo, jobs } = app.services;
    const jobQueue: DurableQueue<JobRow> = {
      name: 'jobs',
      due: (now, limit) => jobRepo.due(now, limit),
      claim: (ids, now) => jobRepo.claim(ids, now),
      lane: () => null,
      handle: (job) => jobs.run(job),
      maxAttempts: (job) => job.maxAttempts,
      settle(job, outcome, now) {
        if (outcome.kind === 'retry') jobRepo.retryAt(job.id, now + outcome.delayMs, now, outcome.error);
        else if (outcome.kind === 'failed') jobRepo.finish(job.id, 'failed', now, outcome.error);
        else jobRepo.finish(job.id, 'done', now, outcome.kind === 'done' ? outcome.result : outcome.reason);
      },
      requeueInterrupted: (now) => jobRepo.requeueInterrupted(now),
    };
    // Not throttled: jobs carry deadlines (the 20-second welcome window), and at full concurrency they keep up with
    // a sustained 200 adds/s (scripts/bench-welcome.ts); at 2 they fall 10+ s behind and welcomes would expire.
    const jobRunner = new DurableRunner(jobQueue, {
      concurrency: opts.concurrency,
      pollMs: opts.pollMs,
      retry: { maxAttempts: opts.maxAttempts, backoffBaseMs: opts.backoffBaseMs, maxBackoffMs: 10 * 60_000 },
      log: app.log,
    });
    jobs.onEnqueued(() => jobRunner.wake());

    app.decorate('worker', {
      wakeEvents: () => runner.wake(),
      wakeJobs: () => jobRunner.wake(),
      noteCallback: () => callbacks.mark(),
    });
    // After listen: in demo mode the WeCom API is our own emulator, reachable only then.
    app.addHook('onListen', async () => {
      runner.start();
      jobRunner.start();
    });
    app.addHook('preClose', async () => {
      await runner.stop();
      await jobRunner.stop();
    });
  },
  { name: 'worker', dependencies: ['services'] },
);
