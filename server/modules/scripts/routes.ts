import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  FavoriteResult,
  IdParams,
  Script,
  ScriptBody,
  ScriptGroup,
  ScriptGroupBody,
  ScriptGroupList,
  ScriptGroupPatchBody,
  ScriptList,
  ScriptListQuery,
  ScriptPutBody,
  ScriptSendBody,
  ScriptSendResult,
} from '../../../shared/schemas/scripts.js';
import type { ScriptService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/**
 * The script library. Reads: a rep session or the admin token; favourites and sends: a rep session; changes to the
 * library: the admin token.
 */
export const scriptRoutes: FastifyPluginAsyncTypebox<{ service: ScriptService; adminCorpId: () => string }> = async (
  app,
  { service, adminCorpId },
) => {
  const corpOf = (user: { corpId: string } | null) => user?.corpId ?? adminCorpId();

  // ---- reads ----------------------------------------------------------------------------------------------------

  app.get(
    '/api/script-groups',
    { onRequest: app.requireUserOrAdmin, schema: { response: { 200: ScriptGroupList, 401: ErrorBody } } },
    async (request) => service.groups(corpOf(request.user)),
  );

  app.get(
    '/api/scripts',
    {
      onRequest: app.requireUserOrAdmin,
      schema: { querystring: ScriptListQuery, response: { 200: ScriptList, ...errors } },
    },
    async (request) => service.list(corpOf(request.user), request.user?.userId ?? null, request.query),
  );

  // ---- reps -----------------------------------------------------------------------------------------------------

  app.post(
    '/api/scripts/:id/favorite',
    { onRequest: app.requireUser, schema: { params: IdParams, response: { 200: FavoriteResult, ...errors } } },
    async (request) => service.favorite(request.currentUser(), request.params.id, true),
  );

  app.delete(
    '/api/scripts/:id/favorite',
    { onRequest: app.requireUser, schema: { params: IdParams, response: { 200: FavoriteResult, ...errors } } },
    async (request) => service.favorite(request.currentUser(), request.params.id, false),
  );

  app.post(
    '/api/scripts/:id/sends',
    {
      onRequest: app.requireUser,
      schema: {
        params: IdParams,
        body: ScriptSendBody,
        response: { 201: ScriptSendResult, ...errors, 502: ErrorBody },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await service.send(request.currentUser(), request.params.id, request.body.externalUserId, {
          customerMessage: request.body.customerMessage,
          feedbackKey: request.body.feedbackKey,
        }),
      ),
  );

  // ---- admin ----------------------------------------------------------------------------------------------------

  app.post(
    '/api/scripts',
    { onRequest: app.requireAdmin, schema: { body: ScriptBody, response: { 201: Script, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.create(adminCorpId(), request.body)),
  );

  app.put(
    '/api/scripts/:id',
    {
      onRequest: app.requireAdmin,
      schema: { params: IdParams, body: ScriptPutBody, response: { 200: Script, ...errors } },
    },
    async (request) => service.update(adminCorpId(), request.params.id, request.body),
  );

  app.delete(
    '/api/scripts/:id',
    { onRequest: app.requireAdmin, schema: { params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await service.remove(adminCorpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/script-groups',
    { onRequest: app.requireAdmin, schema: { body: ScriptGroupBody, response: { 201: ScriptGroup, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createGroup(adminCorpId(), request.body)),
  );

  app.put(
    '/api/script-groups/:id',
    {
      onRequest: app.requireAdmin,
      schema: { params: IdParams, body: ScriptGroupPatchBody, response: { 200: ScriptGroup, ...errors } },
    },
    async (request) => service.updateGroup(adminCorpId(), request.params.id, request.body),
  );

  app.delete(
    '/api/script-groups/:id',
    {
      onRequest: app.requireAdmin,
      schema: { params: IdParams, response: { 204: Type.Null(), ...errors, 409: ErrorBody } },
    },
    async (request, reply) => {
      await service.deleteGroup(adminCorpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
