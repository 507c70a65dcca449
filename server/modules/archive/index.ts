import type { FastifyInstance } from 'fastify';
import { TokenCache } from '../../wecom/token-cache.js';
import { WecomClient } from '../../wecom/client.js';
import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import type { MessagesModule } from '../messages/index.js';
import { createConsent, type CheckSingleAgree } from './consent.js';
import { createMediaJob } from './media-job.js';
import { createPuller } from './puller.js';
import { createArchiveRepo } from './repo.js';
import { archiveRoutes } from './routes.js';
import { createArchiveService } from './service.js';
import { createArchiveSources, type EmulatorArchiveAccess } from './sources.js';

/**
 * The chat archive (会话内容存档): WeCom's Finance SDK in supervised child processes (server/archive/), pulled on
 * msgaudit_notify and every minute into the messages module, media fetched in the background, consent tracked.
 * With no archive configured (and outside demo mode) its jobs do nothing and no SDK process ever starts.
 */
export function createArchiveModule(
  ctx: ModuleContext,
  deps: {
    messages: Pick<MessagesModule, 'repo' | 'store' | 'mediaStore' | 'live'>;
    /** The emulator's archive in demo mode (its credentials feed the stand-in SDK). */
    emulator: () => EmulatorArchiveAccess | undefined;
  },
) {
  const { db, config } = ctx;
  const repo = createArchiveRepo(db);
  const sources = createArchiveSources({
    settings: config.archive,
    corpId: ctx.defaultCorpId,
    emulator: deps.emulator,
    internalOrigin: () => ctx.origin.internal(),
    log: ctx.log,
  });

  // The msgaudit APIs take an access token of the archive's own Secret, not the app's.
  const tokens = new TokenCache();
  const clients = new Map<string, WecomClient>();
  const checkSingleAgree: CheckSingleAgree = async (corpId, pairs) => {
    let client = clients.get(corpId);
    if (!client) {
      const archive = await sources.get(corpId);
      if (!archive) throw new Error('no chat archive is configured for this corp');
      client = new WecomClient({
        baseUrl: () => config.wecom.apiBase ?? `${ctx.origin.internal()}/emulator`,
        corpId,
        secret: archive.secret,
        tokenCache: tokens,
        log: ctx.log,
      });
      clients.set(corpId, client);
    }
    return client.post('/cgi-bin/msgaudit/check_single_agree', { info: pairs });
  };

  const consent = createConsent({
    db,
    repo,
    jobs: ctx.jobs,
    checkSingleAgree,
    configured: () => sources.configured(),
    now: ctx.now,
  });
  const mediaJob = createMediaJob({
    db,
    repo: deps.messages.repo,
    store: deps.messages.store,
    media: deps.messages.mediaStore,
    sources,
    maxBytes: config.archive.mediaMaxBytes,
    now: ctx.now,
  });
  const pullerRef: { current?: ReturnType<typeof createPuller> } = {};
  const service = createArchiveService({
    db,
    repo,
    sources,
    puller: () => pullerRef.current!,
    consent: () => consent,
    messages: deps.messages.repo,
    jobs: ctx.jobs,
    mediaJob,
    now: ctx.now,
    log: ctx.log,
  });
  const puller = (pullerRef.current = createPuller({
    db,
    repo,
    messages: deps.messages.repo,
    store: deps.messages.store,
    batchSize: config.archive.batchSize,
    followUp: (ex, corpId, stored, messages) => service.followUp(ex, corpId, stored, messages),
    now: ctx.now,
  }));

  /** While this instance streams a chat to a sidebar, the archive is pulled every `livePullMs` (config). */
  function livePulls(app: FastifyInstance): void {
    const every = config.archive.livePullMs;
    if (every === 0) return;
    let timer: NodeJS.Timeout | null = null;
    // After listen, like cron: in demo mode the SDK reads WeCom from our own emulator.
    app.addHook('onListen', async () => {
      timer = setInterval(() => {
        if (deps.messages.live.watching() === 0) return;
        service.livePull(ctx.defaultCorpId(), every).catch((err: unknown) => ctx.log.warn({ err }, 'live pull failed'));
      }, every);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      if (timer) clearInterval(timer);
    });
  }

  const manifest: ModuleManifest = {
    name: 'archive',
    routes: [
      async (app) => {
        // After the worker stopped (preClose): no job uses the SDK processes any more.
        app.addHook('onClose', async () => sources.close());
        livePulls(app);
        await app.register(archiveRoutes, { service, corpId: ctx.defaultCorpId });
      },
    ],
    jobs: [service.pullJob, service.redecryptJob, mediaJob, consent.checkJob] as never[],
    hooks: service.hooks,
    cron: [
      // Every minute, once across instances: WeCom's notify is only a hint (and at most one per 15 s).
      { name: 'archive_pull', schedule: '* * * * *', period: 'minute', job: service.pullJob },
    ],
  };
  return { manifest, repo, sources, service, puller, consent };
}
export type ArchiveModule = ReturnType<typeof createArchiveModule>;
