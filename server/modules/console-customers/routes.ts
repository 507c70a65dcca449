import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  BulkTagBatch,
  BulkTagBody,
  BulkTagParams,
  ConsoleConversationList,
  ConsoleCustomerCard,
  ConsoleCustomerExportQuery,
  ConsoleCustomerPage,
  ConsoleCustomerParams,
  ConsoleCustomerQuery,
  ConsoleMessagePage,
  ConversationMessagesQuery,
  ConversationParams,
  type ConsoleCustomerRow,
} from '../../../shared/schemas/console-customers.js';
import { TimelinePage, TimelineQuery } from '../../../shared/schemas/customers.js';
import type { ConsoleActor, Scope } from '../console-auth/actor.js';
import { csvStream, sendCsv, type CsvColumn } from '../csv-export.js';
import type { BulkTagService } from './bulk-tag-service.js';
import type { ConsoleCustomerService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
const LOST_TEXT: Record<string, string> = {
  deleted_by_customer: '客户删除员工',
  deleted_by_rep: '员工删除客户',
  transferred: '已转接',
};

const CUSTOMER_COLUMNS: CsvColumn<ConsoleCustomerRow>[] = [
  { header: '客户', value: (r) => r.name },
  { header: '客户ID', value: (r) => r.externalUserId },
  { header: '企业', value: (r) => r.corpName },
  { header: '员工', value: (r) => r.repName },
  { header: '员工账号', value: (r) => r.userId },
  { header: '备注', value: (r) => r.remark },
  { header: '状态', value: (r) => (r.status === 'active' ? '跟进中' : '已流失') },
  { header: '添加时间', value: (r) => iso(r.addedAt) },
  { header: '流失时间', value: (r) => iso(r.lostAt) },
  { header: '流失原因', value: (r) => (r.lostReason === null ? '' : (LOST_TEXT[r.lostReason] ?? r.lostReason)) },
  { header: '渠道', value: (r) => r.channel?.name },
  { header: '销售阶段', value: (r) => r.stage?.name },
  { header: '标签', value: (r) => r.tags.map((t) => t.name).join('、') },
  { header: '最近联系', value: (r) => iso(r.lastContactAt) },
];

/** Customers and their chats in the console: admins and managers (scoped), and the admin token. */
export const consoleCustomerRoutes: FastifyPluginAsyncTypebox<{
  service: ConsoleCustomerService;
  bulkTag: BulkTagService;
}> = async (app, { service, bulkTag }) => {
  app.addHook('onRequest', app.requireConsole);
  const who = async (request: { consoleActor(): ConsoleActor; consoleScope(): Promise<Scope> }) =>
    [request.consoleActor(), await request.consoleScope()] as const;

  app.get(
    '/api/console/customers',
    { schema: { querystring: ConsoleCustomerQuery, response: { 200: ConsoleCustomerPage, ...errors } } },
    async (request) => service.list(...(await who(request)), request.query),
  );
  app.get(
    '/api/console/customers.csv',
    { schema: { querystring: ConsoleCustomerExportQuery, response: { 200: Type.String(), ...errors } } },
    async (request, reply) => {
      // The filter is checked before the answer starts: a refusal is a JSON error, not a broken download.
      const pages = await service.all(...(await who(request)), request.query);
      return sendCsv(reply, 'customers.csv', csvStream(CUSTOMER_COLUMNS, pages));
    },
  );
  app.post(
    '/api/console/customers/bulk-tag',
    { schema: { body: BulkTagBody, response: { 202: BulkTagBatch, ...errors } } },
    async (request, reply) => {
      const batch = await bulkTag.create(request.auditContext(), await request.consoleScope(), request.body);
      // The service recorded the batch in the audit log, in the transaction that made it.
      request.audited = true;
      return reply.code(202).send(batch);
    },
  );
  app.get(
    '/api/console/customers/bulk-tag/:batchId',
    { schema: { params: BulkTagParams, response: { 200: BulkTagBatch, ...errors } } },
    async (request) => bulkTag.get(...(await who(request)), request.params.batchId),
  );
  app.get(
    '/api/console/customers/:externalUserId',
    { schema: { params: ConsoleCustomerParams, response: { 200: ConsoleCustomerCard, ...errors } } },
    async (request) => service.card(...(await who(request)), request.params.externalUserId),
  );
  app.get(
    '/api/console/customers/:externalUserId/timeline',
    {
      schema: {
        params: ConsoleCustomerParams,
        querystring: TimelineQuery,
        response: { 200: TimelinePage, ...errors },
      },
    },
    async (request) => service.timeline(...(await who(request)), request.params.externalUserId, request.query),
  );
  app.get(
    '/api/console/customers/:externalUserId/conversations',
    { schema: { params: ConsoleCustomerParams, response: { 200: ConsoleConversationList, ...errors } } },
    async (request) => service.conversations(...(await who(request)), request.params.externalUserId),
  );
  app.get(
    '/api/console/conversations/:id/messages',
    {
      schema: {
        params: ConversationParams,
        querystring: ConversationMessagesQuery,
        response: { 200: ConsoleMessagePage, ...errors },
      },
    },
    async (request) => service.messages(...(await who(request)), request.params.id, request.query),
  );
};
