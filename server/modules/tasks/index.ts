import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createTaskRepo } from './repo.js';
import { taskAdminRoutes, taskRoutes } from './routes.js';
import { createTaskService } from './service.js';

/**
 * Tasks for reps, created by the automations (lifecycle follow-ups, silent customers, birthdays, repeat purchases):
 * the sidebar lists the open ones, done and snoozed are recorded; managers count the overdue ones.
 */
export function createTasksModule(ctx: ModuleContext) {
  const repo = createTaskRepo(ctx.db);
  const service = createTaskService({
    db: ctx.db,
    repo,
    timeZone: ctx.config.timeZone,
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'tasks',
    routes: [
      async (app) => app.register(taskRoutes, { service }),
      async (app) => app.register(taskAdminRoutes, { service, corpId: ctx.defaultCorpId }),
    ],
    hooks: {
      // A customer who is no longer the rep's leaves no tasks behind.
      afterFollowLost: (corpId, e) => repo.cancelForFollow(ctx.db, corpId, e.userId, e.externalUserId, ctx.now()),
    },
  };
  return { manifest, repo, service };
}
export type TasksModule = ReturnType<typeof createTasksModule>;
