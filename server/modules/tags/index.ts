import { Type } from 'typebox';
import type { ModuleContext } from '../context.js';
import { defineJob } from '../jobs/define.js';
import type { ModuleManifest } from '../manifest.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { createMarkTagJob } from './mark-tag-job.js';
import { createTagRepo } from './repo.js';
import { tagRoutes } from './routes.js';
import { createTagService } from './service.js';

/**
 * The corp tag library (mirrored from WeCom: callbacks keep it current, a nightly full sync repairs it, and the
 * first sync runs when an instance starts), and the `mark_tag` job that tags a customer added through a channel.
 */
export function createTagsModule(ctx: ModuleContext, deps: { timeline: Pick<TimelineRepo, 'add'> }) {
  const repo = createTagRepo(ctx.db);
  const service = createTagService({ db: ctx.db, repo, api: (corpId) => ctx.api(corpId) });
  const markTagJob = createMarkTagJob({
    db: ctx.db,
    tags: service,
    api: (corpId) => ctx.api(corpId),
    timeline: deps.timeline,
    now: ctx.now,
  });
  // WeCom is the source of truth for tags; callbacks keep the mirror current in between.
  const syncJob = defineJob(
    'sync_tags',
    Type.Object({ period: Type.String() }),
    async (job) => ({ kind: 'done', result: JSON.stringify(await service.syncAll(job.corpId)) }),
    { maxAttempts: 3 },
  );
  const manifest: ModuleManifest = {
    name: 'tags',
    routes: [async (app) => app.register(tagRoutes, { service, corpId: ctx.defaultCorpId })],
    jobs: [markTagJob, syncJob],
    hooks: { afterTagChanged: (corpId, event) => service.applyEvent(corpId, event) },
    cron: [{ name: 'tags-sync', schedule: '20 3 * * *', period: 'day', job: syncJob, atStart: true }],
  };
  return { manifest, repo, service, markTagJob };
}
export type TagsModule = ReturnType<typeof createTagsModule>;
