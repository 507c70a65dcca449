import type { SecretBox } from '../../db/secret-box.js';
import type { ModuleContext } from '../context.js';
import { createFeedCursors } from '../feed-cursors.js';
import type { ModuleManifest } from '../manifest.js';
import { createDeliverJob } from './deliver-job.js';
import { createIntegrationRepo } from './repo.js';
import { integrationAdminRoutes, integrationInboundRoutes } from './routes.js';
import { createIntegrationService, type IntegrationHooks } from './service.js';

/**
 * Integrations: orders and birthdays pushed by other systems (a token per integration, stored hashed), and signed
 * outgoing webhooks (customer added, lost, tagged, stage changed; order) with retries and a delivery log.
 */
export function createIntegrationsModule(
  ctx: ModuleContext,
  deps: { box: SecretBox; hooks: () => IntegrationHooks; fetch?: typeof fetch },
) {
  const repo = createIntegrationRepo(ctx.db);
  const deliverJob = createDeliverJob({ db: ctx.db, repo, box: deps.box, now: ctx.now, fetch: deps.fetch });
  const service = createIntegrationService({
    db: ctx.db,
    repo,
    cursors: createFeedCursors(ctx.db),
    box: deps.box,
    jobs: ctx.jobs,
    deliverJob: () => deliverJob,
    hooks: deps.hooks,
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'integrations',
    routes: [
      async (app) => app.register(integrationAdminRoutes, { service, corpId: ctx.defaultCorpId }),
      async (app) => app.register(integrationInboundRoutes, { service }),
    ],
    jobs: [deliverJob as never],
  };
  return { manifest, repo, service };
}
export type IntegrationsModule = ReturnType<typeof createIntegrationsModule>;
