import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdParams,
  OverdueCounts,
  OverdueQuery,
  SnoozeBody,
  Task,
  TaskList,
  TaskQuery,
} from '../../../shared/schemas/automations.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import type { TaskService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** The rep's tasks (sidebar, rep session). */
export const taskRoutes: FastifyPluginAsyncTypebox<{ service: TaskService }> = async (app, { service }) => {
  app.addHook('onRequest', app.requireUser);

  app.get(
    '/api/tasks',
    { schema: { querystring: TaskQuery, response: { 200: TaskList, ...errors } } },
    async (request) => service.list(request.currentUser(), request.query),
  );

  app.post(
    '/api/tasks/:id/done',
    { schema: { params: IdParams, response: { 200: Task, ...errors } } },
    async (request) => service.done(request.currentUser(), request.params.id),
  );

  app.post(
    '/api/tasks/:id/snooze',
    { schema: { params: IdParams, body: SnoozeBody, response: { 200: Task, ...errors } } },
    async (request) => service.snooze(request.currentUser(), request.params.id, request.body),
  );
};

/** The managers' figures: open and overdue tasks per rep (admin token; the console adds its roles later). */
export const taskAdminRoutes: FastifyPluginAsyncTypebox<{ service: TaskService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  app.addHook('onRequest', app.requireAdmin);
  app.get(
    '/api/automations/tasks/overdue',
    { schema: { querystring: OverdueQuery, response: { 200: OverdueCounts, ...errors } } },
    async (request) => service.overdue(corpId(), request.query),
  );
};
