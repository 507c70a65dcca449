import type { ContactRepo } from '../contacts/repo.js';
import type { ModuleContext } from '../context.js';
import { createFollowerCheck } from '../customers/follower.js';
import type { KeywordService } from '../keywords/service.js';
import type { ModuleManifest } from '../manifest.js';
import { messageAdminRoutes } from './admin-routes.js';
import { createLiveHub } from './live.js';
import { createFolderMediaStore, mediaRoot } from './media-store.js';
import { createMessageRepo } from './repo.js';
import { messageRoutes } from './routes.js';
import { createMessageSearch } from './search.js';
import { createMessageService } from './service.js';
import { createMessageStore } from './store.js';
import { createTimelineWriter } from './timeline-items.js';
import { createMessageView } from './view.js';

/** How often an instance with open chat streams reads the versions of their conversations (live.ts). */
const LIVE_POLL_MS = 500;

/**
 * Chat messages: storing them (from the archive module, or sends recorded from the sidebar), the rep's history with a
 * customer and its live stream, media downloads, and the managers' search and export. The media store lives here:
 * the archive module writes to it, this module serves it, the privacy module deletes from it.
 */
export function createMessagesModule(
  ctx: ModuleContext,
  deps: {
    contacts: Pick<ContactRepo, 'findFollow' | 'findContact'>;
    keywords: Pick<KeywordService, 'matchAndRecord'>;
    /** Told in the storing transaction of every batch's new messages (see store.ts). */
    onStored?: Parameters<typeof createMessageStore>[0]['onStored'];
  },
) {
  const { db } = ctx;
  const repo = createMessageRepo(db);
  const live = createLiveHub({ db, repo, pollMs: LIVE_POLL_MS, log: ctx.log });
  const mediaStore = createFolderMediaStore({
    root: mediaRoot(ctx.config.dataDir),
    maxBytes: ctx.config.archive.mediaMaxBytes,
  });
  const store = createMessageStore({
    db,
    repo,
    timeline: createTimelineWriter(db),
    keywords: deps.keywords,
    publish: (id, version) => live.publish(id, version),
    now: ctx.now,
    onStored: deps.onStored,
  });
  const search = createMessageSearch(db);
  const service = createMessageService({
    db,
    repo,
    store,
    search,
    view: createMessageView(repo),
    media: mediaStore,
    requireFollower: createFollowerCheck(db, deps.contacts),
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'messages',
    routes: [
      async (app) => {
        app.addHook('onClose', async () => live.close());
        await app.register(messageRoutes, { service, live, adminCorpId: ctx.defaultCorpId });
        await app.register(messageAdminRoutes, { service, corpId: ctx.defaultCorpId });
      },
    ],
  };
  return { manifest, repo, store, search, service, live, mediaStore };
}
export type MessagesModule = ReturnType<typeof createMessagesModule>;
