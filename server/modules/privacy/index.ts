import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import type { MediaStore } from '../messages/media-store.js';
import type { SuggestService } from '../suggest/service.js';
import { createPrivacyRepo } from './repo.js';
import { privacyRoutes } from './routes.js';
import { createPrivacyService } from './service.js';

/** PIPL: export everything about a customer, erase it with an audit record, expire old messages (daily). */
export function createPrivacyModule(
  ctx: ModuleContext,
  deps: { media: MediaStore; suggest: Pick<SuggestService, 'forgetCustomer'> },
) {
  const repo = createPrivacyRepo(ctx.db);
  const service = createPrivacyService({
    db: ctx.db,
    repo,
    media: deps.media,
    suggest: deps.suggest,
    retentionDays: ctx.config.archive.retentionDays,
    now: ctx.now,
    log: ctx.log,
  });
  const manifest: ModuleManifest = {
    name: 'privacy',
    routes: [async (app) => app.register(privacyRoutes, { service, corpId: ctx.defaultCorpId })],
    jobs: [service.retentionJob as never],
    cron: [{ name: 'messages_retention', schedule: '30 3 * * *', period: 'day', job: service.retentionJob }],
  };
  return { manifest, repo, service };
}
export type PrivacyModule = ReturnType<typeof createPrivacyModule>;
