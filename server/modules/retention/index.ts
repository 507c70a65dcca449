import { Type } from 'typebox';
import type { ModuleContext } from '../context.js';
import type { EventRepo } from '../events/repo.js';
import { defineJob } from '../jobs/define.js';
import type { JobRepo } from '../jobs/repo.js';
import type { ModuleManifest } from '../manifest.js';
import { createRetentionService } from './service.js';

/**
 * Nightly pruning of handled inbox events and done jobs older than RETENTION_DAYS (failed and unfinished work stays).
 * The cron enqueues one job per corp and day; the prune itself is not per corp (the first run of a night deletes
 * everything due, the others find nothing), and a rerun is harmless.
 */
export function createRetentionModule(
  ctx: ModuleContext,
  deps: {
    events: Pick<EventRepo, 'deleteHandledBefore'>;
    jobs: Pick<JobRepo, 'deleteDoneBefore'>;
  },
) {
  const service = createRetentionService({
    db: ctx.db,
    events: deps.events,
    jobs: deps.jobs,
    retentionDays: ctx.config.retentionDays,
    now: ctx.now,
  });
  const pruneJob = defineJob(
    'prune_handled_work',
    Type.Object({ period: Type.String() }),
    async () => ({ kind: 'done', result: JSON.stringify(await service.prune()) }),
    { maxAttempts: 3 },
  );
  const manifest: ModuleManifest = {
    name: 'retention',
    jobs: [pruneJob],
    // As before, also once at start (keyed by the day, so a restart the same day prunes nothing twice).
    cron: [{ name: 'prune-handled-work', schedule: '45 3 * * *', period: 'day', job: pruneJob, atStart: true }],
  };
  return { manifest, service };
}
export type RetentionModule = ReturnType<typeof createRetentionModule>;
