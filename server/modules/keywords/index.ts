import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createKeywordRepo } from './repo.js';
import { keywordRoutes } from './routes.js';
import { createKeywordService } from './service.js';

/**
 * Keyword alerts (敏感词): rules the admin keeps, matched at ingest inside the transaction that stores each message
 * (the messages module calls `matchAndRecord`), an alert per rule and message. Delivering alerts to people (group
 * robot, app message) is another module's work: it reads `keyword_alerts` and sets `delivered_at`.
 */
export function createKeywordsModule(ctx: ModuleContext) {
  const repo = createKeywordRepo(ctx.db);
  const service = createKeywordService({ db: ctx.db, repo, now: ctx.now });
  const manifest: ModuleManifest = {
    name: 'keywords',
    routes: [async (app) => app.register(keywordRoutes, { service, corpId: ctx.defaultCorpId })],
  };
  return { manifest, repo, service };
}
export type KeywordsModule = ReturnType<typeof createKeywordsModule>;
