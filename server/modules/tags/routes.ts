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

/**
 * The corp tag library. Reading it is shared by the rep sidebar (session cookie, the rep's corp) and the admin API
 * (bearer token, the configured corp); every write needs the admin token until console login exists. The checks run
 * on request, before body validation, so an unauthenticated caller learns nothing.
 */
export const tagRoutes: FastifyPluginAsyncTypebox<{ service: TagService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  const admin = { onRequest: app.requireAdmin };

  app.get(
    '/api/tags',
    { onRequest: app.requireUserOrAdmin, schema: { response: { 200: TagLibrary, ...errors } } },
    async (request) => service.list(request.user?.corpId ?? corpId()),
  );

  app.post('/api/tags/sync', { ...admin, schema: { response: { 200: TagSyncResult, ...errors } } }, async () =>
    service.syncAll(corpId()),
  );

  app.post(
    '/api/tags/groups',
    { ...admin, schema: { body: CreateTagGroupBody, response: { 201: TagGroup, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createGroup(corpId(), request.body)),
  );

  app.patch(
    '/api/tags/groups/:groupId',
    { ...admin, schema: { params: TagGroupIdParams, body: UpdateTagBody, response: { 200: TagGroup, ...errors } } },
    async (request) => service.updateGroup(corpId(), request.params.groupId, request.body),
  );

  app.delete(
    '/api/tags/groups/:groupId',
    { ...admin, schema: { params: TagGroupIdParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await service.deleteGroup(corpId(), request.params.groupId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/tags',
    { ...admin, schema: { body: CreateTagBody, response: { 201: Tag, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createTag(corpId(), request.body)),
  );

  app.post(
    '/api/tags/reorder',
    { ...admin, schema: { body: ReorderTagsBody, response: { 200: TagLibrary, ...errors } } },
    async (request) => service.reorder(corpId(), request.body.ids),
  );

  app.patch(
    '/api/tags/:id',
    { ...admin, schema: { params: TagIdParams, body: UpdateTagBody, response: { 200: Tag, ...errors } } },
    async (request) => service.updateTag(corpId(), request.params.id, request.body),
  );

  app.delete(
    '/api/tags/:id',
    { ...admin, schema: { params: TagIdParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await service.deleteTag(corpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
