import type { ModuleContext } from '../context.js';
import type { ContactRepo } from '../contacts/repo.js';
import { createFollowerCheck } from '../customers/follower.js';
import type { ModuleManifest } from '../manifest.js';
import { createTimelineRepo } from './repo.js';
import { timelineRoutes } from './routes.js';
import { createTimelineService } from './service.js';

/**
 * The customer's history (timeline) and the rep's follow-up notes. `repo` is what every other domain records on the
 * timeline with (`repo.add(tx, …)`, in its own transaction); so this module depends on no module that records, and
 * checks the rep's access with the customers domain's rule built on the contacts repo.
 */
export function createTimelineModule(
  ctx: ModuleContext,
  deps: { contacts: Pick<ContactRepo, 'findFollow' | 'findContact'> },
) {
  const repo = createTimelineRepo(ctx.db);
  const service = createTimelineService({
    db: ctx.db,
    repo,
    requireFollower: createFollowerCheck(ctx.db, deps.contacts),
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'timeline',
    routes: [async (app) => app.register(timelineRoutes, { service })],
  };
  return { manifest, repo, service };
}
export type TimelineModule = ReturnType<typeof createTimelineModule>;
