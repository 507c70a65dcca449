import type { ModuleContext } from '../context.js';
import { createDirectoryRepo } from './repo.js';
import { createDirectoryService } from './service.js';

/** WeCom's departments and members (reps), mirrored. */
export function createDirectoryModule(ctx: ModuleContext, deps: { changed?: (corpId: string) => void } = {}) {
  const repo = createDirectoryRepo(ctx.db);
  const service = createDirectoryService({ db: ctx.db, repo, api: (corpId) => ctx.api(corpId), changed: deps.changed });
  return { repo, service };
}
export type DirectoryModule = ReturnType<typeof createDirectoryModule>;
