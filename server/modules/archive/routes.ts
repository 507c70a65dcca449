import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { ArchiveErrorPage, ArchiveErrorQuery, ArchiveStatus } from '../../../shared/schemas/messages.js';
import type { ArchiveService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody };

/** The archive's state for operators (admin token). */
export const archiveRoutes: FastifyPluginAsyncTypebox<{ service: ArchiveService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  app.addHook('onRequest', app.requireAdmin);

  app.get('/api/archive/status', { schema: { response: { 200: ArchiveStatus, ...errors } } }, async () =>
    service.status(corpId()),
  );

  app.get(
    '/api/archive/errors',
    { schema: { querystring: ArchiveErrorQuery, response: { 200: ArchiveErrorPage, ...errors } } },
    async (request) => service.errors(corpId(), request.query),
  );

  /** Pulls now (e.g. after fixing the configuration), and decrypts kept items again (a key was added). */
  app.post(
    '/api/archive/pulls',
    { schema: { response: { 202: Type.Object({ queued: Type.Boolean() }), ...errors } } },
    async (_request, reply) => reply.status(202).send({ queued: await service.requestPull(corpId(), 'manual') }),
  );
};
