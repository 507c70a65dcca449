import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Signatures, SignaturesBody } from '../../../shared/schemas/auth.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import type { JsapiService } from './service.js';

/** `POST /api/jsapi/signatures`: what ww.register's getConfigSignature / getAgentConfigSignature resolve with. */
export const jsapiRoutes: FastifyPluginAsyncTypebox<{ service: JsapiService }> = async (app, { service }) => {
  app.post(
    '/api/jsapi/signatures',
    {
      onRequest: app.requireUser,
      schema: { body: SignaturesBody, response: { 200: Signatures, 400: ErrorBody, 401: ErrorBody, 502: ErrorBody } },
    },
    async (request) => service.signatures(request.currentUser().corpId, request.body.url),
  );
};
