import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  CreateTagBody,
  CreateTagGroupBody,
  ReorderTagsBody,
  Tag,
  TagGroup,
  TagGroupIdParams,
  TagIdParams,
  TagLibrary,
  TagSyncResult,
  UpdateTagBody,
} from '../../../shared/schemas/tags.js';
import type { TagService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody };
const NoContent = Type.Null();

/** The corp tag library. Admin bearer token until console login exists (the sidebar will read it with a rep session). */
export const tagRoutes: FastifyPluginAsyncTypebox<{ service: TagService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  // Before body validation: an unauthenticated caller learns nothing, not even what a valid body looks like.
  // Reading the library is also open to a rep session (the sidebar's tag editor); every change needs the admin token.
  app.addHook('onRequest', async (request) =>
    request.method === 'GET' && request.routeOptions.url === '/api/tags'
      ? app.requireUserOrAdmin(request)
      : app.requireAdmin(request),
  );

  app.get('/api/tags', { schema: { response: { 200: TagLibrary, ...errors } } }, async () => service.list(corpId()));

  app.post('/api/tags/sync', { schema: { response: { 200: TagSyncResult, ...errors } } }, async () =>
    service.syncAll(corpId()),
  );

  app.post(
    '/api/tags/groups',
    { schema: { body: CreateTagGroupBody, response: { 201: TagGroup, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createGroup(corpId(), request.body)),
  );

  app.patch(
    '/api/tags/groups/:groupId',
    { schema: { params: TagGroupIdParams, body: UpdateTagBody, response: { 200: TagGroup, ...errors } } },
    async (request) => service.updateGroup(corpId(), request.params.groupId, request.body),
  );

  app.delete(
    '/api/tags/groups/:groupId',
    { schema: { params: TagGroupIdParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await service.deleteGroup(corpId(), request.params.groupId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/tags',
    { schema: { body: CreateTagBody, response: { 201: Tag, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createTag(corpId(), request.body)),
  );

  app.post(
    '/api/tags/reorder',
    { schema: { body: ReorderTagsBody, response: { 200: TagLibrary, ...errors } } },
    async (request) => service.reorder(corpId(), request.body.ids),
  );

  app.patch(
    '/api/tags/:id',
    { schema: { params: TagIdParams, body: UpdateTagBody, response: { 200: Tag, ...errors } } },
    async (request) => service.updateTag(corpId(), request.params.id, request.body),
  );

  app.delete(
    '/api/tags/:id',
    { schema: { params: TagIdParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await service.deleteTag(corpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
