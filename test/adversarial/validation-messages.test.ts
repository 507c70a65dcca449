import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { routeInputs, type RouteInput } from '../../server/plugins/strict-input.js';
import { ADMIN_TOKEN, startApp, appTableCounts } from '../support/app.js';
import { CORP } from '../support/scrm.js';
import { login, syncCorp } from '../support/sidebar.js';

/**
 * Every route of the app, read from the strict-input plugin's record of what was registered (a route added later is
 * probed without anyone listing it), gets a set of bad inputs: unknown fields, wrong types, broken JSON, hostile
 * path parameters. Every answer must be a 4xx whose message a Chinese user can read (it contains Han characters;
 * ASCII-only English like "body must have required property 'reps'" fails), and nothing may be written.
 */

const HAN = /\p{Script=Han}/u;

let app: App;
let cookie: string;
/** The integration routes take their own token (not the admin's): one made for the probe. */
let integrationToken: string;
const INTEGRATION_INBOUND = /^\/api\/integrations\/(orders|birthdays)$/;

beforeAll(async () => {
  app = await startApp();
  await syncCorp(app);
  cookie = await login(app, 'lina');
  const created = await app.inject({
    method: 'POST',
    url: '/api/integrations',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'sec-fetch-site': 'same-origin' },
    payload: { name: '探针集成' },
  });
  expect(created.statusCode, created.body).toBe(201);
  integrationToken = (created.json() as { token: string }).token;
});
afterAll(async () => {
  await app?.close();
});

interface Route {
  method: string;
  url: string;
  parts: Map<RouteInput['part'], RouteInput>;
}

/** The app's routes with their input schemas (HEAD, which Fastify adds to every GET, left out). */
function routes(): Route[] {
  const byRoute = new Map<string, Route>();
  for (const input of routeInputs(app)) {
    if (input.method === 'HEAD') continue;
    const key = `${input.method} ${input.url}`;
    const route = byRoute.get(key) ?? { method: input.method, url: input.url, parts: new Map() };
    route.parts.set(input.part, input);
    byRoute.set(key, route);
  }
  return [...byRoute.values()];
}

/** A path with every `:param` filled by `value` (or a plausible one). */
function pathOf(url: string, value?: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (value !== undefined) return value;
    if (name === 'corpId') return CORP;
    if (name === 'file') return 'poster.png';
    if (name === 'id' || name === 'batchId') return '1';
    if (name === 'hash') return '0'.repeat(64);
    if (name === 'kind') return 'unreplied';
    return 'wm_probe';
  });
}

/** Sent with both credentials, so a route's own guard lets it through to validation. */
function send(route: Route, url: string, extra: Partial<InjectOptions> = {}) {
  return app.inject({
    method: route.method as InjectOptions['method'],
    url,
    ...extra,
    headers: {
      authorization: `Bearer ${INTEGRATION_INBOUND.test(route.url) ? integrationToken : ADMIN_TOKEN}`,
      cookie,
      'sec-fetch-site': 'same-origin',
      ...(extra.headers ?? {}),
    },
  });
}

interface Probe {
  name: string;
  applies(route: Route): boolean;
  request(route: Route): Promise<LightMyRequestResponse>;
  /** The message when the probe's refusal is the first one the route meets (else any Chinese 4xx). */
  expected?(route: Route): string | undefined;
}

const hasBody = (r: Route) => r.parts.has('body');
const strictQuery = (r: Route) => r.parts.has('querystring') && !r.parts.get('querystring')!.wecomSent;
const fieldsOf = (r: Route, part: RouteInput['part']) => {
  const schema = r.parts.get(part)?.schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  return { names: Object.keys(schema?.properties ?? {}), required: schema?.required ?? [] };
};
const hasParams = (r: Route) => r.url.includes(':');
const json = { 'content-type': 'application/json' };

const PROBES: Probe[] = [
  {
    name: 'unknown query parameter',
    applies: strictQuery,
    request: (r) => send(r, `${pathOf(r.url)}?zz_unknown=1`, hasBody(r) ? { payload: {} } : {}),
    // Required parameters are checked first: the unknown one is named when nothing else is missing.
    expected: (r) =>
      hasBody(r) || fieldsOf(r, 'querystring').required.length > 0 ? undefined : '未知查询参数：zz_unknown',
  },
  {
    name: 'unknown body field',
    applies: hasBody,
    request: (r) => send(r, pathOf(r.url), { payload: { zz_unknown: 1 } }),
  },
  { name: 'body is an array', applies: hasBody, request: (r) => send(r, pathOf(r.url), { payload: [] as never }) },
  {
    name: 'body is a JSON string',
    applies: hasBody,
    request: (r) => send(r, pathOf(r.url), { headers: json, payload: '"x"' }),
  },
  {
    name: 'broken JSON',
    applies: hasBody,
    request: (r) => send(r, pathOf(r.url), { headers: json, payload: '{"a":' }),
    expected: () => '请求体不是有效的 JSON',
  },
  {
    name: 'empty JSON body',
    applies: hasBody,
    request: (r) => send(r, pathOf(r.url), { headers: json, payload: '' }),
  },
  {
    name: 'wrong types for every field',
    applies: (r) => fieldsOf(r, 'body').names.length > 0,
    request: (r) => {
      const payload = Object.fromEntries(fieldsOf(r, 'body').names.map((k) => [k, { wrong: [true] }]));
      return send(r, pathOf(r.url), { payload });
    },
  },
  {
    name: 'undecodable path parameter',
    applies: hasParams,
    request: (r) => send(r, pathOf(r.url, '%zz'), hasBody(r) ? { payload: {} } : {}),
    expected: () => '请求地址格式错误',
  },
  {
    name: 'overlong path parameter',
    applies: hasParams,
    request: (r) => send(r, pathOf(r.url, 'x'.repeat(300)), hasBody(r) ? { payload: {} } : {}),
  },
  {
    name: 'NUL in every query parameter',
    applies: (r) => strictQuery(r) && fieldsOf(r, 'querystring').names.length > 0,
    request: (r) => {
      const query = fieldsOf(r, 'querystring')
        .names.map((k) => `${k}=%00`)
        .join('&');
      return send(r, `${pathOf(r.url)}?${query}`, hasBody(r) ? { payload: {} } : {});
    },
  },
];

describe('every 4xx of every route is in Chinese', () => {
  it('bad inputs to every route: 4xx, a Chinese message, nothing written', async () => {
    const all = routes();
    // Sanity: the record covers the whole API, not an empty list that would pass anything.
    expect(all.length).toBeGreaterThan(35);
    expect(all.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['PATCH /api/channels/:id', 'GET /api/scripts', 'POST /wecom/callback/:corpId']),
    );
    const before = await appTableCounts(app);
    const failures: string[] = [];
    let probed = 0;
    for (const route of all) {
      for (const probe of PROBES.filter((p) => p.applies(route))) {
        const res = await probe.request(route);
        probed += 1;
        const where = `${route.method} ${route.url} — ${probe.name}: ${res.statusCode} ${res.body.slice(0, 160)}`;
        if (res.statusCode < 400 || res.statusCode >= 500) {
          failures.push(`not a 4xx: ${where}`);
          continue;
        }
        const body = res.json() as { error?: unknown; message?: unknown; requestId?: unknown };
        if (typeof body.error !== 'string' || typeof body.requestId !== 'string')
          failures.push(`no error body: ${where}`);
        if (typeof body.message !== 'string' || !HAN.test(body.message)) failures.push(`not Chinese: ${where}`);
        const expected = probe.expected?.(route);
        if (expected && body.message !== expected) failures.push(`expected "${expected}": ${where}`);
      }
    }
    expect(failures).toEqual([]);
    expect(probed).toBeGreaterThan(150);
    expect(await appTableCounts(app)).toEqual(before);
  });

  it('the callback, OAuth and admin-token refusals are in Chinese as well', async () => {
    const answers = await Promise.all([
      app.inject({
        method: 'POST',
        url: `/wecom/callback/${CORP}?msg_signature=a&timestamp=1&nonce=n`,
        payload: '<xml/>',
      }),
      app.inject({ method: 'POST', url: '/wecom/callback/wwnobody?msg_signature=a&timestamp=1&nonce=n', payload: 'x' }),
      app.inject({ url: '/api/auth/callback?code=x&state=y' }),
      app.inject({ url: '/api/channels' }),
      app.inject({ url: '/api/channels', headers: { authorization: 'Bearer wrong-token-wrong-token' } }),
      app.inject({ url: '/api/no-such-route' }),
    ]);
    for (const res of answers) {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, res.body).toBeLessThan(500);
      expect(res.json().message, res.body).toMatch(HAN);
    }
  });
});
