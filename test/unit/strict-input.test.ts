import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.js';
import errorHandler from '../../server/plugins/error-handler.js';
import strictInput, { laxObjects, REQUEST_VALIDATION, routeInputs } from '../../server/plugins/strict-input.js';
import { InputObject, WecomSentObject } from '../../shared/schemas/common.js';
import { testConfig } from '../support/app.js';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A bare Fastify with the same validator settings and plugins as the app. */
async function bare() {
  const f = Fastify({ logger: false, ajv: REQUEST_VALIDATION });
  await f.register(errorHandler);
  await f.register(strictInput);
  return f;
}

describe('laxObjects', () => {
  it('finds every object schema that accepts unknown fields, however deep', () => {
    expect(laxObjects(Type.Object({ a: Type.String() }))).toEqual(['/']);
    expect(laxObjects(InputObject({ a: Type.String() }))).toEqual([]);
    const nested = InputObject({
      welcome: Type.Union([Type.Object({ text: Type.String() }), Type.Null()]),
      list: Type.Array(Type.Object({ x: Type.Integer() })),
      fine: Type.Array(InputObject({ y: Type.Integer() })),
    });
    expect(laxObjects(nested)).toEqual(['/welcome', '/list/[]']);
    expect(laxObjects(Type.Record(Type.String(), Type.String()))).toEqual(['/']);
  });
});

describe('every route refuses unknown fields', () => {
  it('a route whose body, query or params schema accepts unknown fields cannot be registered', async () => {
    const f = await bare();
    const handler = async () => ({ ok: true });
    expect(() => f.post('/api/lax-body', { schema: { body: Type.Object({ a: Type.String() }) } }, handler)).toThrow(
      'POST /api/lax-body: the body schema accepts unknown fields at /',
    );
    expect(() =>
      f.get('/api/lax-query', { schema: { querystring: InputObject({ o: Type.Object({}) }) } }, handler),
    ).toThrow('GET /api/lax-query: the querystring schema accepts unknown fields at /o');
    expect(() => f.get('/x/:id', { schema: { params: Type.Object({ id: Type.Integer() }) } }, handler)).toThrow(
      'GET /x/:id: the params schema accepts unknown fields at /',
    );
    f.post('/api/strict', { schema: { body: InputObject({ a: Type.String() }) } }, handler);
    f.get('/api/no-query', handler);
    await f.ready();

    const unknownBody = await f.inject({ method: 'POST', url: '/api/strict', payload: { a: 'x', daily_cap: 5 } });
    expect(unknownBody.statusCode).toBe(400);
    expect(unknownBody.json()).toMatchObject({
      error: 'bad_request',
      message: '未知字段：daily_cap',
      field: 'daily_cap',
    });
    // An API route that declares no query string takes none.
    const unknownQuery = await f.inject({ url: '/api/no-query?name=x' });
    expect(unknownQuery.statusCode).toBe(400);
    expect(unknownQuery.json()).toMatchObject({ message: '未知查询参数：name', field: 'name' });
    expect((await f.inject({ url: '/api/no-query' })).statusCode).toBe(200);
    await f.close();
  });

  it('the real app builds, with every input schema of every route strict except what WeCom writes', async () => {
    app = await buildApp(testConfig(), { logger: false });
    await app.ready();
    const inputs = routeInputs(app).filter((i) => i.method !== 'HEAD');
    const names = inputs.map((i) => `${i.method} ${i.url} ${i.part}`);
    // The walk covers the app's routes: a sample of each module, so an empty list cannot pass.
    expect(names).toEqual(
      expect.arrayContaining([
        'PATCH /api/channels/:id body',
        'PATCH /api/channels/:id params',
        'GET /api/channels querystring',
        'GET /api/customers querystring',
        'GET /api/scripts querystring',
        'PUT /api/stages body',
        'POST /api/tags/groups body',
        'POST /api/welcome/preview body',
        'POST /api/jsapi/signatures body',
        'POST /api/customers/:externalUserId/notes body',
        'POST /wecom/callback/:corpId params',
      ]),
    );
    expect(inputs.length).toBeGreaterThan(60);
    for (const input of inputs) {
      if (!input.wecomSent) expect(laxObjects(input.schema), `${input.method} ${input.url} ${input.part}`).toEqual([]);
    }
    // Only what WeCom writes tolerates unknown fields: the callback's and the OAuth redirects' query strings (sidebar and console sign-in).
    expect(inputs.filter((i) => i.wecomSent).map((i) => `${i.method} ${i.url} ${i.part}`)).toEqual([
      'GET /wecom/callback/:corpId querystring',
      'POST /wecom/callback/:corpId querystring',
      'GET /api/auth/callback querystring',
      'GET /api/console/auth/wecom/callback querystring',
    ]);
  });

  it('a route added to the real app later is held to the same rule', async () => {
    app = await buildApp(testConfig(), { logger: false });
    expect(() =>
      app!.post('/api/later', { schema: { body: Type.Object({ a: Type.String() }) } }, async () => ({})),
    ).toThrow(/the body schema accepts unknown fields/);
    expect(() =>
      app!.post('/api/later', { schema: { body: WecomSentObject({ a: Type.String() }) } }, async () => ({})),
    ).not.toThrow();
  });
});
