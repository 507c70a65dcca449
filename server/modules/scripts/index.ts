import type { ModuleContext } from '../context.js';
import type { CustomerService } from '../customers/service.js';
import type { ModuleManifest } from '../manifest.js';
import type { MediaService } from '../media/service.js';
import type { MessageService } from '../messages/service.js';
import type { SuggestService } from '../suggest/service.js';
import type { TimelineRepo } from '../timeline/repo.js';
import { createScriptRepo } from './repo.js';
import { scriptRoutes } from './routes.js';
import { createScriptService } from './service.js';

/** The script library (话术库): reps search, favour and send scripts; the admin maintains them. */
export function createScriptsModule(
  ctx: ModuleContext,
  deps: {
    customers: Pick<CustomerService, 'requireFollower'>;
    timeline: Pick<TimelineRepo, 'add'>;
    media: Pick<MediaService, 'imageMediaId'>;
    /** The suggestions (learning from changes and sends, ranked search). */
    suggest?: Pick<SuggestService, 'hooks' | 'rankScripts'>;
    /** The chat history (sends recorded as messages). */
    messages?: Pick<MessageService, 'recordSend'>;
    /** Names for the placeholders of a sent script ({客户昵称}, {员工姓名}). */
    names?: {
      customer(corpId: string, externalUserId: string): Promise<string>;
      rep(corpId: string, userId: string): Promise<string>;
    };
  },
) {
  const service = createScriptService({
    db: ctx.db,
    repo: createScriptRepo(ctx.db),
    customers: deps.customers,
    timeline: deps.timeline,
    media: deps.media,
    origin: ctx.origin,
    now: ctx.now,
    suggest: deps.suggest,
    messages: deps.messages,
    names: deps.names,
  });
  const manifest: ModuleManifest = {
    name: 'scripts',
    routes: [async (app) => app.register(scriptRoutes, { service, adminCorpId: ctx.defaultCorpId })],
  };
  return { manifest, service };
}
export type ScriptsModule = ReturnType<typeof createScriptsModule>;
