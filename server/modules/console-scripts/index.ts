import type { AuditService } from '../audit/service.js';
import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createScriptRepo } from '../scripts/repo.js';
import type { ScriptHooks } from '../suggest/service.js';
import { createConsoleScriptRepo } from './repo.js';
import { consoleScriptRoutes } from './routes.js';
import { createConsoleScriptService } from './service.js';

/** The console's script library CSV: import (preview, then confirm in one transaction) and export. */
export function createConsoleScriptsModule(
  ctx: ModuleContext,
  deps: {
    audit: Pick<AuditService, 'record'>;
    /** The suggestions, told of each imported script as the admin API tells them. */
    suggest?: { hooks: Pick<ScriptHooks, 'changed'> };
  },
) {
  const service = createConsoleScriptService({
    db: ctx.db,
    repo: createConsoleScriptRepo(ctx.db),
    scripts: createScriptRepo(ctx.db),
    audit: deps.audit,
    hooks: deps.suggest?.hooks,
    now: ctx.now,
  });
  const manifest: ModuleManifest = {
    name: 'console-scripts',
    routes: [async (app) => app.register(consoleScriptRoutes, { service })],
  };
  return { manifest, service };
}
export type ConsoleScriptsModule = ReturnType<typeof createConsoleScriptsModule>;
