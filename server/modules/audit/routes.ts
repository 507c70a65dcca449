import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditPage, AuditQuery, type AuditEntry } from '../../../shared/schemas/console-audit.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { csvStream, sendCsv, type CsvColumn } from '../csv-export.js';
import type { AuditService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const ExportQuery = Type.Omit(AuditQuery, ['cursor', 'limit'], { additionalProperties: false });

const COLUMNS: CsvColumn<AuditEntry>[] = [
  { header: '时间', value: (e) => new Date(e.at).toISOString() },
  { header: '操作人', value: (e) => e.actor.name },
  { header: '操作人类型', value: (e) => e.actor.kind },
  { header: '操作', value: (e) => e.action },
  { header: '对象类型', value: (e) => e.targetType },
  { header: '对象', value: (e) => e.targetId },
  { header: '说明', value: (e) => e.summary },
  { header: 'IP', value: (e) => e.ip },
  { header: '详情', value: (e) => JSON.stringify(e.detail) },
];

/** The audit log: admins (console) and the admin token. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ service: AuditService }> = async (app, { service }) => {
  app.addHook('onRequest', app.requireConsoleAdmin);

  app.get(
    '/api/console/audit',
    { schema: { querystring: AuditQuery, response: { 200: AuditPage, ...errors } } },
    async (request) => service.page(request.consoleActor().corpId, request.query),
  );

  app.get(
    '/api/console/audit.csv',
    { schema: { querystring: ExportQuery, response: { 200: Type.String(), ...errors } } },
    async (request, reply) =>
      sendCsv(reply, 'audit-log.csv', csvStream(COLUMNS, service.all(request.consoleActor().corpId, request.query))),
  );
};
