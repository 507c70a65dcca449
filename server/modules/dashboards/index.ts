import type { ModuleContext } from '../context.js';
import type { AccountsService } from '../console-auth/accounts-service.js';
import type { SettingsService } from '../console-auth/settings.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { ModuleManifest } from '../manifest.js';
import type { WorkCalendarService } from '../work-calendar/service.js';
import { createDashboardJobs } from './jobs.js';
import { createMemberships } from './memberships.js';
import { createMovementRecorder } from './movements.js';
import { createDashboardQueries } from './queries.js';
import { createRollup } from './rollup.js';
import { dashboardRoutes } from './routes.js';
import { createDashboardService } from './service.js';
import { createWorkPeriods } from './work-periods.js';

/**
 * The console's dashboards: customer movements recorded as they happen (event hooks), a daily rollup per corp-day
 * (durable jobs, re-runnable), WeCom's behaviour figures, and the figures' API (scoped, with CSV exports).
 */
export function createDashboardsModule(
  ctx: ModuleContext,
  deps: {
    contacts: Pick<ContactRepo, 'findFollow'>;
    workCalendar: Pick<WorkCalendarService, 'calendar'>;
    accounts: AccountsService;
    settings: Pick<SettingsService, 'get'>;
  },
) {
  const movements = createMovementRecorder({ db: ctx.db, contacts: deps.contacts });
  const workPeriods = createWorkPeriods({ db: ctx.db, calendar: deps.workCalendar, now: ctx.now });
  const memberships = createMemberships({ db: ctx.db, now: ctx.now });
  const rollup = createRollup({
    db: ctx.db,
    movements,
    workPeriods,
    memberships,
    timeZone: ctx.config.timeZone,
    now: ctx.now,
    liveMaxAgeMs: ctx.config.dashboardLiveMs,
  });
  const queries = createDashboardQueries(ctx.db);
  const service = createDashboardService({
    db: ctx.db,
    queries,
    rollup,
    memberships,
    accounts: deps.accounts,
    settings: deps.settings,
    timeZone: ctx.config.timeZone,
    now: ctx.now,
  });
  const jobs = createDashboardJobs({
    db: ctx.db,
    jobs: ctx.jobs,
    rollup,
    api: (corpId) => ctx.api(corpId),
    timeZone: ctx.config.timeZone,
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'dashboards',
    routes: [async (app) => app.register(dashboardRoutes, { service })],
    jobs: [jobs.rollupJob, jobs.nightlyJob, jobs.behaviorJob, jobs.behaviorNightlyJob] as ModuleManifest['jobs'],
    hooks: movements.hooks,
    cron: jobs.cron,
  };
  return { manifest, movements, workPeriods, memberships, rollup, queries, service, jobs };
}
export type DashboardsModule = ReturnType<typeof createDashboardsModule>;
