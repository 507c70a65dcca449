import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { patternHint } from '../../shared/schemas/common.js';
import { AppError } from '../errors.js';

/** One error of Fastify's schema validator (Ajv). */
export interface SchemaError {
  keyword: string;
  instancePath?: string;
  params?: Record<string, unknown>;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
  validation?: SchemaError[];
  validationContext?: string;
}

/** How each request part names its fields, and itself. */
const PARTS: Record<string, { noun: string; whole: string }> = {
  body: { noun: '字段', whole: '请求体' },
  querystring: { noun: '查询参数', whole: '查询参数' },
  params: { noun: '路径参数', whole: '路径参数' },
  headers: { noun: '请求头', whole: '请求头' },
};

const TYPE_NAMES: Record<string, string> = {
  string: '字符串',
  integer: '整数',
  number: '数字',
  boolean: '布尔值（true 或 false）',
  object: '对象',
  array: '数组',
  null: 'null',
};

const FORMAT_NAMES: Record<string, string> = {
  'date-time': 'ISO 8601 日期时间（如 2024-06-15T14:00:00+08:00）',
  date: 'YYYY-MM-DD 格式的日期',
  time: 'HH:MM:SS 格式的时间',
  uri: '完整的网址',
  url: '完整的网址',
  email: '电子邮箱地址',
  uuid: 'UUID',
  ipv4: 'IPv4 地址',
  ipv6: 'IPv6 地址',
};

/** `welcome/attachments/3/url` → `welcome.attachments.3.url` (JSON pointer escapes undone). */
function dotted(instancePath: string | undefined, extra?: unknown): string {
  const parts = (instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof extra === 'string') parts.push(extra);
  return parts.join('.');
}

const listOf = (values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('、');

const HAN = /\p{Script=Han}/u;
const LATIN = /[A-Za-z0-9]/;

/** Concatenates with a space where a Chinese character meets a Latin letter or digit, as Chinese typesetting does. */
function spaced(...pieces: string[]): string {
  return pieces.reduce((text, piece) => {
    const a = text.at(-1);
    const b = piece[0];
    const gap = a && b && ((HAN.test(a) && LATIN.test(b)) || (LATIN.test(a) && HAN.test(b)));
    return gap ? `${text} ${piece}` : text + piece;
  }, '');
}

/**
 * The validator's errors as one Chinese sentence naming the field, and that field. Ajv reports every branch of a
 * union (`anyOf`): the first concrete error is the one told, with the types or values every branch would take
 * merged (`dailyCap 应为整数或 null`, `kind 只能是 text、image、link 之一`).
 */
export function describeSchemaErrors(
  errors: SchemaError[],
  context: string | undefined,
): { message: string; field?: string } {
  const part = PARTS[context ?? 'body'] ?? PARTS.body!;
  const first = errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf') ?? errors[0];
  if (!first) return { message: '请求参数无效' };
  const params = first.params ?? {};
  const path = dotted(first.instancePath);
  const field = path || undefined;
  const subject = path ? `${part.noun} ${path} ` : part.whole;
  const sameSpot = errors.filter((e) => e.instancePath === first.instancePath);
  const n = params.limit;

  switch (first.keyword) {
    case 'required': {
      const missing = dotted(first.instancePath, params.missingProperty);
      return { message: `缺少${part.noun === '字段' ? '必填字段' : part.noun}：${missing}`, field: missing };
    }
    case 'additionalProperties': {
      const unknown = dotted(first.instancePath, params.additionalProperty);
      return { message: `未知${part.noun}：${unknown}`, field: unknown };
    }
    case 'type': {
      const types = sameSpot
        .filter((e) => e.keyword === 'type')
        .flatMap((e) => String(e.params?.type ?? '').split(','))
        .filter(Boolean);
      const names = [...new Set(types)].map((t) => TYPE_NAMES[t] ?? t);
      return {
        message: spaced(subject, '应为', ...names.flatMap((name, i) => (i === 0 ? [name] : ['或', name]))),
        field,
      };
    }
    case 'const':
    case 'enum': {
      const values = sameSpot.flatMap((e) =>
        e.keyword === 'const'
          ? [e.params?.allowedValue]
          : e.keyword === 'enum'
            ? ((e.params?.allowedValues as unknown[]) ?? [])
            : [],
      );
      return { message: `${subject}只能是 ${listOf([...new Set(values)])}${values.length > 1 ? ' 之一' : ''}`, field };
    }
    case 'minLength':
      return { message: n === 1 ? `${subject}不能为空` : `${subject}至少 ${n} 个字符`, field };
    case 'maxLength':
      return { message: `${subject}最多 ${n} 个字符`, field };
    case 'pattern':
      return { message: `${subject}${patternHint(String(params.pattern)) ?? '格式不正确'}`, field };
    case 'format': {
      const format = String(params.format);
      return { message: spaced(subject, '格式不正确，应为', FORMAT_NAMES[format] ?? format), field };
    }
    case 'minimum':
      return { message: `${subject}不能小于 ${n}`, field };
    case 'exclusiveMinimum':
      return { message: `${subject}必须大于 ${n}`, field };
    case 'maximum':
      return { message: `${subject}不能大于 ${n}`, field };
    case 'exclusiveMaximum':
      return { message: `${subject}必须小于 ${n}`, field };
    case 'multipleOf':
      return { message: `${subject}应为 ${params.multipleOf} 的倍数`, field };
    case 'minItems':
      return { message: n === 1 ? `${subject}至少需要 1 项` : `${subject}至少需要 ${n} 项`, field };
    case 'maxItems':
      return { message: `${subject}最多 ${n} 项`, field };
    case 'uniqueItems':
      return {
        message: `${subject}不能有重复项（第 ${Number(params.j) + 1} 项与第 ${Number(params.i) + 1} 项相同）`,
        field,
      };
    case 'minProperties':
      return { message: `${subject}至少需要包含 ${n} 个字段`, field };
    case 'maxProperties':
      return { message: `${subject}最多包含 ${n} 个字段`, field };
    default:
      return { message: `${subject}不符合要求`, field };
  }
}

/** Fastify's own 4xx (body parsing, URLs) by code; its English text stays in the log. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: '请求体为空，但 Content-Type 声明为 JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: '请求体不是有效的 JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: '请求体过大',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: '不支持的请求体类型（Content-Type），请使用 application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: '请求体长度与 Content-Length 不一致',
  FST_ERR_BAD_URL: '请求地址格式错误',
  FST_ERR_MAX_PARAM_LENGTH: '请求地址中的参数过长',
  FST_ERR_ASYNC_CONSTRAINT: '请求无法匹配到接口',
};

const STATUS_MESSAGES: Record<number, string> = {
  400: '请求无效',
  401: '未登录或登录已过期',
  403: '无权访问',
  404: '不存在',
  405: '不支持该请求方法',
  406: '无法按要求的格式回答',
  408: '请求超时',
  409: '与现有数据冲突',
  411: '缺少 Content-Length',
  413: '请求体过大',
  414: '请求地址过长',
  415: '不支持的请求体类型（Content-Type）',
  429: '请求过于频繁，请稍后再试',
};

/** Chinese text for a 4xx that is not one of our AppErrors. */
export function clientErrorMessage(err: { code?: string; statusCode?: number }): string {
  return (err.code && FASTIFY_MESSAGES[err.code]) || STATUS_MESSAGES[err.statusCode ?? 400] || '请求无法处理';
}

/** 404 for any path without a route. buildApp sets it in the browser scope, so the answer carries its headers. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  reply.status(404).send({ error: 'not_found', message: '不存在', requestId: request.id });
}

/**
 * Fastify's `frameworkErrors`: a URL that cannot be decoded (`/api/channels/%zz`) or a parameter that is too long
 * is refused before any route runs; without this Fastify answers in English with a body of its own.
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  request.log.info({ code: err.code }, err.message);
  void reply.status(status).send({
    error: (err.code ?? 'bad_request').toLowerCase(),
    message: clientErrorMessage(err),
    requestId: request.id,
  });
}

/**
 * The one place errors become HTTP answers: `{ error, message, requestId }` with a Chinese message. Typed AppErrors
 * keep their status and message; schema validation errors name the field (`未知字段：daily_cap`,
 * `字段 name 最多 50 个字符`); Fastify's other 4xx (body parsing, content type, size) get a Chinese sentence by
 * code; anything else is a 500 whose details stay in the log.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyLikeError, request, reply) => {
      if (err instanceof AppError) {
        request.log.info({ code: err.code, details: err.details }, err.message);
        return reply
          .status(err.statusCode)
          .send({ error: err.code, message: err.message, requestId: request.id, ...err.details });
      }
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        request.log.info({ code: err.code }, err.message);
        if (err.validation) {
          const { message, field } = describeSchemaErrors(err.validation, err.validationContext);
          return reply
            .status(status)
            .send({ error: 'bad_request', message, requestId: request.id, ...(field ? { field } : {}) });
        }
        const error = (err.code ?? 'bad_request').toLowerCase();
        return reply.status(status).send({ error, message: clientErrorMessage(err), requestId: request.id });
      }
      request.log.error({ err }, 'unhandled error');
      return reply.status(500).send({ error: 'internal', message: '服务器内部错误', requestId: request.id });
    });
  },
  { name: 'error-handler' },
);
