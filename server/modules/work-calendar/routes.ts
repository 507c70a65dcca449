import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { WorkCalendar } from '../../../shared/schemas/work-calendar.js';
import type { WorkCalendarService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** The corp's working hours and holidays: read and set by an admin (the admin token for now). */
export const workCalendarRoutes: FastifyPluginAsyncTypebox<{
  service: WorkCalendarService;
  corpId: () => string;
}> = async (app, { service, corpId }) => {
  const admin = { onRequest: app.requireAdmin };
  app.get(
    '/api/settings/work-calendar',
    { ...admin, schema: { response: { 200: WorkCalendar, ...errors } } },
    async () => service.get(corpId()),
  );
  app.put(
    '/api/settings/work-calendar',
    { ...admin, schema: { body: WorkCalendar, response: { 200: WorkCalendar, ...errors } } },
    async (request) => service.save(corpId(), request.body),
  );
};
