import type { ModuleContext } from '../context.js';
import type { ModuleManifest } from '../manifest.js';
import { createAuditRepo } from './repo.js';
import { createRouteAuditor } from './route-audit.js';
import { auditRoutes } from './routes.js';
import { createAuditService } from './service.js';

/** The audit log: who changed what in the console or with the admin token, and the API that reads it. */
export function createAuditModule(ctx: ModuleContext) {
  const repo = createAuditRepo(ctx.db);
  const service = createAuditService({ db: ctx.db, repo, now: ctx.now, timeZone: ctx.config.timeZone });
  const routeAuditor = createRouteAuditor({
    audit: service,
    nameOf: (corpId, type, id) => repo.nameOf(ctx.db, corpId, type, id),
  });
  const manifest: ModuleManifest = {
    name: 'audit',
    routes: [async (app) => app.register(auditRoutes, { service })],
  };
  return { manifest, service, routeAuditor };
}
export type AuditModule = ReturnType<typeof createAuditModule>;
