import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorHandler, { frameworkErrorHandler } from '../../server/plugins/error-handler.js';
import strictInput, { REQUEST_VALIDATION } from '../../server/plugins/strict-input.js';
import { InputObject, NullableInteger, PatternString, SearchText } from '../../shared/schemas/common.js';

/**
 * Every kind of schema error becomes one Chinese sentence naming the field: a bare Fastify with the app's validator
 * settings, error handler and framework-error handler, and a schema with one of each rule.
 */
const Body = InputObject(
  {
    name: Type.String({ minLength: 1, maxLength: 5 }),
    code: Type.Optional(Type.String({ minLength: 3 })),
    state: Type.Optional(PatternString('^[a-z]+$', '只能包含小写字母')),
    raw: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
    kind: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('image')])),
    level: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    ratio: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.25 })),
    cap: Type.Optional(NullableInteger({ minimum: 1 })),
    flag: Type.Optional(Type.Boolean()),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    tags: Type.Optional(Type.Array(Type.String(), { minItems: 2, maxItems: 3, uniqueItems: true })),
    welcome: Type.Optional(
      Type.Union([
        InputObject({ text: Type.String(), items: Type.Array(InputObject({ url: Type.String() })) }),
        Type.Null(),
      ]),
    ),
    meta: Type.Optional(InputObject({ a: Type.Optional(Type.String()) }, { minProperties: 1, maxProperties: 1 })),
  },
  {},
);

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify({ logger: false, ajv: REQUEST_VALIDATION, frameworkErrors: frameworkErrorHandler });
  await app.register(errorHandler);
  await app.register(strictInput);
  app.post('/api/things', { schema: { body: Body } }, async () => ({ ok: true }));
  app.get(
    '/api/things/:id',
    {
      schema: {
        params: InputObject({ id: Type.Integer({ minimum: 1 }) }),
        querystring: InputObject({ q: Type.Optional(SearchText({ maxLength: 10 })), from: Type.String() }),
      },
    },
    async () => ({ ok: true }),
  );
  await app.ready();
});
afterAll(() => app.close());

async function post(payload: unknown) {
  const res = await app.inject({ method: 'POST', url: '/api/things', payload: payload as object });
  return { status: res.statusCode, ...(res.json() as { message: string; field?: string; error: string }) };
}

const ok = { name: 'abc' };

describe('schema errors in Chinese, naming the field', () => {
  it.each([
    [{}, '缺少必填字段：name', 'name'],
    [{ ...ok, daily_cap: 5 }, '未知字段：daily_cap', 'daily_cap'],
    [{ ...ok, welcome: { text: 'x', items: [], extra: 1 } }, '未知字段：welcome.extra', 'welcome.extra'],
    [
      { ...ok, welcome: { text: 'x', items: [{ url: 'u', alt: '' }] } },
      '未知字段：welcome.items.0.alt',
      'welcome.items.0.alt',
    ],
    [{ ...ok, welcome: { items: [] } }, '缺少必填字段：welcome.text', 'welcome.text'],
    [{ ...ok, welcome: 'hi' }, '字段 welcome 应为对象或 null', 'welcome'],
    [{ name: '' }, '字段 name 不能为空', 'name'],
    [{ name: '一二三四五六' }, '字段 name 最多 5 个字符', 'name'],
    [{ ...ok, code: 'ab' }, '字段 code 至少 3 个字符', 'code'],
    [{ ...ok, state: 'A1' }, '字段 state 只能包含小写字母', 'state'],
    [{ ...ok, raw: 'x' }, '字段 raw 格式不正确', 'raw'],
    [{ ...ok, kind: 'video' }, '字段 kind 只能是 text、image 之一', 'kind'],
    [{ ...ok, level: 0 }, '字段 level 不能小于 1', 'level'],
    [{ ...ok, level: 11 }, '字段 level 不能大于 10', 'level'],
    [{ ...ok, level: 1.5 }, '字段 level 应为整数', 'level'],
    [{ ...ok, ratio: 0 }, '字段 ratio 必须大于 0', 'ratio'],
    [{ ...ok, ratio: 1 }, '字段 ratio 必须小于 1', 'ratio'],
    [{ ...ok, ratio: 0.3 }, '字段 ratio 应为 0.25 的倍数', 'ratio'],
    [{ ...ok, cap: 0 }, '字段 cap 不能小于 1', 'cap'],
    [{ ...ok, cap: 'many' }, '字段 cap 应为整数或 null', 'cap'],
    [{ ...ok, flag: 'yes' }, '字段 flag 应为布尔值（true 或 false）', 'flag'],
    [{ ...ok, at: 'yesterday' }, '字段 at 格式不正确，应为 ISO 8601 日期时间（如 2024-06-15T14:00:00+08:00）', 'at'],
    [{ ...ok, tags: ['a'] }, '字段 tags 至少需要 2 项', 'tags'],
    [{ ...ok, tags: ['a', 'b', 'c', 'd'] }, '字段 tags 最多 3 项', 'tags'],
    [{ ...ok, tags: ['a', 'a'] }, '字段 tags 不能有重复项（第 2 项与第 1 项相同）', 'tags'],
    [{ ...ok, meta: {} }, '字段 meta 至少需要包含 1 个字段', 'meta'],
    [[], '请求体应为对象', undefined],
  ])('%j → %s', async (payload, message, field) => {
    const res = await post(payload);
    expect(res).toMatchObject({ status: 400, error: 'bad_request', message });
    expect(res.field).toBe(field);
  });

  it('names query and path parameters as such', async () => {
    const answers = await Promise.all(
      [
        '/api/things/0?from=a',
        '/api/things/x?from=a',
        '/api/things/1',
        '/api/things/1?from=a&page=2',
        '/api/things/1?from=a&q=%00',
      ]
        .map((url) => app.inject({ url }))
        .map(async (res) => (await res).json().message as string),
    );
    expect(answers).toEqual([
      '路径参数 id 不能小于 1',
      '路径参数 id 应为整数',
      '缺少查询参数：from',
      '未知查询参数：page',
      '查询参数 q 不能包含控制字符',
    ]);
  });

  it('search text refuses every control character and takes ordinary text', async () => {
    for (const c of ['%00', '%01', '%0A', '%0D', '%1B', '%7F', '%C2%85']) {
      const res = await app.inject({ url: `/api/things/1?from=a&q=a${c}b` });
      expect(res.statusCode, c).toBe(400);
      expect(res.json().message).toBe('查询参数 q 不能包含控制字符');
    }
    for (const q of ['包邮', '50%_off', 'a b', "it's"]) {
      const res = await app.inject({ url: `/api/things/1?from=a&q=${encodeURIComponent(q)}` });
      expect(res.statusCode, q).toBe(200);
    }
  });

  it("Fastify's own refusals are in Chinese too", async () => {
    const json = { 'content-type': 'application/json' };
    const cases: Array<[InjectOptions, number, string]> = [
      [{ method: 'POST', url: '/api/things', headers: json, payload: '{"name":' }, 400, '请求体不是有效的 JSON'],
      [
        { method: 'POST', url: '/api/things', headers: json, payload: '' },
        400,
        '请求体为空，但 Content-Type 声明为 JSON',
      ],
      [
        { method: 'POST', url: '/api/things', headers: { 'content-type': 'application/xml' }, payload: '<a/>' },
        415,
        '不支持的请求体类型（Content-Type），请使用 application/json',
      ],
      [
        { method: 'POST', url: '/api/things', headers: json, payload: `{"name":"${'x'.repeat(1_100_000)}"}` },
        413,
        '请求体过大',
      ],
      [{ method: 'GET', url: '/api/things/%zz?from=a' }, 400, '请求地址格式错误'],
      [
        { method: 'POST', url: '/api/things', headers: json, payload: '{"__proto__":{"x":1},"name":"a"}' },
        400,
        '请求体不是有效的 JSON',
      ],
    ];
    for (const [request, status, message] of cases) {
      const res = await app.inject(request);
      expect(res.statusCode, JSON.stringify(request).slice(0, 80)).toBe(status);
      expect(res.json()).toMatchObject({ message });
    }
  });
});
