import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CreatedIntegration,
  CreatedWebhook,
  CreateIntegrationBody,
  CreateWebhookBody,
  DeliveriesQuery,
  IdParams,
  IntegrationBirthdayBody,
  IntegrationList,
  OrderBody,
  OrderResult,
  UpdateWebhookBody,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
} from '../../../shared/schemas/automations.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import type { IntegrationRow } from './repo.js';
import type { IntegrationService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Integrations and webhook endpoints: admin bearer token. A token or a signing secret is shown once, when created. */
export const integrationAdminRoutes: FastifyPluginAsyncTypebox<{
  service: IntegrationService;
  corpId: () => string;
}> = async (app, { service, corpId }) => {
  app.addHook('onRequest', app.requireAdmin);

  app.get('/api/integrations', { schema: { response: { 200: IntegrationList, ...errors } } }, async () => ({
    integrations: await service.listIntegrations(corpId()),
  }));
  app.post(
    '/api/integrations',
    { schema: { body: CreateIntegrationBody, response: { 201: CreatedIntegration, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createIntegration(corpId(), request.body.name)),
  );
  app.delete(
    '/api/integrations/:id',
    { schema: { params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await service.revokeIntegration(corpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/webhooks', { schema: { response: { 200: WebhookEndpointList, ...errors } } }, async () => ({
    endpoints: await service.listEndpoints(corpId()),
  }));
  app.post(
    '/api/webhooks',
    { schema: { body: CreateWebhookBody, response: { 201: CreatedWebhook, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createEndpoint(corpId(), request.body)),
  );
  app.patch(
    '/api/webhooks/:id',
    { schema: { params: IdParams, body: UpdateWebhookBody, response: { 200: WebhookEndpoint, ...errors } } },
    async (request) => service.updateEndpoint(corpId(), request.params.id, request.body),
  );
  app.delete(
    '/api/webhooks/:id',
    { schema: { params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await service.removeEndpoint(corpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/webhooks/:id/deliveries',
    { schema: { params: IdParams, querystring: DeliveriesQuery, response: { 200: WebhookDeliveryList, ...errors } } },
    async (request) => ({
      deliveries: await service.listDeliveries(corpId(), request.params.id, request.query.limit ?? 50),
    }),
  );
};

/** What an integration pushes, with its own token (`Authorization: Bearer scrm_int_…`), never the admin token. */
export const integrationInboundRoutes: FastifyPluginAsyncTypebox<{ service: IntegrationService }> = async (
  app,
  { service },
) => {
  const callers = new WeakMap<object, IntegrationRow>();
  app.addHook('onRequest', async (request) => {
    callers.set(request, await service.authenticate(request.headers.authorization));
  });
  const caller = (request: object) => callers.get(request)!;

  app.post(
    '/api/integrations/orders',
    { schema: { body: OrderBody, response: { 200: OrderResult, 201: OrderResult, ...errors } } },
    async (request, reply) => {
      const result = await service.recordOrder(caller(request), request.body);
      return reply.status(result.created ? 201 : 200).send(result);
    },
  );

  app.put(
    '/api/integrations/birthdays',
    {
      schema: {
        body: IntegrationBirthdayBody,
        response: { 200: Type.Object({ externalUserId: Type.String() }), ...errors },
      },
    },
    async (request) => service.setBirthday(caller(request), request.body),
  );
};
