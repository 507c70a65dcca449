import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { CustomerExportQuery, ErasureBody, ErasureList, ErasureRecord } from '../../../shared/schemas/messages.js';
import type { PrivacyService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** PIPL: a customer's data exported or erased (admin token). */
export const privacyRoutes: FastifyPluginAsyncTypebox<{ service: PrivacyService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/api/customer-export',
    { schema: { querystring: CustomerExportQuery, response: errors } },
    async (request, reply) => {
      const zip = await service.exportCustomer(corpId(), request.query.externalUserId);
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="customer-${stamp}.zip"`)
        .header('cache-control', 'no-store')
        .send(zip as never);
    },
  );

  app.post(
    '/api/erasures',
    { schema: { body: ErasureBody, response: { 201: ErasureRecord, ...errors } } },
    async (request, reply) =>
      reply.status(201).send(await service.erase(corpId(), request.body.externalUserId, request.body, request.ip)),
  );

  app.get('/api/erasures', { schema: { response: { 200: ErasureList, 401: ErrorBody } } }, async () =>
    service.erasures(corpId()),
  );
};
