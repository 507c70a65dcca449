import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createMediaRepo } from './repo.js';
import { createMediaService } from './service.js';

/** Images uploaded to WeCom (scripts, welcome messages) and their media ids, reused for their 3 days. */
export function createMediaModule(ctx: ModuleContext, deps: { fetch?: typeof fetch } = {}) {
  const service = createMediaService({
    db: ctx.db,
    repo: createMediaRepo(ctx.db),
    api: (corpId) => ctx.api(corpId),
    fetch: deps.fetch,
    now: ctx.now,
  });
  const manifest: ModuleManifest = { name: 'media' };
  return { manifest, service };
}
export type MediaModule = ReturnType<typeof createMediaModule>;
