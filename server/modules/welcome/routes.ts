import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { DefaultWelcome, WelcomeInput, WelcomePreview, WelcomePreviewBody } from '../../../shared/schemas/welcome.js';
import type { WelcomeService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** The default welcome (customers who came with no channel) and previews. Admin bearer token. */
export const welcomeRoutes: FastifyPluginAsyncTypebox<{ service: WelcomeService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  // Before body validation: an unauthenticated caller learns nothing, not even what a valid body looks like.
  app.addHook('onRequest', app.requireAdmin);

  app.get('/api/welcome/default', { schema: { response: { 200: DefaultWelcome, ...errors } } }, async () => ({
    welcome: await service.getDefault(corpId()),
  }));

  app.put(
    '/api/welcome/default',
    { schema: { body: WelcomeInput, response: { 200: DefaultWelcome, ...errors } } },
    async (request) => ({ welcome: await service.setDefault(corpId(), request.body) }),
  );

  app.delete(
    '/api/welcome/default',
    { schema: { response: { 204: Type.Null(), ...errors } } },
    async (_request, reply) => {
      await service.clearDefault(corpId());
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/welcome/preview',
    { schema: { body: WelcomePreviewBody, response: { 200: WelcomePreview, ...errors } } },
    async (request) => service.preview(corpId(), request.body),
  );
};
