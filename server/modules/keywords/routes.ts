import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  KeywordAlertPage,
  KeywordAlertQuery,
  KeywordRule,
  KeywordRuleBody,
  KeywordRuleList,
  KeywordRuleParams,
  KeywordRulePatchBody,
} from '../../../shared/schemas/messages.js';
import type { KeywordService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Keyword rules and alerts (敏感词): the admin API (the console comes later). */
export const keywordRoutes: FastifyPluginAsyncTypebox<{ service: KeywordService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  app.addHook('onRequest', app.requireAdmin);

  app.get('/api/keyword-rules', { schema: { response: { 200: KeywordRuleList, 401: ErrorBody } } }, async () =>
    service.list(corpId()),
  );

  app.post(
    '/api/keyword-rules',
    { schema: { body: KeywordRuleBody, response: { 201: KeywordRule, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.create(corpId(), request.body)),
  );

  app.patch(
    '/api/keyword-rules/:id',
    { schema: { params: KeywordRuleParams, body: KeywordRulePatchBody, response: { 200: KeywordRule, ...errors } } },
    async (request) => service.update(corpId(), request.params.id, request.body),
  );

  app.delete(
    '/api/keyword-rules/:id',
    { schema: { params: KeywordRuleParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await service.remove(corpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/keyword-alerts',
    { schema: { querystring: KeywordAlertQuery, response: { 200: KeywordAlertPage, ...errors } } },
    async (request) => service.alerts(corpId(), request.query),
  );
};
