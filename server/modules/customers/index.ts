import type { ModuleContext } from '../context.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { ModuleManifest } from '../manifest.js';
import type { StageService } from '../stages/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { createCustomerRepo } from './repo.js';
import { customerRoutes } from './routes.js';
import { createCustomerService } from './service.js';

/** The rep's customers and the sidebar's customer card: remark, tags and stage, each change on the timeline. */
export function createCustomersModule(
  ctx: ModuleContext,
  deps: {
    contacts: Pick<ContactRepo, 'findFollow' | 'findContact'>;
    stages: Pick<StageService, 'resolve' | 'require'>;
    timeline: Pick<TimelineRepo, 'add'>;
  },
) {
  const service = createCustomerService({
    db: ctx.db,
    repo: createCustomerRepo(ctx.db),
    contacts: deps.contacts,
    stages: deps.stages,
    timeline: deps.timeline,
    api: (corpId) => ctx.api(corpId),
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'customers',
    routes: [async (app) => app.register(customerRoutes, { service })],
  };
  return { manifest, service };
}
export type CustomersModule = ReturnType<typeof createCustomersModule>;
