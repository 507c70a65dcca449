import type { FastifyInstance } from 'fastify';
import { demoAssetRoutes } from '../demo/asset-routes.js';

/**
 * What is left of the sidebar's route wiring: the demo's assets. The sidebar API's domains (auth, jsapi, customers,
 * stages, timeline, scripts) register their routes through their module manifests (`server/modules/<domain>/index.ts`).
 */
export async function sidebarRoutes(app: FastifyInstance): Promise<void> {
  if (app.config.demo) await app.register(demoAssetRoutes);
}
