import type { ModuleContext } from '../context.js';
import { createAuditModule } from '../audit/index.js';
import type { SessionService } from '../auth/session-service.js';
import { createConsoleAuthModule } from '../console-auth/index.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { CorpService } from '../corps/service.js';
import { createDashboardsModule } from '../dashboards/index.js';
import type { DirectoryService } from '../directory/service.js';
import type { WorkCalendarService } from '../work-calendar/service.js';

/**
 * The manager console's modules, built together (one line in the composition root): the audit log, console
 * accounts and sessions, the dashboards. Each part has its manifest; `parts` lists them in registration order.
 */
export function createConsoleModules(
  ctx: ModuleContext,
  deps: {
    oauthStates: Pick<SessionService, 'issueOAuthState' | 'consumeOAuthState'>;
    directory: Pick<DirectoryService, 'ensureReps' | 'findRep'>;
    corps: Pick<CorpService, 'find'>;
    contacts: Pick<ContactRepo, 'findFollow'>;
    workCalendar: Pick<WorkCalendarService, 'calendar'>;
  },
) {
  const audit = createAuditModule(ctx);
  const consoleAuth = createConsoleAuthModule(ctx, {
    audit: audit.service,
    oauthStates: deps.oauthStates,
    directory: deps.directory,
    corps: deps.corps,
  });
  const dashboards = createDashboardsModule(ctx, {
    contacts: deps.contacts,
    workCalendar: deps.workCalendar,
    accounts: consoleAuth.accounts,
    settings: consoleAuth.settings,
  });
  return { audit, consoleAuth, dashboards, parts: [audit, consoleAuth, dashboards] };
}
export type ConsoleModules = ReturnType<typeof createConsoleModules>;
