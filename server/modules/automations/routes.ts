import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  BirthdayAnswer,
  BirthdayBody,
  Rule,
  RuleKindParams,
  RuleList,
  RuleRunList,
  ruleKinds,
  RunsQuery,
  UpdateRuleBody,
} from '../../../shared/schemas/automations.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { CustomerParams } from '../../../shared/schemas/customers.js';
import type { AutomationService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/**
 * The rules (admin bearer token; the console's session roles come later): list, read, switch on/off and change one
 * (a route per kind, so each kind's settings are validated exactly), and its run log.
 */
export const automationRoutes: FastifyPluginAsyncTypebox<{ service: AutomationService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  app.addHook('onRequest', app.requireAdmin);

  app.get('/api/automations/rules', { schema: { response: { 200: RuleList, ...errors } } }, async () => ({
    rules: await service.listRules(corpId()),
  }));

  app.get(
    '/api/automations/rules/:kind',
    { schema: { params: RuleKindParams, response: { 200: Rule, ...errors } } },
    async (request) => service.getRule(corpId(), request.params.kind),
  );

  for (const kind of ruleKinds) {
    app.patch(
      `/api/automations/rules/${kind}`,
      { schema: { body: UpdateRuleBody(kind), response: { 200: Rule, ...errors } } },
      async (request) =>
        service.updateRule(corpId(), kind, request.body as Parameters<AutomationService['updateRule']>[2]),
    );
  }

  app.get(
    '/api/automations/rules/:kind/runs',
    { schema: { params: RuleKindParams, querystring: RunsQuery, response: { 200: RuleRunList, ...errors } } },
    async (request) => ({ runs: await service.runs(corpId(), request.params.kind, request.query.limit ?? 50) }),
  );
};

/** A customer's birthday, read and set by the rep who follows them (sidebar). */
export const birthdayRoutes: FastifyPluginAsyncTypebox<{ service: AutomationService }> = async (app, { service }) => {
  app.addHook('onRequest', app.requireUser);

  app.get(
    '/api/customers/:externalUserId/birthday',
    { schema: { params: CustomerParams, response: { 200: BirthdayAnswer, ...errors } } },
    async (request) => service.birthdayOf(request.currentUser(), request.params.externalUserId),
  );
  app.put(
    '/api/customers/:externalUserId/birthday',
    { schema: { params: CustomerParams, body: BirthdayBody, response: { 200: BirthdayAnswer, ...errors } } },
    async (request) => service.setBirthday(request.currentUser(), request.params.externalUserId, request.body),
  );
  app.delete(
    '/api/customers/:externalUserId/birthday',
    { schema: { params: CustomerParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await service.clearBirthday(request.currentUser(), request.params.externalUserId);
      return reply.status(204).send(null);
    },
  );
};
