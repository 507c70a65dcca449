import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { StageList, StagesPutBody } from '../../../shared/schemas/customers.js';
import type { StageService } from './service.js';

/** `GET /api/stages` (rep or admin), `PUT /api/stages` (admin: replaces the list). */
export const stageRoutes: FastifyPluginAsyncTypebox<{ service: StageService; adminCorpId: () => string }> = async (
  app,
  { service, adminCorpId },
) => {
  app.get(
    '/api/stages',
    { onRequest: app.requireUserOrAdmin, schema: { response: { 200: StageList, 401: ErrorBody } } },
    async (request) => service.list(request.user?.corpId ?? adminCorpId()),
  );

  app.put(
    '/api/stages',
    {
      onRequest: app.requireAdmin,
      schema: { body: StagesPutBody, response: { 200: StageList, 400: ErrorBody, 401: ErrorBody } },
    },
    async (request) => service.replace(adminCorpId(), request.body.stages),
  );
};
