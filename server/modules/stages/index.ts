import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createStageRepo } from './repo.js';
import { stageRoutes } from './routes.js';
import { createStageService } from './service.js';

/** Sales stages (销售阶段) of a corp: read by reps and the console, replaced by the admin. */
export function createStagesModule(ctx: ModuleContext) {
  const service = createStageService({ db: ctx.db, repo: createStageRepo(ctx.db) });
  const manifest: ModuleManifest = {
    name: 'stages',
    routes: [async (app) => app.register(stageRoutes, { service, adminCorpId: ctx.defaultCorpId })],
  };
  return { manifest, service };
}
export type StagesModule = ReturnType<typeof createStagesModule>;
