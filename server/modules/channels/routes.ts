import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Channel,
  ChannelIdParams,
  ChannelList,
  ChannelQrQuery,
  ChannelStats,
  ChannelStatsQuery,
  CreateChannelBody,
  UpdateChannelBody,
} from '../../../shared/schemas/channels.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import type { ChannelService } from './service.js';

// 503: an edit or deletion could not reach WeCom in time (the channel's code is busy syncing), nothing changed.
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody, 503: ErrorBody };

/** RFC 5987 `value-chars`: encodeURIComponent leaves ' ( ) * ! unescaped, which attr-char does not allow. */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

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

  // The code's QR image as WeCom hosts it, through us: the console shows and downloads it with its session (WeCom's
  // image host knows nothing of our users), and a deleted code stops being served at once (404).
  app.get(
    '/api/channels/:id/qr.png',
    { schema: { params: ChannelIdParams, querystring: ChannelQrQuery, response: errors } },
    async (request, reply) => {
      const image = await service.qrImage(corpId(), request.params.id);
      const disposition = request.query.download === '1' ? 'attachment' : 'inline';
      return reply
        .header('content-type', image.contentType)
        .header('content-length', String(image.data.length))
        .header('content-disposition', `${disposition}; filename*=UTF-8''${rfc5987(`${image.name}.${image.ext}`)}`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(image.data as never);
    },
  );

  app.get(
    '/api/channels/:id/stats',
    { schema: { params: ChannelIdParams, querystring: ChannelStatsQuery, response: { 200: ChannelStats, ...errors } } },
    async (request) => service.stats(corpId(), request.params.id, request.query.from, request.query.to),
  );
};
