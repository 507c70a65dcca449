import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createContactRepo } from '../modules/contacts/repo.js';
import { createContactService } from '../modules/contacts/service.js';
import { createDirectoryRepo } from '../modules/directory/repo.js';
import { createDirectoryService } from '../modules/directory/service.js';
import { createEventRepo } from '../modules/events/repo.js';
import { createEventService } from '../modules/events/service.js';
import { createJobRepo } from '../modules/jobs/repo.js';
import { createTimelineRepo } from '../modules/timeline/repo.js';
import { createJobService } from '../modules/jobs/service.js';
import { createAuthService } from '../modules/auth/service.js';
import { createSessionRepo } from '../modules/auth/session-repo.js';
import { createSessionService } from '../modules/auth/session-service.js';
import { createCustomerRepo } from '../modules/customers/repo.js';
import { createCustomerService } from '../modules/customers/service.js';
import { createJsapiService } from '../modules/jsapi/service.js';
import { createMediaRepo } from '../modules/media/repo.js';
import { createMediaService } from '../modules/media/service.js';
import { createScriptRepo } from '../modules/scripts/repo.js';
import { createScriptService } from '../modules/scripts/service.js';
import { createStageRepo } from '../modules/stages/repo.js';
import { createStageService } from '../modules/stages/service.js';
import { createTimelineService } from '../modules/timeline/service.js';
import { createAlertRepo } from '../modules/alerts/repo.js';
import { createAlertService } from '../modules/alerts/service.js';
import { createRetentionService } from '../modules/retention/service.js';
import { createChannelIntake } from '../modules/channels/intake.js';
import { createChannelRepo } from '../modules/channels/repo.js';
import { createChannelService, SYNC_CHANNEL_REPS_JOB } from '../modules/channels/service.js';
import { createMarkTagJob } from '../modules/tags/mark-tag-job.js';
import { createTagRepo } from '../modules/tags/repo.js';
import { createTagService } from '../modules/tags/service.js';
import { createWelcomeRepo } from '../modules/welcome/repo.js';
import { createSendWelcomeJob } from '../modules/welcome/send-job.js';
import { createWelcomeService } from '../modules/welcome/service.js';

/** Every repo and service, wired once; routes and the worker receive what they need from here. */
function wire(app: FastifyInstance, now: () => number) {
  const api = (corpId: string) => app.wecom.api(corpId);
  const eventRepo = createEventRepo(app.db);
  const jobRepo = createJobRepo(app.db);
  const timeline = createTimelineRepo(app.db);
  const jobs = createJobService({ repo: jobRepo, now });
  const directory = createDirectoryService({ repo: createDirectoryRepo(app.db), api });
  const contactRepo = createContactRepo(app.db);
  const contacts = createContactService({ db: app.db, repo: contactRepo, directory, api, now });

  // The rep sidebar: sessions, the customer card and timeline, the script library.
  const sessions = createSessionService({ repo: createSessionRepo(app.db), now });
  const auth = createAuthService({
    sessions,
    directory,
    api,
    loginCorp: () => app.defaultCorp,
    corp: (corpId) => {
      const corp = app.corps.find(corpId);
      return corp && { corpId: corp.corpId, agentId: corp.agentId };
    },
    // Demo mode and tests: the emulator plays open.weixin.qq.com too.
    oauthBase: () => app.config.wecom.oauthBase ?? `${app.origin.public()}/emulator`,
    publicOrigin: () => app.origin.public(),
    demo: app.config.demo,
  });
  const jsapi = createJsapiService({ signer: (corpId) => app.wecom.jsapi(corpId) });
  const stages = createStageService({ repo: createStageRepo(app.db) });
  const customerRepo = createCustomerRepo(app.db);
  const customers = createCustomerService({
    repo: customerRepo,
    contacts: contactRepo,
    stages,
    timeline,
    api,
    now,
  });
  const customerTimeline = createTimelineService({ repo: timeline, customers, repNames: customerRepo.repNames, now });
  const media = createMediaService({ repo: createMediaRepo(app.db), api, now });

  // Channel codes, the tag library and welcome messages; what an add or a loss triggers.
  const tags = createTagService({ db: app.db, repo: createTagRepo(app.db), api });
  const channelRepo = createChannelRepo(app.db);
  const welcome = createWelcomeService({
    db: app.db,
    repo: createWelcomeRepo(app.db),
    reps: directory,
    channelReps: (corpId, channelId) =>
      channelRepo.find(corpId, channelId) ? channelRepo.reps(channelId).map((r) => r.userId) : null,
    timeZone: app.config.timeZone,
    now,
  });
  const channels = createChannelService({
    db: app.db,
    repo: channelRepo,
    welcome,
    tags,
    reps: directory,
    jobs,
    api,
    timeZone: app.config.timeZone,
    now,
  });
  const intake = createChannelIntake({
    db: app.db,
    events: eventRepo,
    channels,
    repo: channelRepo,
    follows: {
      addedAt: (corpId, userId, externalUserId) => contactRepo.findFollow(corpId, userId, externalUserId)?.addedAt,
    },
    timeline,
    jobs,
    now,
  });
  const alerts = createAlertService({
    db: app.db,
    repo: createAlertRepo(app.db),
    timeline,
    contacts: contactRepo,
    channels: channelRepo,
  });
  const markTag = createMarkTagJob({ db: app.db, tags, api, timeline, now });
  jobs.register(markTag.kind, markTag.handler);
  const sendWelcome = createSendWelcomeJob({
    welcome,
    media,
    api,
    timeline,
    names: {
      customer: (corpId, externalUserId) => contactRepo.findContact(corpId, externalUserId)?.name ?? '',
      rep: (corpId, userId) => directory.findRep(corpId, userId)?.name ?? '',
    },
    internalOrigin: () => app.origin.internal(),
    now,
  });
  jobs.register(sendWelcome.kind, sendWelcome.handler, { onDeadlinePassed: sendWelcome.onDeadlinePassed });
  jobs.register(SYNC_CHANNEL_REPS_JOB, async (job, payload) => ({
    kind: 'done',
    result: await channels.pushReps(job.corpId, (payload as { channelId: number }).channelId),
  }));
  const events = createEventService({
    contacts,
    hooks: {
      afterContactAdded: intake.afterContactAdded,
      afterFollowLost: alerts.afterFollowLost,
      afterTagChanged: (corpId, event) => tags.applyEvent(corpId, event),
    },
  });
  const scripts = createScriptService({
    repo: createScriptRepo(app.db),
    customers,
    timeline,
    media,
    origin: app.origin,
    now,
  });

  const retention = createRetentionService({
    events: eventRepo,
    jobs: jobRepo,
    retentionDays: app.config.retentionDays,
    now,
  });

  return {
    eventRepo,
    jobRepo,
    retention,
    jobs,
    timeline,
    directory,
    contacts,
    events,
    sessions,
    auth,
    jsapi,
    stages,
    customers,
    customerTimeline,
    media,
    scripts,
    tags,
    welcome,
    channels,
    alerts,
  };
}

export type Services = ReturnType<typeof wire>;

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export default fp(
  async (app, opts: { now: () => number }) => {
    app.decorate('services', wire(app, opts.now));
  },
  { name: 'services', dependencies: ['db', 'wecom'] },
);
