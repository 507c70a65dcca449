import type { FastifyInstance } from 'fastify';
import { demoAssetRoutes } from '../demo/asset-routes.js';
import { authRoutes } from './auth/routes.js';
import { customerRoutes } from './customers/routes.js';
import { jsapiRoutes } from './jsapi/routes.js';
import { scriptRoutes } from './scripts/routes.js';
import { stageRoutes } from './stages/routes.js';
import { timelineRoutes } from './timeline/routes.js';

/**
 * The API of the rep sidebar: sign-in (WeCom OAuth), JS-SDK signatures, customers and their card, stages, timeline
 * and notes, the script library. Needs the session plugin.
 */
export async function sidebarRoutes(app: FastifyInstance): Promise<void> {
  const s = app.services;
  const adminCorpId = () => app.defaultCorp.corpId;
  const secureCookies = (app.config.publicUrl ?? '').startsWith('https://');
  await app.register(authRoutes, { service: s.auth, sessions: s.sessions, secureCookies });
  await app.register(jsapiRoutes, { service: s.jsapi });
  await app.register(customerRoutes, { service: s.customers });
  await app.register(stageRoutes, { service: s.stages, adminCorpId });
  await app.register(timelineRoutes, { service: s.customerTimeline });
  await app.register(scriptRoutes, { service: s.scripts, adminCorpId });
  if (app.config.demo) await app.register(demoAssetRoutes);
}
