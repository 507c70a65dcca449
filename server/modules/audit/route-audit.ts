import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditRecord, AuditService } from './service.js';

/** What a kind of object is called in the audit log. */
const TYPE_NAMES: Record<string, string> = {
  channel: '渠道活码',
  tag: '标签',
  tag_group: '标签组',
  script: '话术',
  script_group: '话术分组',
  welcome: '默认欢迎语',
  stage: '客户阶段',
  work_calendar: '工作时间与节假日',
  keyword_rule: '敏感词规则',
  robot: '群机器人',
  customer: '客户',
};

interface RouteSpec {
  action: string;
  targetType: string;
  /** 创建 / 修改 / 删除 …; with the type and the object's name: 修改渠道活码「双十一海报」. */
  verb?: string;
  /** A fixed sentence instead. */
  summary?: string;
}

const spec = (action: string, verb?: string, summary?: string): RouteSpec => ({
  action,
  targetType: action.slice(0, action.indexOf('.')),
  ...(verb ? { verb } : {}),
  ...(summary ? { summary } : {}),
});

/**
 * The admin routes of the modules that predate the console, recorded at the route boundary (their services know
 * nothing of who calls them). Routes not listed are recorded too, under a generic action (see `generic`).
 */
const ROUTES: Record<string, RouteSpec> = {
  'POST /api/channels': spec('channel.create', '创建'),
  'PATCH /api/channels/:id': spec('channel.update', '修改'),
  'DELETE /api/channels/:id': spec('channel.delete', '删除'),
  'POST /api/tags/sync': spec('tag.sync', undefined, '从企业微信同步标签库'),
  'POST /api/tags/groups': spec('tag_group.create', '创建'),
  'PATCH /api/tags/groups/:groupId': spec('tag_group.update', '修改'),
  'DELETE /api/tags/groups/:groupId': spec('tag_group.delete', '删除'),
  'POST /api/tags': spec('tag.create', '创建'),
  'PATCH /api/tags/:id': spec('tag.update', '修改'),
  'DELETE /api/tags/:id': spec('tag.delete', '删除'),
  'POST /api/tags/reorder': spec('tag.reorder', undefined, '调整标签顺序'),
  'PUT /api/welcome/default': spec('welcome.update', undefined, '修改默认欢迎语'),
  'DELETE /api/welcome/default': spec('welcome.delete', undefined, '删除默认欢迎语'),
  'PUT /api/stages': spec('stage.update', undefined, '修改客户阶段'),
  'POST /api/scripts': spec('script.create', '创建'),
  'PUT /api/scripts/:id': spec('script.update', '修改'),
  'DELETE /api/scripts/:id': spec('script.delete', '删除'),
  'POST /api/script-groups': spec('script_group.create', '创建'),
  'PUT /api/script-groups/:id': spec('script_group.update', '修改'),
  'DELETE /api/script-groups/:id': spec('script_group.delete', '删除'),
  'PUT /api/settings/work-calendar': spec('work_calendar.update', undefined, '修改工作时间与节假日'),
  'POST /api/keyword-rules': spec('keyword_rule.create', '创建'),
  'PATCH /api/keyword-rules/:id': spec('keyword_rule.update', '修改'),
  'DELETE /api/keyword-rules/:id': spec('keyword_rule.delete', '删除'),
  'POST /api/customers/:externalUserId/erasure': spec('customer.erase', undefined, '删除客户的个人信息（PIPL）'),
};

/** State-changing methods that change nothing (previews, signatures): not recorded. */
const CHANGES_NOTHING = new Set(['POST /api/welcome/preview', 'POST /api/jsapi/signatures']);

const VERBS: Record<string, [string, string]> = {
  POST: ['create', '创建'],
  PUT: ['update', '修改'],
  PATCH: ['update', '修改'],
  DELETE: ['delete', '删除'],
};

/** `/api/keyword-rules/:id` → `keyword_rule`. */
function generic(method: string, url: string): RouteSpec {
  const segment = url.split('/')[2] ?? 'api';
  const type = segment.replace(/-/g, '_').replace(/s$/, '');
  const [verb] = VERBS[method] ?? ['call'];
  return { action: `${type}.${verb}`, targetType: type, summary: `调用接口 ${method} ${url}` };
}

function parseJson(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return {};
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/**
 * The onSend hook that records a successful change made by a console actor or the admin token, unless the service
 * recorded it itself (`request.audited`). Awaited before the answer leaves; a failure to record is logged, never
 * turned into an error (the change is committed already).
 */
export function createRouteAuditor(deps: {
  audit: Pick<AuditService, 'recordNow'>;
  /** The name of an object that is gone from the answer (deletions): read from its (soft-deleted) row. */
  nameOf: (corpId: string, targetType: string, id: string) => Promise<string | null>;
}) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const method = request.method;
    const url = request.routeOptions.url;
    if (!request.actor || request.audited || !VERBS[method] || !url?.startsWith('/api/')) return payload;
    if (reply.statusCode >= 400) return payload;
    const route = `${method} ${url}`;
    if (CHANGES_NOTHING.has(route)) return payload;
    try {
      const s = ROUTES[route] ?? generic(method, url);
      const params = (request.params ?? {}) as Record<string, unknown>;
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
      const answer = parseJson(payload);
      const targetId =
        text(params.id) ??
        text(params.groupId) ??
        text(params.externalUserId) ??
        text(answer.id) ??
        text(answer.groupId);
      let name = text(answer.name) ?? text(answer.title) ?? text(body.name) ?? text(body.title);
      if (!name && targetId && method === 'DELETE') {
        name = (await deps.nameOf(request.actor.corpId, s.targetType, targetId)) ?? undefined;
      }
      const typeName = TYPE_NAMES[s.targetType] ?? s.targetType;
      const summary = s.summary ?? `${s.verb}${typeName}${name ? `「${name}」` : targetId ? ` #${targetId}` : ''}`;
      const entry: AuditRecord = {
        action: s.action,
        targetType: s.targetType,
        targetId: targetId ?? null,
        summary: s.summary && targetId && s.targetType === 'customer' ? `${s.summary}：${targetId}` : summary,
        detail: {
          route,
          ...(Object.keys(params).length ? { params } : {}),
          ...(Object.keys(body).length ? { body } : {}),
        },
      };
      await deps.audit.recordNow({ actor: request.actor, ip: request.ip, requestId: String(request.id) }, entry);
    } catch (err) {
      request.log.error({ err, route }, 'could not record the audit entry');
    }
    return payload;
  };
}
