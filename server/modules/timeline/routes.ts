import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  CustomerParams,
  NoteBody,
  NoteParams,
  NotePatchBody,
  TimelineItem,
  TimelinePage,
  TimelineQuery,
} from '../../../shared/schemas/customers.js';
import type { TimelineService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** The customer's timeline and the rep's follow-up notes; every route needs a rep session. */
export const timelineRoutes: FastifyPluginAsyncTypebox<{ service: TimelineService }> = async (app, { service }) => {
  app.addHook('onRequest', app.requireUser);

  app.get(
    '/api/customers/:externalUserId/timeline',
    { schema: { params: CustomerParams, querystring: TimelineQuery, response: { 200: TimelinePage, ...errors } } },
    async (request) => service.page(request.currentUser(), request.params.externalUserId, request.query),
  );

  app.post(
    '/api/customers/:externalUserId/notes',
    { schema: { params: CustomerParams, body: NoteBody, response: { 201: TimelineItem, ...errors } } },
    async (request, reply) =>
      reply.status(201).send(await service.addNote(request.currentUser(), request.params.externalUserId, request.body)),
  );

  app.patch(
    '/api/customers/:externalUserId/notes/:id',
    { schema: { params: NoteParams, body: NotePatchBody, response: { 200: TimelineItem, ...errors } } },
    async (request) =>
      service.editNote(request.currentUser(), request.params.externalUserId, request.params.id, request.body),
  );
};
