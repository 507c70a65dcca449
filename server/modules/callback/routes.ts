import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { CallbackParams, CallbackPostQuery, CallbackVerifyQuery } from '../../../shared/schemas/callback.js';
import type { CallbackService } from './service.js';

/** WeCom posts at most a few KB; anything near this is not WeCom. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody };

export const callbackRoutes: FastifyPluginAsyncTypebox<{ service: CallbackService }> = async (app, { service }) => {
  // WeCom sends XML with varying content types; take every body of this scope as a string.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.addHook('onError', async (request, _reply, err) => {
    // Rejections are logged with the corp and the reason only: never the body, token or key.
    const params = request.params as { corpId?: string };
    request.log.warn({ corpId: params.corpId, reason: err.message }, 'callback rejected');
  });

  app.get(
    '/wecom/callback/:corpId',
    {
      schema: { params: CallbackParams, querystring: CallbackVerifyQuery, response: { 200: Type.String(), ...errors } },
    },
    async (request, reply) => {
      const plain = service.verifyUrl(request.params.corpId, request.query);
      return reply.type('text/plain; charset=utf-8').send(plain);
    },
  );

  app.post(
    '/wecom/callback/:corpId',
    {
      bodyLimit: CALLBACK_BODY_LIMIT,
      schema: { params: CallbackParams, querystring: CallbackPostQuery, response: { 200: Type.String(), ...errors } },
    },
    async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      const { duplicate, eventType } = await service.receive(request.params.corpId, request.query, body);
      request.log.debug({ corpId: request.params.corpId, eventType, duplicate }, 'callback accepted');
      // An empty 200 tells WeCom "received"; a passive reply is not needed for customer-contact events.
      return reply.type('text/plain; charset=utf-8').send('');
    },
  );
};
