import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Channel,
  ChannelIdParams,
  ChannelList,
  ChannelStats,
  ChannelStatsQuery,
  CreateChannelBody,
  UpdateChannelBody,
} from '../../../shared/schemas/channels.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import type { ChannelService } from './service.js';

// 503: an edit or deletion could not reach WeCom in time (the channel's code is busy syncing), nothing changed.
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody, 503: ErrorBody };

/** Channel codes (渠道活码). Admin bearer token until console login exists. */
export const channelRoutes: FastifyPluginAsyncTypebox<{ service: ChannelService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  // Before body validation: an unauthenticated caller learns nothing, not even what a valid body looks like.
  app.addHook('onRequest', app.requireAdmin);

  app.get('/api/channels', { schema: { response: { 200: ChannelList, ...errors } } }, async () => ({
    channels: await service.list(corpId()),
  }));

  app.post(
    '/api/channels',
    { schema: { body: CreateChannelBody, response: { 201: Channel, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.create(corpId(), request.body)),
  );

  app.get(
    '/api/channels/:id',
    { schema: { params: ChannelIdParams, response: { 200: Channel, ...errors } } },
    async (request) => service.get(corpId(), request.params.id),
  );

  app.patch(
    '/api/channels/:id',
    { schema: { params: ChannelIdParams, body: UpdateChannelBody, response: { 200: Channel, ...errors } } },
    async (request) => service.update(corpId(), request.params.id, request.body),
  );

  app.delete(
    '/api/channels/:id',
    { schema: { params: ChannelIdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await service.remove(corpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/channels/:id/stats',
    { schema: { params: ChannelIdParams, querystring: ChannelStatsQuery, response: { 200: ChannelStats, ...errors } } },
    async (request) => service.stats(corpId(), request.params.id, request.query.from, request.query.to),
  );
};
