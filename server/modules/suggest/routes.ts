import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { CustomerParams } from '../../../shared/schemas/customers.js';
import {
  SuggestionFeedbackBody,
  SuggestionFeedbackResult,
  SuggestionList,
  SuggestionsBody,
} from '../../../shared/schemas/suggestions.js';
import type { EngineTime, SuggestService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** `engine`: the engine's wall time; `engine-cpu`: its CPU time (both 0 when the answer was computed before). */
const timing = (engine: EngineTime) => `engine;dur=${engine.ms.toFixed(2)}, engine-cpu;dur=${engine.cpuMs.toFixed(2)}`;

/**
 * Suggested replies for the rep sidebar (shared/schemas/suggestions.ts); a rep session, the rep's own customers.
 * `Server-Timing` says how long the engine itself took.
 */
export const suggestRoutes: FastifyPluginAsyncTypebox<{ service: SuggestService }> = async (app, { service }) => {
  app.addHook('onRequest', app.requireUser);

  app.get(
    '/api/customers/:externalUserId/suggestions',
    { schema: { params: CustomerParams, response: { 200: SuggestionList, ...errors } } },
    async (request, reply) => {
      const { body, engine } = await service.forCustomer(request.currentUser(), request.params.externalUserId);
      return reply.header('server-timing', timing(engine)).send(body);
    },
  );

  app.post(
    '/api/customers/:externalUserId/suggestions',
    { schema: { params: CustomerParams, body: SuggestionsBody, response: { 200: SuggestionList, ...errors } } },
    async (request, reply) => {
      const { body, engine } = await service.forMessages(
        request.currentUser(),
        request.params.externalUserId,
        request.body.messages,
      );
      return reply.header('server-timing', timing(engine)).send(body);
    },
  );

  app.post(
    '/api/suggestions/feedback',
    { schema: { body: SuggestionFeedbackBody, response: { 200: SuggestionFeedbackResult, ...errors } } },
    async (request) => service.feedback(request.currentUser(), request.body.feedbackKey, request.body.outcome),
  );
};
