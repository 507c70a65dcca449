import type { AccountsService } from '../console-auth/accounts-service.js';
import type { SettingsService } from '../console-auth/settings.js';
import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import type { StageService } from '../stages/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { createConsoleCustomerRepo } from './repo.js';
import { consoleCustomerRoutes } from './routes.js';
import { createConsoleCustomerService } from './service.js';

/**
 * Customers in the manager console: the scoped customer list and its CSV, a customer's card and timeline across all
 * of their reps, and reading the customer's chats (`/api/console/customers*`, `/api/console/conversations/*`).
 */
export function createConsoleCustomersModule(
  ctx: ModuleContext,
  deps: {
    accounts: AccountsService;
    settings: Pick<SettingsService, 'get'>;
    timeline: Pick<TimelineRepo, 'page' | 'repNames'>;
    stages: Pick<StageService, 'list'>;
  },
) {
  const repo = createConsoleCustomerRepo(ctx.db);
  const service = createConsoleCustomerService({
    db: ctx.db,
    repo,
    timeline: deps.timeline,
    accounts: deps.accounts,
    settings: deps.settings,
    stages: deps.stages,
    timeZone: ctx.config.timeZone,
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'console-customers',
    routes: [async (app) => app.register(consoleCustomerRoutes, { service })],
  };
  return { manifest, repo, service };
}
export type ConsoleCustomersModule = ReturnType<typeof createConsoleCustomersModule>;
