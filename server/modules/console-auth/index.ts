import type { ModuleContext } from '../context.js';
import type { AuditService } from '../audit/service.js';
import type { SessionService } from '../auth/session-service.js';
import type { CorpService } from '../corps/service.js';
import type { DirectoryService } from '../directory/service.js';
import type { ModuleManifest } from '../manifest.js';
import { accountsRoutes } from './accounts-routes.js';
import { createAccountsService } from './accounts-service.js';
import { createConsoleAuthRepo } from './repo.js';
import { consoleAuthRoutes } from './routes.js';
import { createConsoleAuthService } from './service.js';
import { createConsoleSessionService } from './session-service.js';
import { createSettingsService } from './settings.js';

/** WeCom's production web sign-in (扫码登录). */
const WECOM_SSO_BASE = 'https://login.work.weixin.qq.com';
const WECOM_OAUTH_BASE = 'https://open.weixin.qq.com';

/**
 * The manager console's people: local accounts and members with a role, their sessions, the scope rule, corp
 * settings. `sessions` resolves the console cookie (server/plugins/console-auth.ts); `accounts.scopeOf` is the scope
 * every console module checks.
 */
export function createConsoleAuthModule(
  ctx: ModuleContext,
  deps: {
    audit: Pick<AuditService, 'record' | 'recordRaw'>;
    oauthStates: Pick<SessionService, 'issueOAuthState' | 'consumeOAuthState'>;
    directory: Pick<DirectoryService, 'ensureReps' | 'findRep'>;
    corps: Pick<CorpService, 'find'>;
  },
) {
  const repo = createConsoleAuthRepo(ctx.db);
  const loginCorp = () => {
    const corp = deps.corps.find(ctx.defaultCorpId());
    if (!corp) throw new Error(`the configured corp ${ctx.defaultCorpId()} is not registered`);
    return { corpId: corp.corpId, agentId: corp.agentId, name: corp.name };
  };
  const settings = createSettingsService({
    db: ctx.db,
    repo,
    audit: deps.audit,
    corpName: (corpId) => deps.corps.find(corpId)?.name ?? corpId,
    timeZone: ctx.config.timeZone,
    now: ctx.now,
  });
  const sessions = createConsoleSessionService({ db: ctx.db, repo, settings, now: ctx.now });
  const accounts = createAccountsService({ db: ctx.db, repo, audit: deps.audit, now: ctx.now });
  const oauthBase = ctx.config.wecom.oauthBase;
  const service = createConsoleAuthService({
    db: ctx.db,
    repo,
    sessions,
    settings,
    audit: deps.audit,
    oauthStates: deps.oauthStates,
    directory: deps.directory,
    api: (corpId) => ctx.api(corpId),
    loginCorp,
    // Demo mode and tests: the emulator plays WeCom's sign-in pages; a WeCom stand-in set as WECOM_OAUTH_BASE
    // (scripts/emulator.ts) plays this one too.
    ssoBase: () =>
      oauthBase === null
        ? `${ctx.origin.public()}/emulator`
        : oauthBase.replace(/\/+$/, '') === WECOM_OAUTH_BASE
          ? WECOM_SSO_BASE
          : oauthBase,
    publicOrigin: () => ctx.origin.public(),
    timeZone: ctx.config.timeZone,
    demo: ctx.config.demo,
    now: ctx.now,
  });
  const secureCookies = (ctx.config.publicUrl ?? '').startsWith('https://');
  const manifest: ModuleManifest = {
    name: 'console-auth',
    routes: [
      async (app) => app.register(consoleAuthRoutes, { service, sessions, secureCookies }),
      async (app) => app.register(accountsRoutes, { accounts, settings }),
    ],
  };
  return { manifest, repo, service, sessions, accounts, settings };
}
export type ConsoleAuthModule = ReturnType<typeof createConsoleAuthModule>;
