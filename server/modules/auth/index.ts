import type { ModuleContext } from '../context.js';
import type { CorpService } from '../corps/service.js';
import type { DirectoryService } from '../directory/service.js';
import type { ModuleManifest } from '../manifest.js';
import { authRoutes } from './routes.js';
import { createAuthService, type CorpInfo } from './service.js';
import { createSessionRepo } from './session-repo.js';
import { createSessionService } from './session-service.js';

/**
 * Reps' sign-in through WeCom OAuth and their server-side sessions. `sessions` is what the session plugin resolves
 * the cookie with.
 */
export function createAuthModule(
  ctx: ModuleContext,
  deps: {
    directory: Pick<DirectoryService, 'ensureReps' | 'findRep'>;
    corps: Pick<CorpService, 'find'>;
  },
) {
  const sessions = createSessionService({ db: ctx.db, repo: createSessionRepo(ctx.db), now: ctx.now });
  const corpInfo = (corpId: string): CorpInfo | undefined => {
    const corp = deps.corps.find(corpId);
    return corp && { corpId: corp.corpId, agentId: corp.agentId };
  };
  const service = createAuthService({
    sessions,
    directory: deps.directory,
    api: (corpId) => ctx.api(corpId),
    loginCorp: () => {
      const corp = corpInfo(ctx.defaultCorpId());
      if (!corp) throw new Error(`the configured corp ${ctx.defaultCorpId()} is not registered`);
      return corp;
    },
    corp: corpInfo,
    // Demo mode and tests: the emulator plays open.weixin.qq.com too.
    oauthBase: () => ctx.config.wecom.oauthBase ?? `${ctx.origin.public()}/emulator`,
    publicOrigin: () => ctx.origin.public(),
    demo: ctx.config.demo,
  });
  const secureCookies = (ctx.config.publicUrl ?? '').startsWith('https://');
  const manifest: ModuleManifest = {
    name: 'auth',
    routes: [async (app) => app.register(authRoutes, { service, sessions, secureCookies })],
  };
  return { manifest, service, sessions };
}
export type AuthModule = ReturnType<typeof createAuthModule>;
