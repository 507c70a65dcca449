import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createWorkCalendarRepo } from './repo.js';
import { workCalendarRoutes } from './routes.js';
import { createWorkCalendarService } from './service.js';

/** The corp's working hours and holidays, for reply-time figures, nudges and digests (calendar.ts computes). */
export function createWorkCalendarModule(ctx: ModuleContext) {
  const service = createWorkCalendarService({
    db: ctx.db,
    repo: createWorkCalendarRepo(ctx.db),
    timeZone: ctx.config.timeZone,
  });
  const manifest: ModuleManifest = {
    name: 'work-calendar',
    routes: [async (app) => app.register(workCalendarRoutes, { service, corpId: ctx.defaultCorpId })],
  };
  return { manifest, service };
}
export type WorkCalendarModule = ReturnType<typeof createWorkCalendarModule>;
