import { Type } from 'typebox';
import type { ModuleContext } from '../context.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { DirectoryService } from '../directory/service.js';
import type { EventRepo } from '../events/repo.js';
import { defineJob } from '../jobs/define.js';
import type { ModuleManifest } from '../manifest.js';
import type { MarkTagJob } from '../tags/mark-tag-job.js';
import type { TagService } from '../tags/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import type { SendWelcomeJob } from '../welcome/send-job.js';
import type { WelcomeService } from '../welcome/service.js';
import { createChannelCodeLane } from './code-lane.js';
import { createChannelIntake } from './intake.js';
import { createChannelRepo } from './repo.js';
import { channelRoutes } from './routes.js';
import { createChannelService } from './service.js';

/**
 * Channel codes (渠道活码): the admin API, the intake of every add (an event hook: channel, daily cap, tagging and
 * welcome jobs), the lane that serialises writes to each code in WeCom, and the nightly restore of capped reps.
 * `repo.recordMovement` is what the alerts module counts a channel's losses with.
 */
export function createChannelsModule(
  ctx: ModuleContext,
  deps: {
    tags: Pick<TagService, 'unknownTagIds' | 'findTags'>;
    markTagJob: MarkTagJob;
    welcome: Pick<WelcomeService, 'normalize' | 'forChannel' | 'saveForChannel'>;
    sendWelcomeJob: SendWelcomeJob;
    reps: Pick<DirectoryService, 'findRep'>;
    events: Pick<EventRepo, 'get'>;
    follows: Pick<ContactRepo, 'findFollow'>;
    timeline: Pick<TimelineRepo, 'add'>;
  },
) {
  const { db } = ctx;
  const api = (corpId: string) => ctx.api(corpId);
  const timeZone = ctx.config.timeZone;
  const repo = createChannelRepo(db);
  const lane = createChannelCodeLane({ db, repo, jobs: ctx.jobs, welcome: deps.welcome, api, timeZone, now: ctx.now });
  const service = createChannelService({
    db,
    repo,
    lane,
    welcome: deps.welcome,
    tags: deps.tags,
    reps: deps.reps,
    api,
    timeZone,
    now: ctx.now,
  });
  const intake = createChannelIntake({
    events: deps.events,
    channels: service,
    repo,
    follows: deps.follows,
    timeline: deps.timeline,
    jobs: ctx.jobs,
    markTagJob: deps.markTagJob,
    sendWelcomeJob: deps.sendWelcomeJob,
    now: ctx.now,
  });
  // Reps taken off a code for reaching yesterday's daily cap go back on (also at start: an instance that was down
  // at 00:05 must not leave them off all day; keyed per day, so it runs once).
  const restoreJob = defineJob(
    'restore_capped_reps',
    Type.Object({ period: Type.String() }),
    async (job) => ({ kind: 'done', result: JSON.stringify(await service.restoreCappedReps(job.corpId)) }),
    { maxAttempts: 3 },
  );
  const manifest: ModuleManifest = {
    name: 'channels',
    routes: [async (app) => app.register(channelRoutes, { service, corpId: ctx.defaultCorpId })],
    jobs: [...lane.jobs, restoreJob],
    hooks: { afterContactAdded: intake.afterContactAdded },
    cron: [{ name: 'restore-capped-reps', schedule: '5 0 * * *', period: 'day', job: restoreJob, atStart: true }],
  };
  return { manifest, repo, service, intake };
}
export type ChannelsModule = ReturnType<typeof createChannelsModule>;
