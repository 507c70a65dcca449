import { Type } from 'typebox';
import type { ModuleContext } from '../context.js';
import type { ContactRepo } from '../contacts/repo.js';
import { createFollowerCheck } from '../customers/follower.js';
import { createFeedCursors } from '../feed-cursors.js';
import type { IntegrationService } from '../integrations/service.js';
import { defineJob } from '../jobs/define.js';
import type { ModuleManifest } from '../manifest.js';
import type { NotifyService } from '../notify/service.js';
import type { TagService } from '../tags/service.js';
import type { TaskRepo } from '../tasks/repo.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { WorkCalendarService } from '../work-calendar/service.js';
import { createAutomationRepo } from './repo.js';
import { automationRoutes, birthdayRoutes } from './routes.js';
import { createAutomationService } from './service.js';
import { createTagJob } from './tag-job.js';

/** Feed reads between two minute ticks, so off-hours suggestions, keyword alerts and webhooks go out within 15 s. */
const FEED_OFFSETS_MS = [15_000, 30_000, 45_000];
/** Run logs older than this go, nightly. */
const RUN_LOG_DAYS = 90;

/**
 * Automations: the rules (admin API), their minute tick (cron, once per minute across instances), the loss alert
 * (an event hook), repeat purchases and birthdays from integrations, and birthdays set in the sidebar.
 */
export function createAutomationsModule(
  ctx: ModuleContext,
  deps: {
    notify: NotifyService;
    tasks: Pick<TaskRepo, 'add'>;
    workCalendar: Pick<WorkCalendarService, 'calendar'>;
    integrations: () => Pick<IntegrationService, 'pollTimeline'>;
    contacts: Pick<ContactRepo, 'findFollow' | 'findContact'>;
    tags: Pick<TagService, 'findTags' | 'recordFollowTags'>;
    timeline: Pick<TimelineRepo, 'add'>;
  },
) {
  const repo = createAutomationRepo(ctx.db);
  const origin = () => ctx.origin.public().replace(/\/+$/, '');
  const tagJob = createTagJob({
    db: ctx.db,
    repo,
    tags: deps.tags,
    api: (corpId) => ctx.api(corpId),
    timeline: deps.timeline,
    now: ctx.now,
  });
  const service = createAutomationService({
    db: ctx.db,
    repo,
    cursors: createFeedCursors(ctx.db),
    notify: deps.notify,
    tasks: deps.tasks,
    calendar: (corpId) => deps.workCalendar.calendar(corpId),
    links: {
      sidebar: (id) => `${origin()}/sidebar/?customer=${encodeURIComponent(id)}`,
      console: (id) => (id ? `${origin()}/console/customers/${encodeURIComponent(id)}` : `${origin()}/console/`),
    },
    timeZone: ctx.config.timeZone,
    now: ctx.now,
    log: ctx.log,
    integrations: deps.integrations,
    jobs: ctx.jobs,
    tagJob: () => tagJob,
    requireFollower: createFollowerCheck(ctx.db, deps.contacts),
  });

  const feedJob = defineJob(
    'automation_feed',
    Type.Object({ period: Type.String(), slot: Type.Integer() }),
    async (job) => {
      await service.tick(job.corpId, false);
      return { kind: 'done' };
    },
    { maxAttempts: 1 },
  );
  const tickJob = defineJob(
    'automation_tick',
    Type.Object({ period: Type.String() }),
    async (job, { period }) => {
      await service.tick(job.corpId, true);
      const now = ctx.now();
      for (const [slot, offset] of FEED_OFFSETS_MS.entries()) {
        await ctx.jobs.enqueue(
          ctx.db,
          feedJob,
          { period, slot },
          {
            corpId: job.corpId,
            dedupeKey: `${period}:${slot}`,
            runAt: now + offset,
            // A feed read that could not run in its 15 s is pointless: the next tick reads the feeds anyway.
            deadlineAt: now + offset + 60_000,
          },
        );
      }
      return { kind: 'done' };
    },
    // A tick that failed is not retried: the next minute's tick does the same work.
    { maxAttempts: 1 },
  );
  const pruneJob = defineJob(
    'automation_prune',
    Type.Object({ period: Type.String() }),
    async () => ({
      kind: 'done',
      result: `deleted ${await service.prune(ctx.now() - RUN_LOG_DAYS * 86_400_000)} runs`,
    }),
    { maxAttempts: 3 },
  );

  const manifest: ModuleManifest = {
    name: 'automations',
    routes: [
      async (app) => app.register(automationRoutes, { service, corpId: ctx.defaultCorpId }),
      async (app) => app.register(birthdayRoutes, { service }),
    ],
    jobs: [tickJob, feedJob, pruneJob, tagJob] as never[],
    hooks: { afterFollowLost: (corpId, e, eventId) => service.afterFollowLost(corpId, e, eventId) },
    cron: [
      // Every minute; at start too, so what was missed while the server was down (a digest at 09:00) runs now.
      { name: 'automations-tick', schedule: '* * * * *', period: 'minute', job: tickJob, atStart: true },
      { name: 'automations-prune', schedule: '50 3 * * *', period: 'day', job: pruneJob },
    ],
  };
  return { manifest, repo, service, tickJob };
}
export type AutomationsModule = ReturnType<typeof createAutomationsModule>;
