import { Type } from 'typebox';
import type { ModuleContext } from '../context.js';
import type { DirectoryService } from '../directory/service.js';
import { defineJob } from '../jobs/define.js';
import type { ModuleManifest } from '../manifest.js';
import { createContactRepo } from './repo.js';
import { createContactService } from './service.js';

/**
 * Customers (external contacts) and their follows, kept in step with WeCom by callbacks and by a nightly full sync
 * (which also runs once when a new instance starts, so an existing corp's customers appear at once).
 */
export function createContactsModule(ctx: ModuleContext, deps: { directory: DirectoryService }) {
  const repo = createContactRepo(ctx.db);
  const service = createContactService({
    db: ctx.db,
    repo,
    directory: deps.directory,
    api: (corpId) => ctx.api(corpId),
    now: ctx.now,
  });
  const syncJob = defineJob(
    'sync_directory_and_contacts',
    Type.Object({ period: Type.String() }),
    async (job) => {
      const directory = await deps.directory.syncAll(job.corpId);
      const contacts = await service.syncAll(job.corpId);
      return { kind: 'done', result: JSON.stringify({ directory, contacts }) };
    },
    { maxAttempts: 3 },
  );
  const manifest: ModuleManifest = {
    name: 'contacts',
    jobs: [syncJob],
    cron: [{ name: 'directory-and-contacts-sync', schedule: '30 3 * * *', period: 'day', job: syncJob, atStart: true }],
  };
  return { manifest, repo, service };
}
export type ContactsModule = ReturnType<typeof createContactsModule>;
