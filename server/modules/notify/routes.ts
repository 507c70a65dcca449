import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CreateRobotBody,
  IdParams,
  NotificationList,
  NotificationQuery,
  Robot,
  RobotList,
  RobotTestResult,
  UpdateRobotBody,
} from '../../../shared/schemas/automations.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import type { NotifyService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/**
 * Group robots and the notifications log: admin bearer token (the console's session roles come later). A robot's
 * key never leaves the server: no answer carries it.
 */
export const notifyRoutes: FastifyPluginAsyncTypebox<{ service: NotifyService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  app.addHook('onRequest', app.requireAdmin);

  app.get('/api/robots', { schema: { response: { 200: RobotList, ...errors } } }, async () => ({
    robots: await service.listRobots(corpId()),
  }));

  app.post(
    '/api/robots',
    { schema: { body: CreateRobotBody, response: { 201: Robot, ...errors } } },
    async (request, reply) => reply.status(201).send(await service.createRobot(corpId(), request.body)),
  );

  app.patch(
    '/api/robots/:id',
    { schema: { params: IdParams, body: UpdateRobotBody, response: { 200: Robot, ...errors } } },
    async (request) => service.updateRobot(corpId(), request.params.id, request.body),
  );

  app.delete(
    '/api/robots/:id',
    { schema: { params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await service.removeRobot(corpId(), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/robots/:id/test',
    { schema: { params: IdParams, response: { 202: RobotTestResult, ...errors } } },
    async (request, reply) => reply.status(202).send(await service.testRobot(corpId(), request.params.id)),
  );

  app.get(
    '/api/automations/notifications',
    { schema: { querystring: NotificationQuery, response: { 200: NotificationList, ...errors } } },
    async (request) => ({ notifications: await service.listNotifications(corpId(), request.query) }),
  );
};
