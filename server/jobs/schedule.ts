import cron, { type ScheduledTask } from 'node-cron';
import type { FastifyInstance } from 'fastify';

interface Job {
  name: string;
  /** cron expression, on the clocks of the corp's time zone (CORP_TIME_ZONE), whatever the server's own zone */
  schedule: string;
  run(): Promise<unknown>;
}

/** Every job body is a service call that is harmless to repeat; a failure is logged, never thrown. */
function guarded(app: FastifyInstance, job: Job): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    const started = Date.now();
    try {
      const result = await job.run();
      app.log.info({ job: job.name, ms: Date.now() - started, result }, 'job finished');
    } catch (err) {
      app.log.error({ job: job.name, err }, 'job failed');
    } finally {
      running = false;
    }
  };
}

function jobsFor(app: FastifyInstance): Job[] {
  const corpId = app.defaultCorp.corpId;
  const { directory, contacts, tags, channels, retention } = app.services;
  return [
    {
      name: 'directory-and-contacts-sync',
      schedule: '30 3 * * *',
      run: async () => ({
        directory: await directory.syncAll(corpId),
        contacts: await contacts.syncAll(corpId),
      }),
    },
    // WeCom is the source of truth for tags; callbacks keep the mirror current in between.
    { name: 'tags-sync', schedule: '20 3 * * *', run: () => tags.syncAll(corpId) },
    // Reps taken off a channel code for reaching yesterday's daily cap go back on.
    { name: 'restore-capped-reps', schedule: '5 0 * * *', run: async () => channels.restoreCappedReps(corpId) },
    // Handled inbox events and done jobs older than RETENTION_DAYS (failed and unfinished work stays).
    { name: 'prune-handled-work', schedule: '45 3 * * *', run: () => retention.prune() },
  ];
}

/**
 * Starts the cron jobs after the server listens (created stopped, started here, stopped on close)
 * and runs the syncs once at boot so a fresh database mirrors the corp at once.
 */
export function startBackground(app: FastifyInstance): { stop(): void } {
  const tasks: ScheduledTask[] = [];
  const jobs = jobsFor(app);
  for (const job of jobs) {
    const body = guarded(app, job);
    tasks.push(cron.schedule(job.schedule, body, { name: job.name, timezone: app.config.timeZone }));
    void body();
  }
  return {
    stop() {
      for (const t of tasks) void t.stop();
    },
  };
}
