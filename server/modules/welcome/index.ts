import type { ModuleContext } from '../context.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { DirectoryService } from '../directory/service.js';
import type { ModuleManifest } from '../manifest.js';
import type { MediaService } from '../media/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { createWelcomeRepo } from './repo.js';
import { welcomeRoutes } from './routes.js';
import { createSendWelcomeJob } from './send-job.js';
import { createWelcomeService } from './service.js';

/**
 * Welcome messages (欢迎语): per channel code and a corp default, with time-slot variants, and the `send_welcome`
 * job that sends one within WeCom's 20-second window. The channels module enqueues that job for each add.
 */
export function createWelcomeModule(
  ctx: ModuleContext,
  deps: {
    reps: Pick<DirectoryService, 'findRep'>;
    contacts: Pick<ContactRepo, 'findContact'>;
    media: Pick<MediaService, 'imageMediaId'>;
    timeline: Pick<TimelineRepo, 'add'>;
    /**
     * The reps of a live channel, primary first, or null (the preview's default rep). The channels module depends on
     * this one, so pass a function that reaches it once built: `(c, id) => channels.service.repsOf(c, id)`.
     */
    channelReps: (corpId: string, channelId: number) => Promise<string[] | null>;
  },
) {
  const { db } = ctx;
  const repo = createWelcomeRepo(db);
  const service = createWelcomeService({
    db,
    repo,
    reps: deps.reps,
    channelReps: deps.channelReps,
    timeZone: ctx.config.timeZone,
    now: ctx.now,
  });
  const sendWelcomeJob = createSendWelcomeJob({
    db,
    welcome: service,
    media: deps.media,
    api: (corpId) => ctx.api(corpId),
    timeline: deps.timeline,
    names: {
      customer: async (corpId, externalUserId) =>
        (await deps.contacts.findContact(db, corpId, externalUserId))?.name ?? '',
      rep: async (corpId, userId) => (await deps.reps.findRep(corpId, userId))?.name ?? '',
    },
    internalOrigin: () => ctx.origin.internal(),
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'welcome',
    routes: [async (app) => app.register(welcomeRoutes, { service, corpId: ctx.defaultCorpId })],
    jobs: [sendWelcomeJob],
  };
  return { manifest, repo, service, sendWelcomeJob };
}
export type WelcomeModule = ReturnType<typeof createWelcomeModule>;
