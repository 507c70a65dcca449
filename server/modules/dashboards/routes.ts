import type { ConsoleActor, Scope } from '../console-auth/actor.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ChannelDetail,
  ChannelParams,
  ChannelStatsList,
  ChannelStatsQuery,
  DashboardQuery,
  LossAlertPage,
  LossAlertQuery,
  Overview,
  RepDetail,
  RepDetailQuery,
  RepParams,
  RepStats,
  RepStatsQuery,
  type ChannelDetail as ChannelDetailT,
  type ChannelStatsRow,
  type LossAlert,
  type OverviewChannel,
  type OverviewDay,
  type RepDay,
  type RepStatsRow,
} from '../../../shared/schemas/console-dashboards.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { csvStream, onePage, sendCsv, type CsvColumn } from '../csv-export.js';
import type { DashboardService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Csv = { 200: Type.String(), ...errors };
const LossExportQuery = Type.Omit(LossAlertQuery, ['cursor', 'limit'], { additionalProperties: false });

const pct = (rate: number | null) => (rate === null ? '' : (rate * 100).toFixed(1));

const DAY_COLUMNS: CsvColumn<OverviewDay>[] = [
  { header: '日期', value: (d) => d.day },
  { header: '新增客户', value: (d) => d.newCustomers },
  { header: '流失客户', value: (d) => d.lostCustomers },
  { header: '净增客户', value: (d) => d.netCustomers },
  { header: '客户总数', value: (d) => d.customersTotal },
];
const OVERVIEW_CHANNEL_COLUMNS: CsvColumn<OverviewChannel>[] = [
  { header: '渠道', value: (c) => c.channel?.name ?? '无渠道' },
  { header: '新增客户', value: (c) => c.newCustomers },
  { header: '流失客户', value: (c) => c.lostCustomers },
  { header: '净增客户', value: (c) => c.netCustomers },
];
const figureColumns = <T extends Omit<RepDay, 'day' | 'wecom'>>(): CsvColumn<T>[] => [
  { header: '新增客户', value: (r) => r.newCustomers },
  { header: '流失客户', value: (r) => r.lostCustomers },
  { header: '净增客户', value: (r) => r.netCustomers },
  { header: '会话数', value: (r) => r.conversations },
  { header: '发送消息数', value: (r) => r.messagesSent },
  { header: '客户消息数', value: (r) => r.customerMessages },
  { header: '客户提问数', value: (r) => r.questions },
  { header: '已回复提问数', value: (r) => r.answered },
  { header: '首次回复中位数（秒）', value: (r) => r.firstReplyMedianSeconds },
  { header: '首次回复P90（秒）', value: (r) => r.firstReplyP90Seconds },
  { header: '3分钟回复率（%）', value: (r) => pct(r.replyWithin3m.rate) },
  { header: '发送话术数', value: (r) => r.scriptsSent },
  { header: '推荐展示数', value: (r) => r.suggestionsShown },
  { header: '推荐直接发送数', value: (r) => r.suggestionsSent },
  { header: '推荐修改后发送数', value: (r) => r.suggestionsEdited },
  { header: '推荐忽略数', value: (r) => r.suggestionsIgnored },
  { header: '跟进记录数', value: (r) => r.notesWritten },
];
const wecomColumns = <T extends { wecom: RepDay['wecom'] }>(): CsvColumn<T>[] => [
  { header: '企业微信-聊天数', value: (r) => r.wecom?.chatCount },
  { header: '企业微信-发送消息数', value: (r) => r.wecom?.messageCount },
  { header: '企业微信-已回复聊天占比（%）', value: (r) => r.wecom?.replyPercentage },
  { header: '企业微信-平均首次回复时长（分钟）', value: (r) => r.wecom?.avgReplyMinutes },
  { header: '企业微信-发起申请数', value: (r) => r.wecom?.newApplyCount },
  { header: '企业微信-新增客户数', value: (r) => r.wecom?.newContactCount },
  { header: '企业微信-删除/拉黑成员的客户数', value: (r) => r.wecom?.negativeFeedbackCount },
];
const REP_COLUMNS: CsvColumn<RepStatsRow>[] = [
  { header: '员工', value: (r) => r.rep.name },
  { header: '账号', value: (r) => r.rep.userId },
  { header: '部门', value: (r) => r.rep.department?.name },
  ...figureColumns<RepStatsRow>(),
  { header: '当前未回复会话', value: (r) => r.unansweredNow },
  { header: '逾期提醒', value: (r) => r.overdueReminders },
  { header: '逾期任务', value: (r) => r.overdueTasks },
  ...wecomColumns<RepStatsRow>(),
];
const REP_DAY_COLUMNS: CsvColumn<RepDay>[] = [
  { header: '日期', value: (r) => r.day },
  ...figureColumns<RepDay>(),
  ...wecomColumns<RepDay>(),
];
const CHANNEL_COLUMNS: CsvColumn<ChannelStatsRow>[] = [
  { header: '渠道', value: (c) => c.channel.name },
  { header: '分组', value: (c) => c.channel.groupName },
  { header: '已删除', value: (c) => (c.channel.deleted ? '是' : '否') },
  { header: '扫码添加', value: (c) => c.adds },
  { header: '流失', value: (c) => c.losses },
  { header: '净增', value: (c) => c.net },
  { header: '7日流失率（%）', value: (c) => pct(c.lost7.rate) },
  { header: '30日流失率（%）', value: (c) => pct(c.lost30.rate) },
  { header: '欢迎语已发送', value: (c) => c.welcomeSent },
  { header: '欢迎语未发送', value: (c) => c.welcomeMissed },
];
const CHANNEL_DAY_COLUMNS: CsvColumn<ChannelDetailT['days'][number]>[] = [
  { header: '日期', value: (d) => d.day },
  { header: '扫码添加', value: (d) => d.adds },
  { header: '流失', value: (d) => d.losses },
  { header: '净增', value: (d) => d.net },
];
const CHANNEL_REP_COLUMNS: CsvColumn<ChannelDetailT['reps'][number]>[] = [
  { header: '员工', value: (r) => r.name },
  { header: '账号', value: (r) => r.userId },
  { header: '部门', value: (r) => r.department?.name },
  { header: '扫码添加', value: (r) => r.adds },
  { header: '流失', value: (r) => r.losses },
  { header: '净增', value: (r) => r.net },
];
const LOSS_COLUMNS: CsvColumn<LossAlert>[] = [
  { header: '流失时间', value: (a) => new Date(a.lostAt).toISOString() },
  { header: '原因', value: (a) => a.reasonText },
  { header: '员工', value: (a) => a.repName },
  { header: '员工账号', value: (a) => a.userId },
  { header: '客户', value: (a) => a.customerName },
  { header: '客户ID', value: (a) => a.externalUserId },
  { header: '渠道', value: (a) => a.channel?.name },
  { header: '添加时间', value: (a) => (a.addedAt === null ? '' : new Date(a.addedAt).toISOString()) },
];

/** The dashboards and their CSV twins: admins and managers (scoped), and the admin token. */
export const dashboardRoutes: FastifyPluginAsyncTypebox<{ service: DashboardService }> = async (app, { service }) => {
  app.addHook('onRequest', app.requireConsole);
  const who = async (request: { consoleActor(): ConsoleActor; consoleScope(): Promise<Scope> }) =>
    [request.consoleActor(), await request.consoleScope()] as const;

  app.get(
    '/api/console/dashboard/overview',
    { schema: { querystring: DashboardQuery, response: { 200: Overview, ...errors } } },
    async (request) => service.overview(...(await who(request)), request.query),
  );
  app.get(
    '/api/console/dashboard/overview/days.csv',
    { schema: { querystring: DashboardQuery, response: Csv } },
    async (request, reply) => {
      const o = await service.overview(...(await who(request)), request.query);
      return sendCsv(reply, `overview-${o.range.from}-${o.range.to}.csv`, csvStream(DAY_COLUMNS, onePage(o.days)));
    },
  );
  app.get(
    '/api/console/dashboard/overview/channels.csv',
    { schema: { querystring: DashboardQuery, response: Csv } },
    async (request, reply) => {
      const o = await service.overview(...(await who(request)), request.query);
      return sendCsv(
        reply,
        `overview-channels-${o.range.from}-${o.range.to}.csv`,
        csvStream(OVERVIEW_CHANNEL_COLUMNS, onePage(o.channels)),
      );
    },
  );

  app.get(
    '/api/console/dashboard/loss-alerts',
    { schema: { querystring: LossAlertQuery, response: { 200: LossAlertPage, ...errors } } },
    async (request) => service.lossAlerts(...(await who(request)), request.query),
  );
  app.get(
    '/api/console/dashboard/loss-alerts.csv',
    { schema: { querystring: LossExportQuery, response: Csv } },
    async (request, reply) => {
      const [actor, scope] = await who(request);
      // Checked before the answer starts: a refusal is a JSON error, not a broken download.
      await service.lossAlerts(actor, scope, { ...request.query, limit: 1 });
      return sendCsv(
        reply,
        `loss-alerts-${request.query.from}-${request.query.to}.csv`,
        csvStream(LOSS_COLUMNS, service.allLossAlerts(actor, scope, request.query)),
      );
    },
  );

  app.get(
    '/api/console/dashboard/reps',
    { schema: { querystring: RepStatsQuery, response: { 200: RepStats, ...errors } } },
    async (request) => service.reps(...(await who(request)), request.query),
  );
  app.get(
    '/api/console/dashboard/reps.csv',
    { schema: { querystring: RepStatsQuery, response: Csv } },
    async (request, reply) => {
      const r = await service.reps(...(await who(request)), request.query);
      return sendCsv(reply, `reps-${r.range.from}-${r.range.to}.csv`, csvStream(REP_COLUMNS, onePage(r.items)));
    },
  );

  app.get(
    '/api/console/dashboard/reps/:userId',
    { schema: { params: RepParams, querystring: RepDetailQuery, response: { 200: RepDetail, ...errors } } },
    async (request) => service.rep(...(await who(request)), request.params.userId, request.query),
  );
  app.get(
    '/api/console/dashboard/reps/:userId/days.csv',
    { schema: { params: RepParams, querystring: RepDetailQuery, response: Csv } },
    async (request, reply) => {
      const r = await service.rep(...(await who(request)), request.params.userId, request.query);
      return sendCsv(
        reply,
        `rep-${r.rep.userId}-${r.range.from}-${r.range.to}.csv`,
        csvStream(REP_DAY_COLUMNS, onePage(r.days)),
      );
    },
  );

  app.get(
    '/api/console/dashboard/channels',
    { schema: { querystring: ChannelStatsQuery, response: { 200: ChannelStatsList, ...errors } } },
    async (request) => service.channels(...(await who(request)), request.query),
  );
  app.get(
    '/api/console/dashboard/channels.csv',
    { schema: { querystring: ChannelStatsQuery, response: Csv } },
    async (request, reply) => {
      const c = await service.channels(...(await who(request)), request.query);
      return sendCsv(reply, `channels-${c.range.from}-${c.range.to}.csv`, csvStream(CHANNEL_COLUMNS, onePage(c.items)));
    },
  );

  app.get(
    '/api/console/dashboard/channels/:id',
    { schema: { params: ChannelParams, querystring: ChannelStatsQuery, response: { 200: ChannelDetail, ...errors } } },
    async (request) => service.channel(...(await who(request)), request.params.id, request.query),
  );
  app.get(
    '/api/console/dashboard/channels/:id/days.csv',
    { schema: { params: ChannelParams, querystring: ChannelStatsQuery, response: Csv } },
    async (request, reply) => {
      const c = await service.channel(...(await who(request)), request.params.id, request.query);
      return sendCsv(reply, `channel-${request.params.id}-days.csv`, csvStream(CHANNEL_DAY_COLUMNS, onePage(c.days)));
    },
  );
  app.get(
    '/api/console/dashboard/channels/:id/reps.csv',
    { schema: { params: ChannelParams, querystring: ChannelStatsQuery, response: Csv } },
    async (request, reply) => {
      const c = await service.channel(...(await who(request)), request.params.id, request.query);
      return sendCsv(reply, `channel-${request.params.id}-reps.csv`, csvStream(CHANNEL_REP_COLUMNS, onePage(c.reps)));
    },
  );
};
