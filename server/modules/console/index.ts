import type { ModuleContext } from '../context.js';
import { createAuditModule } from '../audit/index.js';
import type { SessionService } from '../auth/session-service.js';
import { createConsoleAuthModule } from '../console-auth/index.js';
import type { CorpService } from '../corps/service.js';
import type { DirectoryService } from '../directory/service.js';

/**
 * The manager console's modules, built together (one line in the composition root): the audit log, console
 * accounts and sessions. Each part has its manifest; `parts` lists them in registration order.
 */
export function createConsoleModules(
  ctx: ModuleContext,
  deps: {
    oauthStates: Pick<SessionService, 'issueOAuthState' | 'consumeOAuthState'>;
    directory: Pick<DirectoryService, 'ensureReps' | 'findRep'>;
    corps: Pick<CorpService, 'find'>;
  },
) {
  const audit = createAuditModule(ctx);
  const consoleAuth = createConsoleAuthModule(ctx, {
    audit: audit.service,
    oauthStates: deps.oauthStates,
    directory: deps.directory,
    corps: deps.corps,
  });
  return { audit, consoleAuth, parts: [audit, consoleAuth] };
}
export type ConsoleModules = ReturnType<typeof createConsoleModules>;
