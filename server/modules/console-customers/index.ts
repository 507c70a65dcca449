import type { AuditService } from '../audit/service.js';
import type { AccountsService } from '../console-auth/accounts-service.js';
import type { SettingsService } from '../console-auth/settings.js';
import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import type { StageService } from '../stages/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { createCustomerRepo } from '../customers/repo.js';
import { createBulkTagChunkJob, createBulkTagJob } from './bulk-tag-job.js';
import { createBulkTagService } from './bulk-tag-service.js';
import { createConsoleCustomerRepo } from './repo.js';
import { consoleCustomerRoutes } from './routes.js';
import { createConsoleCustomerService } from './service.js';

/**
 * Customers in the manager console: the scoped customer list and its CSV, a customer's card and timeline across all
 * of their reps, reading the customer's chats (`/api/console/customers*`, `/api/console/conversations/*`), and bulk
 * tagging (`/api/console/customers/bulk-tag*`, the `console_mark_tag` job).
 */
export function createConsoleCustomersModule(
  ctx: ModuleContext,
  deps: {
    accounts: AccountsService;
    settings: Pick<SettingsService, 'get'>;
    timeline: Pick<TimelineRepo, 'page' | 'repNames' | 'add'>;
    stages: Pick<StageService, 'list'>;
    audit: Pick<AuditService, 'record'>;
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
  const bulkTagJob = createBulkTagJob({
    db: ctx.db,
    repo,
    // The sidebar's tag change writes follow_tags through the customers' repo: bulk tagging mirrors WeCom the same way.
    followTags: createCustomerRepo(ctx.db),
    api: (corpId) => ctx.api(corpId),
    timeline: deps.timeline,
    now: ctx.now,
  });
  const bulkTagChunkJob = createBulkTagChunkJob({ db: ctx.db, jobs: ctx.jobs, markJob: bulkTagJob });
  const bulkTag = createBulkTagService({
    db: ctx.db,
    repo,
    customers: service,
    accounts: deps.accounts,
    jobs: ctx.jobs,
    chunkJob: bulkTagChunkJob,
    audit: deps.audit,
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'console-customers',
    routes: [async (app) => app.register(consoleCustomerRoutes, { service, bulkTag })],
    jobs: [bulkTagJob, bulkTagChunkJob],
  };
  return { manifest, repo, service, bulkTag };
}
export type ConsoleCustomersModule = ReturnType<typeof createConsoleCustomersModule>;
